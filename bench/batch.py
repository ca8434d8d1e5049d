"""`python -m bench.batch`: a 5-row offline batch (POST /api/batches) against the same 5 ads made one
after another through the API client (`adreel generate`'s journey), wall time of each and the ratio.

Starts the whole mesh with the launcher on free ports (a fresh embedded PostgreSQL in a temporary
ADREEL_HOME unless DATABASE_URL is set), or uses a running one with --url. The batch runs its rows
side by side (ADREEL_BATCH_PARALLEL_ROWS, under the user's running-stage quota), so its stages
overlap where single runs wait on each other; goal: ratio < 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from client.api import AdreelClient
from client.journey import AdSpec, run_journey
from stack.spawn import LaunchedStack, Ports

PRODUCTS = (
    "pink tennis shoes with white laces",
    "steel water bottle with a bamboo lid",
    "wool beanie in forest green",
    "leather wallet with brass rivets",
    "ceramic coffee mug with a speckled glaze",
)
SCENE = "a runner on an outdoor track at golden hour"


async def singles(url: str, shape: tuple[int, int, int, float], tmp: Path) -> list[float]:
    """Each ad alone, one after another: seconds to its final (the download not counted)."""
    rows, images, clips, duration = shape
    seconds = []
    async with AdreelClient(url, timeout_s=120) as client:
        await client.login()
        for i in range(rows):
            spec = AdSpec(
                product=PRODUCTS[i % len(PRODUCTS)],
                scene=SCENE,
                out=tmp / f"single-{i}.mp4",
                images=images,
                pick_images=str(clips),
                clip_duration=duration,
            )
            result = await run_journey(client, spec)
            seconds.append(sum(s for step, s in result.seconds.items() if step != "download"))
    return seconds


async def batch(url: str, rows: int, images: int, clips: int, duration: float) -> tuple[float, dict]:
    async with AdreelClient(url, timeout_s=120) as client:
        await client.login()
        body = {
            "rows": [
                {
                    "product": PRODUCTS[i % len(PRODUCTS)],
                    "scene": SCENE,
                    "images": images,
                    "clips": clips,
                    "clip_duration": duration,
                }
                for i in range(rows)
            ],
            "budget_usd": 100,
            "name": "bench",
        }
        start = time.perf_counter()
        view = await client.call("POST", "/api/batches", body)
        while view["status"] == "running":
            await asyncio.sleep(0.25)
            view = await client.call("GET", f"/api/batches/{view['id']}")
        return time.perf_counter() - start, view


def main() -> None:
    cli = argparse.ArgumentParser(prog="python -m bench.batch", description=__doc__)
    cli.add_argument("--url", help="use this running gateway instead of launching the mesh")
    cli.add_argument("--rows", type=int, default=5)
    cli.add_argument("--images", type=int, default=4)
    cli.add_argument("--clips", type=int, default=3, help="images animated per ad")
    cli.add_argument("--duration", type=float, default=3.0, help="seconds per clip")
    cli.add_argument("--echo", action="store_true", help="show the mesh's logs")
    args = cli.parse_args()
    console = Console(highlight=False)
    shape = (args.rows, args.images, args.clips, args.duration)

    with tempfile.TemporaryDirectory(prefix="adreel-bench-") as tmp, contextlib.ExitStack() as exits:
        url = args.url
        if not url:
            stack = exits.enter_context(LaunchedStack({**Ports().env(), "ADREEL_HOME": tmp}, echo=args.echo))
            url = stack.start()
        one_by_one = asyncio.run(singles(url, shape, Path(tmp)))
        batch_s, view = asyncio.run(batch(url, *shape))

    if view["counts"] != {"complete": args.rows}:
        raise SystemExit(f"the batch did not make every ad: {view['counts']}")
    singles_s = sum(one_by_one)
    table = Table(
        title=f"{args.rows} offline ads ({args.images} images, {args.clips} clips of {args.duration:g} s)"
    )
    table.add_column("how")
    table.add_column("wall s", justify="right")
    table.add_column("per ad s", justify="right")
    table.add_row(
        f"{args.rows} single runs, one after another", f"{singles_s:.1f}", f"{singles_s / args.rows:.1f}"
    )
    table.add_row(f"one batch of {args.rows} rows", f"{batch_s:.1f}", f"{batch_s / args.rows:.1f}")
    console.print(table)
    console.print(f"batch / single runs: {batch_s / singles_s:.2f} (goal < 1)")


if __name__ == "__main__":
    main()
