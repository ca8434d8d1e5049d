"""Benchmark the offline video engine: seconds per 3 s clip and realtime factor.

    python -m bench.clip            (from the repository root)

1. One clip at a time through the engine (every camera move once): wall and CPU seconds per clip.
2. A batch of clips through the real gRPC agent at its default concurrency: clips per minute.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adreel.v1 import common_pb2, video_gen_pb2, video_gen_pb2_grpc
from services.common.costs import Stopwatch
from services.common.media import probe
from services.common.server import AgentServer
from services.common.storage import LocalStore
from services.video_gen.config import Settings
from services.video_gen.providers import ClipRequest
from services.video_gen.providers.local import LocalProvider
from services.video_gen.server import build
from tests.agents import agent_channel

DURATION = 3.0
M = common_pb2.CameraMovement
MOVES = [m for m in M.values() if m != M.CAMERA_MOVEMENT_UNSPECIFIED]


def product_still(path: Path) -> None:
    """A 1344x768 studio-like still: soft gradient backdrop, a shaded product shape, some detail."""
    w, h = 1344, 768
    y = np.linspace(0, 1, h)[:, None, None]
    backdrop = (np.array([236, 232, 226]) * (1 - 0.25 * y)).repeat(w, axis=1).astype(np.uint8)
    im = Image.fromarray(backdrop, "RGB")
    draw = ImageDraw.Draw(im)
    draw.ellipse((420, 600, 920, 680), fill=(170, 165, 160))  # shadow
    draw.rounded_rectangle((500, 180, 840, 630), radius=60, fill=(40, 90, 160), outline=(20, 40, 80), width=6)
    for i in range(8):
        draw.line((520, 240 + 45 * i, 820, 240 + 45 * i), fill=(220, 220, 230), width=3)
    im.save(path)


async def single_clips(store_dir: Path, still: Path) -> list[tuple[str, float, float]]:
    provider = LocalProvider(Settings(storage_dir=store_dir, engine="local"))
    await provider.warmup()
    rows = []
    for movement in MOVES:
        out = store_dir / f"{M.Name(movement)}.mp4"
        request = ClipRequest(still, "asset://bench/still.png", movement, 0.7, DURATION, 1, "", "")
        with Stopwatch() as sw:
            await provider.render(request, out, lambda _f: None)
        info = probe(out)
        assert (info.width, info.height, info.fps) == (1024, 576, 30.0)
        rows.append((M.Name(movement).removeprefix("CAMERA_MOVEMENT_").lower(), sw.wall_s, sw.cpu_s))
    return rows


async def batch(store_dir: Path, still: Path, count: int) -> tuple[float, int, int]:
    """Wall seconds for `count` clips through the agent, clips delivered, and the concurrency."""
    await LocalStore(store_dir).put_file("sessions/bench/images/still.png", still, "image/png")
    agent, settings = build(Settings(storage_dir=store_dir, engine="local", port=0, host="127.0.0.1"))
    server = AgentServer(agent, settings)
    await server.start()
    await server.ready.wait()
    request = video_gen_pb2.GenerateClipsRequest(
        session_id="bench",
        duration_s=DURATION,
        jobs=[
            video_gen_pb2.ClipJob(
                item_id=f"c{i}",
                image=common_pb2.AssetRef(uri="asset://sessions/bench/images/still.png"),
                plan=common_pb2.ScenePlan(camera_movement=MOVES[i % len(MOVES)], motion_intensity=0.7),
            )
            for i in range(count)
        ],
    )
    try:
        async with agent_channel(f"127.0.0.1:{server.port}") as channel:
            stub = video_gen_pb2_grpc.VideoGenServiceStub(channel)
            started = time.perf_counter()
            clips = [e async for e in stub.GenerateClips(request) if e.HasField("clip")]
            return time.perf_counter() - started, len(clips), settings.max_concurrency
    finally:
        await server.stop(0)


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="adreel-bench-") as tmp:
        root = Path(tmp)
        still = root / "still.png"
        product_still(still)
        rows = await single_clips(root, still)
        print(f"one {DURATION:g} s clip at a time (1024x576, 30 fps, preset veryfast):")
        for name, wall, cpu in rows:
            print(f"  {name:<10} {wall:5.2f} s wall  {cpu:5.2f} s CPU  realtime x{DURATION / wall:4.1f}")
        walls = [w for _, w, _ in rows]
        mean = statistics.mean(walls)
        print(f"  mean       {mean:5.2f} s per clip  realtime factor x{DURATION / mean:.1f}")
        count = 6
        seconds, delivered, concurrency = await batch(root, still, count)
        print(
            f"batch of {count} over gRPC, {concurrency} at a time: {delivered} delivered in {seconds:.2f} s"
        )
        print(
            f"  {seconds / count:.2f} s per clip  {60 * count / seconds:.0f} clips/min  "
            f"realtime factor x{count * DURATION / seconds:.1f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
