"""`adreel generate "product" --scene "..." --out ad.mp4`: the whole journey from a terminal.

Exit codes: 0 done, 1 the API refused or a stage failed, 2 bad arguments, 3 Adreel not reachable,
130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from websockets.exceptions import WebSocketException

from client.api import DEMO_EMAIL, DEMO_PASSWORD, AdreelClient, ApiError, StageFailed
from client.journey import AdSpec, BadChoice, run_journey
from client.models import Event

# Where each step sits in the session's overall progress (PRD 9.2).
_BARS = {"images": ("Images", 0, 50), "clips": ("Clips", 50, 90), "compose": ("Final video", 90, 100)}


def parser() -> argparse.ArgumentParser:
    server = argparse.ArgumentParser(add_help=False)
    server.add_argument("--url", default="http://127.0.0.1:8000", help="the gateway (default %(default)s)")
    server.add_argument("--email", default=DEMO_EMAIL, help="account (default: the demo user)")
    server.add_argument("--password", default=DEMO_PASSWORD)
    root = argparse.ArgumentParser(prog="adreel", description="Adreel: product text to a finished video ad.")
    commands = root.add_subparsers(dest="command", required=True)

    gen = commands.add_parser("generate", parents=[server], help="make an ad from a product description")
    gen.add_argument("product", help='what you sell, e.g. "pink tennis shoes with white laces"')
    gen.add_argument("--scene", required=True, help="what happens in the clips (10-300 characters)")
    gen.add_argument("--out", type=Path, default=Path("ad.mp4"), help="where to save the MP4")
    gen.add_argument("--images", type=int, default=6, help="how many product images (4-8)")
    gen.add_argument(
        "--pick",
        default="auto",
        help="images to animate: auto (enough for a ~10 s ad), all, N (first N) or 1,3,4",
    )
    gen.add_argument("--pick-clips", default="all", help="clips to keep: all, N (first N) or 1,3")
    gen.add_argument("--order", help="playing order of the kept clips, e.g. 3,1,2")
    gen.add_argument("--name", help="product name on the intro card (default: the product text)")
    gen.add_argument("--cta", default="Shop Now", help="call to action on the outro card")
    gen.add_argument("--font", help="font id (GET /api/fonts), e.g. inter")
    gen.add_argument("--color", help="text colour, #rrggbb")
    gen.add_argument("--music", action=argparse.BooleanOptionalAction, default=True, help="background music")
    gen.add_argument("--genre", choices=("upbeat", "chill", "energetic"), default="upbeat")
    gen.add_argument("--duration", type=float, default=3.0, help="seconds per clip (2-4)")
    gen.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=("16:9", "9:16", "1:1"),
        help="aspect ratio; repeat for several (default 16:9)",
    )
    mcp = commands.add_parser(
        "mcp", help="the MCP server over stdio (for an MCP client's config); needs an API key"
    )
    mcp.add_argument("--url", default=None, help="the gateway (default: ADREEL_URL or the saved one)")
    mcp.add_argument("--key", default=None, help="API key (default: ADREEL_API_KEY or `adreel login --key`)")
    return root


class ProgressBars:
    """One bar per long step, driven by the WebSocket's overall progress."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}
        self.current: str | None = None

    def step(self, name: str) -> None:
        if self.current in self.tasks:
            self.progress.update(self.tasks[self.current], completed=100)
        self.current = name
        if name in _BARS:
            self.tasks[name] = self.progress.add_task(_BARS[name][0], total=100)

    def event(self, event: Event) -> None:
        if self.current not in self.tasks:
            return
        _, low, high = _BARS[self.current]
        share = (event.progress - low) / (high - low) * 100
        self.progress.update(
            self.tasks[self.current],
            completed=max(0.0, min(100.0, share)),
            description=f"{_BARS[self.current][0]}: {event.message}"[:60],
        )


async def generate(args: argparse.Namespace, console: Console) -> int:
    spec = AdSpec(
        product=args.product,
        scene=args.scene,
        out=args.out,
        images=args.images,
        pick_images=args.pick,
        pick_clips=args.pick_clips,
        order=args.order,
        name=args.name,
        cta=args.cta,
        font=args.font,
        color=args.color,
        music=args.music,
        genre=args.genre,
        clip_duration=args.duration,
        formats=args.formats or ["16:9"],
    )
    spec.check()
    async with AdreelClient(args.url) as client:
        await client.login(args.email, args.password)
        columns = (TextColumn("{task.description:<60}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"))
        with Progress(*columns, TimeElapsedColumn(), console=console, transient=False) as progress:
            bars = ProgressBars(progress)
            result = await run_journey(client, spec, on_event=bars.event, on_step=bars.step)
            bars.step("done")
    for video, path in zip(result.videos, result.files, strict=True):
        console.print(
            f"Saved {path} ({video.resolution}, {video.fps} fps, {video.duration:.1f} s, "
            f"{video.file_size_mb:.1f} MB)"
        )
    console.print(f"Session {result.session_id}, cost ${result.total_cost:.2f}")
    return 0


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if args.command == "mcp":
        from adreel_mcp.stdio import main as serve_mcp  # the SDK loads only for this command

        sys.exit(serve_mcp(args.url, args.key))
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        code = asyncio.run(generate(args, console))
    except BadChoice as exc:  # caught before anything is generated
        console.print(f"[red]error:[/] {exc}")
        code = 2
    except (ApiError, StageFailed) as exc:
        console.print(f"[red]error:[/] {exc}")
        code = 1
    except (httpx.TransportError, OSError, WebSocketException) as exc:
        console.print(f"[red]error:[/] cannot reach Adreel at {args.url} ({exc}). Is `make run` running?")
        code = 3
    except TimeoutError as exc:
        console.print(f"[red]error:[/] {exc}")
        code = 1
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
