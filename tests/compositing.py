"""Driving the compositor agent in tests: test clips made by FFmpeg, put in the object store as a
session's clips, a Compose request with sensible defaults, its stream read to the one result."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.ffmpeg import ffmpeg_exe
from services.common.storage import LocalStore

LANDSCAPE, PORTRAIT, SQUARE = (
    pb.OUTPUT_FORMAT_LANDSCAPE_16_9,
    pb.OUTPUT_FORMAT_PORTRAIT_9_16,
    pb.OUTPUT_FORMAT_SQUARE_1_1,
)


def make_clip(path: Path, size: str, fps: int, seconds: float, audio: bool = False) -> Path:
    args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y"]
    args += ["-f", "lavfi", "-i", f"testsrc2=s={size}:r={fps}:d={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=f=440:d={seconds}", "-c:a", "aac", "-shortest"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)]
    subprocess.run(args, check=True)
    return path


def put_clips(store: LocalStore, session: str, files: list[Path]) -> list[common_pb2.AssetRef]:
    refs = []
    for i, f in enumerate(files):
        key = f"sessions/{session}/clips/c{i}.mp4"
        dest = store.path_of(key)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dest)
        refs.append(common_pb2.AssetRef(uri=f"asset://{key}", content_type="video/mp4"))
    return refs


def request(clips: list[common_pb2.AssetRef], /, **over: object) -> pb.ComposeRequest:
    fields: dict[str, object] = {
        "session_id": "s1",
        "item_id": "final-1",
        "clips": clips,
        "intro_s": 1.0,
        "outro_s": 1.0,
        "overlay": pb.TextOverlay(
            product_name="Aurora Runner", cta="Shop now", font="inter", color="#ffcc00"
        ),
        "music": pb.Music(enabled=False),
        "transition_s": 0.5,
    }
    fields.update(over)
    return pb.ComposeRequest(**fields)  # type: ignore[arg-type]


async def compose(
    stub: pb_grpc.CompositorServiceStub, req: pb.ComposeRequest
) -> tuple[list[common_pb2.Progress], pb.ComposeResult]:
    progress, results = [], []
    async for event in stub.Compose(req, timeout=120):
        kind = event.WhichOneof("event")
        assert kind != "failure", event.failure
        (progress if kind == "progress" else results).append(getattr(event, kind))
    assert len(results) == 1
    return progress, results[0]


def video_path(store: LocalStore, asset: common_pb2.AssetRef) -> Path:
    return store.path_of(asset.uri.removeprefix("asset://"))
