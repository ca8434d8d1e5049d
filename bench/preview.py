"""Preview benchmark: the same 10 s timeline composed as the final (1080p30) and as the free 480p
animatic, side by side in one run.

    .venv/bin/python -m bench.preview [--repeat N]

The timeline is bench.compose's: 4 clips of 1024x576 (30 fps, 2.5 s each), 1.0 s intro card,
1.5 s outro card, 0.5 s cross-fades, product name + CTA, synthesised music, each rendered through
the compositor's own code path (probe, music, cards, one FFmpeg run, storage). A third row plays the
same timeline from four 1024x1024 stills with their camera moves (the preview before clips exist).
Each run happens in a fresh process, the runs interleaved so load hits all alike; the fastest counts.
Goal: preview / final < 0.2 (wall).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from bench.phases import phase_parser, run_phase
from services.common.ffmpeg import ffmpeg_exe
from services.common.storage import LocalStore
from services.compositor.config import Settings
from services.compositor.providers import make_provider
from services.compositor.render import Composer
from services.compositor.validation import parse_request

CLIPS, CLIP_S, INTRO_S, OUTRO_S, TRANSITION_S = 4, 2.5, 1.0, 1.5, 0.5
MOVES = (
    common_pb2.CAMERA_MOVEMENT_ZOOM_IN,
    common_pb2.CAMERA_MOVEMENT_PAN_RIGHT,
    common_pb2.CAMERA_MOVEMENT_TILT_UP,
    common_pb2.CAMERA_MOVEMENT_ORBIT,
)


def _make_inputs(storage: Path) -> None:
    for i in range(CLIPS):
        base = storage / "sessions/bench"
        (base / "clips").mkdir(parents=True, exist_ok=True)
        (base / "images").mkdir(parents=True, exist_ok=True)
        clip = f"testsrc2=s=1024x576:r=30:d={CLIP_S},hue=h={i * 70}"
        _ffmpeg(
            ["-f", "lavfi", "-i", clip, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16"],
            base / f"clips/c{i}.mp4",
        )
        still = f"testsrc2=s=1024x1024:r=1:d=1,hue=h={i * 70}"
        _ffmpeg(["-f", "lavfi", "-i", still, "-frames:v", "1"], base / f"images/i{i}.png")  # fmt: skip


def _ffmpeg(args: list[str], out: Path) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args, str(out)], check=True)


def _request(kind: str) -> pb.ComposeRequest:
    req = pb.ComposeRequest(
        session_id="bench",
        item_id=f"{kind}-{time.monotonic_ns()}",
        intro_s=INTRO_S,
        outro_s=OUTRO_S,
        overlay=pb.TextOverlay(product_name="Aurora Runner", cta="Shop now", font="inter", color="#ffcc00"),
        music=pb.Music(enabled=True, genre=pb.MUSIC_GENRE_UPBEAT),
        transition_s=TRANSITION_S,
        preview=kind != "final",
    )
    if kind == "stills":
        for i, move in enumerate(MOVES):
            image = common_pb2.AssetRef(uri=f"asset://sessions/bench/images/i{i}.png")
            req.stills.add(image=image, camera_movement=move, motion_intensity=0.6, duration_s=CLIP_S)
    else:
        req.clips.extend(
            common_pb2.AssetRef(uri=f"asset://sessions/bench/clips/c{i}.mp4") for i in range(CLIPS)
        )
    return req


async def _run(storage: Path, kind: str) -> dict[str, float]:
    settings = Settings(storage_dir=storage, engine="local")
    composer = Composer(LocalStore(storage), settings, make_provider(settings))
    start = time.perf_counter()
    async with AsyncExitStack() as stack:
        spec = parse_request(_request(kind))
        clips = await composer.open_clips(spec, stack)
        result = await composer.render(spec, clips, composer.timeline(spec, clips), lambda *_: None)
    video = result.videos[0].asset
    return {
        "wall_s": time.perf_counter() - start,
        "usd_micros": result.cost.usd_micros,
        "duration_s": video.duration_s,
        "size": f"{video.width}x{video.height}",  # type: ignore[dict-item]
        "mb": video.bytes / 1e6,
    }


def _phase(kind: str, storage: Path) -> dict[str, float]:
    return run_phase("bench.preview", kind, storage)


def main() -> None:
    args = phase_parser(__doc__, ["final", "preview", "stills"]).parse_args()
    if args.phase:
        print(json.dumps(asyncio.run(_run(args.work, args.phase))))
        return

    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        storage = Path(tmp) / "storage"
        print(f"making inputs: {CLIPS} clips of 1024x576 30 fps and {CLIPS} 1024x1024 stills ...", flush=True)
        _make_inputs(storage)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"the same 10 s timeline, best of {args.repeat}; load average {load} on {os.cpu_count()} CPUs")
        kinds = ["final", "preview", "stills"]
        runs: dict[str, list[dict[str, float]]] = {k: [] for k in kinds}
        for _ in range(max(1, args.repeat)):
            for kind in kinds:
                runs[kind].append(_phase(kind, storage))
        best = {k: min(r, key=lambda x: x["wall_s"]) for k, r in runs.items()}
        labels = {"final": "final (1080p)", "preview": "preview, clips", "stills": "preview, stills"}
        for kind in kinds:
            r = best[kind]
            print(
                f"{labels[kind]:16} {r['wall_s']:6.2f} s  {r['size']:>9}  {r['duration_s']:.2f} s"
                f"  {r['mb']:5.1f} MB  cost {r['usd_micros']} usd_micros"
            )
        final = best["final"]["wall_s"]
        for kind in ("preview", "stills"):
            print(f"{labels[kind]} / final:  {best[kind]['wall_s'] / final:.3f}   goal < 0.2")


if __name__ == "__main__":
    main()
