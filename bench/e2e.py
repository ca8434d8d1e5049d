"""`python -m bench.e2e`: the offline journey login -> MP4 through the API client, timed per stage.

Starts the whole mesh with the launcher on free ports (a fresh embedded PostgreSQL in a temporary
ADREEL_HOME unless DATABASE_URL is set), or uses a running one with --url. Goal: <= 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from pathlib import Path

import av
from rich.console import Console
from rich.table import Table

from client.api import AdreelClient
from client.journey import AdSpec, JourneyResult, run_journey
from stack.spawn import LaunchedStack, Ports

GOAL_S = 60.0


async def journey(url: str, spec: AdSpec) -> tuple[float, JourneyResult]:
    async with AdreelClient(url) as client:
        start = time.perf_counter()
        await client.login()
        login_s = time.perf_counter() - start
        return login_s, await run_journey(client, spec)


def main() -> None:
    cli = argparse.ArgumentParser(prog="python -m bench.e2e", description=__doc__)
    cli.add_argument("--url", help="use this running gateway instead of launching the mesh")
    cli.add_argument("--out", type=Path, help="keep the MP4 here (default: a temporary folder)")
    cli.add_argument("--images", type=int, default=6)
    cli.add_argument("--pick", default="4", help="images to animate (default the first 4)")
    cli.add_argument("--duration", type=float, default=3.0, help="seconds per clip")
    cli.add_argument("--echo", action="store_true", help="show the mesh's logs")
    args = cli.parse_args()
    console = Console(highlight=False)

    with tempfile.TemporaryDirectory(prefix="adreel-bench-") as tmp, contextlib.ExitStack() as exits:
        startup_s = 0.0
        url = args.url
        if not url:
            stack = exits.enter_context(LaunchedStack({**Ports().env(), "ADREEL_HOME": tmp}, echo=args.echo))
            start = time.perf_counter()
            url = stack.start()
            startup_s = time.perf_counter() - start
        spec = AdSpec(
            product="pink tennis shoes with white laces",
            scene="girl running in sun, outdoor track, golden hour lighting",
            out=args.out or Path(tmp) / "ad.mp4",
            images=args.images,
            pick_images=args.pick,
            clip_duration=args.duration,
            name="AirRun Pro",
        )
        login_s, result = asyncio.run(journey(url, spec))
        with av.open(str(result.files[0])) as container:
            video = container.streams.video[0]
            probed = (
                f"{video.codec_context.width}x{video.codec_context.height}, {video.average_rate} fps, "
                f"{float(container.duration or 0) / av.time_base:.2f} s, "
                f"{result.files[0].stat().st_size / 1e6:.1f} MB"
            )

    table = Table(title=f"Adreel offline journey ({url})")
    table.add_column("stage")
    table.add_column("wall s", justify="right")
    if startup_s:
        table.add_row("mesh start (not in total)", f"{startup_s:.2f}")
    table.add_row("login", f"{login_s:.2f}")
    for stage, seconds in result.seconds.items():
        table.add_row(stage, f"{seconds:.2f}")
    total = login_s + sum(result.seconds.values())
    table.add_row("total", f"{total:.2f}", style="bold")
    console.print(table)
    console.print(f"MP4: {probed}; cost ${result.total_cost:.2f}")
    verdict = "within" if total <= GOAL_S else "OVER"
    console.print(f"total {total:.1f} s: {verdict} the {GOAL_S:.0f} s goal ({total / GOAL_S:.2f} of it)")


if __name__ == "__main__":
    main()
