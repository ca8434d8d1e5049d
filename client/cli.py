"""`adreel generate "product" --scene "..." --out ad.mp4`: the whole journey from a terminal;
`adreel batch products.csv --budget 20`: one ad per row; `adreel login --key`: keep an API key;
`adreel mcp`: the MCP server over stdio.

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

from client import credentials
from client.api import DEMO_EMAIL, DEMO_PASSWORD, AdreelClient, ApiError, StageFailed
from client.batch import run_batch
from client.credentials import DEFAULT_URL
from client.journey import AdSpec, BadChoice, run_journey
from client.models import Event

# Where each step sits in the session's overall progress (PRD 9.2).
_BARS = {"images": ("Images", 0, 50), "clips": ("Clips", 50, 90), "compose": ("Final video", 90, 100)}


def parser() -> argparse.ArgumentParser:
    server = argparse.ArgumentParser(add_help=False)
    server.add_argument(
        "--url", default=None, help=f"the gateway (default: ADREEL_URL, saved, {DEFAULT_URL})"
    )
    server.add_argument(
        "--key", default=None, help="API key (default: ADREEL_API_KEY or `adreel login --key`)"
    )
    server.add_argument("--email", default=DEMO_EMAIL, help="account without a key (default: the demo user)")
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
    gen.add_argument(
        "--cta", help='call to action on the outro card (default "Shop Now", or the --brand kit\'s own)'
    )
    gen.add_argument("--font", help="font id (GET /api/fonts), e.g. inter")
    gen.add_argument("--color", help="text colour, #rrggbb")
    gen.add_argument("--music", action=argparse.BooleanOptionalAction, default=True, help="background music")
    gen.add_argument("--genre", choices=("upbeat", "chill", "energetic"), default="upbeat")
    gen.add_argument(
        "--music-file",
        type=Path,
        metavar="PATH",
        help="your own track as the music (WAV, MP3, FLAC, Ogg, M4A; 1 s-10 min; 20 MB): cut or repeated "
        "to the ad's length, the cuts on its beat",
    )
    gen.add_argument("--duration", type=float, default=3.0, help="seconds per clip (2-4)")
    gen.add_argument(
        "--voice",
        help="speak a voiceover in this voice, e.g. joe offline or af_bella on Replicate (GET /api/voices); "
        "the script is suggested",
    )
    gen.add_argument(
        "--video-model",
        default="",
        help="Replicate image-to-video model: wan-2.2-fast (default), kling-2.1, seedance-lite, "
        "seedance-pro, veo-3.1-fast or svd",
    )
    gen.add_argument(
        "--music-model",
        choices=("stable-audio-2.5", "musicgen"),
        help="Replicate music model; musicgen's licence (CC-BY-NC) forbids commercial use",
    )
    gen.add_argument("--script", help="the voiceover's words instead of the suggestion (with --voice)")
    gen.add_argument("--speed", type=float, default=1.0, help="voiceover pace, 0.7-1.5")
    gen.add_argument(
        "--captions",
        choices=("none", "phrase", "highlight"),
        default="none",
        help="word-timed captions of the voiceover (needs --voice); saved as .vtt/.srt beside the MP4",
    )
    gen.add_argument(
        "--brand",
        metavar="KIT_ID",
        help="a brand kit of yours: its colour and font draw the texts, its secondary colour is the CTA's "
        "button, its CTA is the default",
    )
    gen.add_argument(
        "--logo",
        choices=("none", "top_left", "top_right", "bottom_left", "bottom_right"),
        default="none",
        help="put the brand kit's logo in this corner (needs --brand)",
    )
    gen.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=("16:9", "9:16", "1:1"),
        help="aspect ratio; repeat for several (default 16:9)",
    )
    batch = commands.add_parser("batch", parents=[server], help="many ads from a CSV, under a budget")
    batch.add_argument("csv", type=Path, help="a header line (product,scene,...) then one ad per line")
    batch.add_argument("--budget", type=float, required=True, help="the most the batch may spend, USD")
    batch.add_argument("--name", help="the batch's name (default: the file's)")
    batch.add_argument("--webhook", help="POST signed per-ad and per-batch events here")
    batch.add_argument("--out", type=Path, help="where to save the ZIP of the finals")
    login = commands.add_parser("login", help="keep an API key for the CLI and `adreel mcp`")
    login.add_argument("--key", required=True, help="an API key (web app: API keys; or POST /api/api-keys)")
    login.add_argument("--url", default=None, help=f"the gateway (default: ADREEL_URL or {DEFAULT_URL})")
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
        cta=args.cta if args.cta is not None else None if args.brand else "Shop Now",
        font=args.font,
        color=args.color,
        music=args.music,
        genre=args.genre,
        music_file=args.music_file,
        music_model=args.music_model,
        video_model=args.video_model,
        clip_duration=args.duration,
        formats=args.formats or ["16:9"],
        voice=args.voice,
        script=args.script,
        speed=args.speed,
        captions=args.captions,
        brand=args.brand,
        logo=args.logo,
    )
    if (args.captions != "none" or args.script) and not args.voice:
        raise SystemExit("--captions and --script need --voice")
    if args.logo != "none" and not args.brand:
        raise SystemExit("--logo needs --brand")
    spec.check()
    async with AdreelClient(args.url) as client:
        await sign_in(client, args)
        columns = (TextColumn("{task.description:<60}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"))
        with Progress(*columns, TimeElapsedColumn(), console=console, transient=False) as progress:
            bars = ProgressBars(progress)
            result = await run_journey(client, spec, on_event=bars.event, on_step=bars.step)
            bars.step("done")
    for path in result.files[len(result.videos) :]:
        console.print(f"Saved captions {path}")
    for video, path in zip(result.videos, result.files, strict=False):
        console.print(
            f"Saved {path} ({video.resolution}, {video.fps} fps, {video.duration:.1f} s, "
            f"{video.file_size_mb:.1f} MB)"
        )
    console.print(f"Session {result.session_id}, cost ${result.total_cost:.2f}")
    return 0


async def sign_in(client: AdreelClient, args: argparse.Namespace) -> None:
    """With an API key when there is one (--key, ADREEL_API_KEY, `adreel login --key`), else the
    account's email and password."""
    if key := args.key or credentials.load().api_key:
        client.token = key
    else:
        await client.login(args.email, args.password)


async def batch(args: argparse.Namespace, console: Console) -> int:
    if not args.csv.is_file():
        raise BadChoice(f"csv: no file {args.csv}")
    async with AdreelClient(args.url) as client:
        await sign_in(client, args)
        return await run_batch(
            client, args.csv, args.budget, console, name=args.name, webhook_url=args.webhook, out=args.out
        )


async def login(args: argparse.Namespace, console: Console) -> int:
    async with AdreelClient(args.url) as client:
        client.token = args.key
        await client.sessions()  # refused (401) unless the key is live
    path = credentials.save(args.url, args.key)
    console.print(f"Key saved to {path}; `adreel generate`, `adreel batch` and `adreel mcp` use it.")
    return 0


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    if getattr(args, "url", "") is None:
        args.url = credentials.load().url
    if args.command == "mcp":
        from adreel_mcp.stdio import main as serve_mcp  # the SDK loads only for this command

        sys.exit(serve_mcp(args.url, args.key))
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        command = {"generate": generate, "batch": batch, "login": login}[args.command]
        code = asyncio.run(command(args, console))
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
