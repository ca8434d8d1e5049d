"""SIGTERM while a stream is in flight: the agent drains (NOT_SERVING), lets the stream finish within
its grace period or cancels it cleanly (no FFmpeg left behind), and the process exits 0 within 10 s."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path

import grpc
import psutil
from grpc_health.v1 import health_pb2
from PIL import Image

from adreel.v1 import common_pb2, video_gen_pb2, video_gen_pb2_grpc
from services.common.ffmpeg import ffmpeg_exe
from stack.embedded import free_port
from tests.agents import agent_channel, health_status, spawn_agent, wait_serving


def _request(storage_dir: Path, clips: int, seconds: float) -> video_gen_pb2.GenerateClipsRequest:
    key = "sessions/stop/images/still.png"
    (storage_dir / key).parent.mkdir(parents=True, exist_ok=True)
    Image.radial_gradient("L").resize((800, 600)).convert("RGB").save(storage_dir / key)
    plan = common_pb2.ScenePlan(camera_movement=common_pb2.CAMERA_MOVEMENT_ZOOM_IN, motion_intensity=0.5)
    jobs = [
        video_gen_pb2.ClipJob(item_id=f"c{i}", image=common_pb2.AssetRef(uri=f"asset://{key}"), plan=plan)
        for i in range(clips)
    ]
    return video_gen_pb2.GenerateClipsRequest(session_id="stop", jobs=jobs, duration_s=seconds)


def _our_ffmpegs(storage_dir: Path) -> list[psutil.Process]:
    exe = ffmpeg_exe()
    found = []
    for p in psutil.process_iter(["exe", "cmdline"]):
        if p.info["exe"] == exe and any(
            str(storage_dir) in a or "adreel-clip-" in a for a in p.info["cmdline"] or []
        ):
            found.append(p)
    return found


async def _sigterm_mid_stream(
    storage_dir: Path, grace_s: float, clips: int, seconds: float
) -> tuple[list[str], grpc.StatusCode, int, float]:
    port = free_port()
    proc = spawn_agent(
        "video_gen",
        port,
        {
            "ADREEL_VIDEO_GEN_ENGINE": "local",
            "ADREEL_SHUTDOWN_GRACE_S": str(grace_s),
            "ADREEL_MAX_CONCURRENCY": "2",
        },
    )
    delivered: list[str] = []
    code = grpc.StatusCode.OK
    try:
        await wait_serving(port)
        async with agent_channel(f"127.0.0.1:{port}") as channel:
            stub = video_gen_pb2_grpc.VideoGenServiceStub(channel)
            stream = stub.GenerateClips(_request(storage_dir, clips, seconds), timeout=60)
            first = await anext(aiter(stream))  # the work is under way
            assert first.WhichOneof("event") == "progress"
            proc.send_signal(signal.SIGTERM)
            stopped_at = time.monotonic()
            # Draining: a health check now says NOT_SERVING (or the listener is already closed).
            with contextlib.suppress(grpc.aio.AioRpcError):
                assert await health_status(channel) == health_pb2.HealthCheckResponse.NOT_SERVING
            try:
                async for event in stream:
                    if event.WhichOneof("event") == "clip":
                        delivered.append(event.clip.item_id)
            except grpc.aio.AioRpcError as exc:
                code = exc.code()
        exit_code = await asyncio.to_thread(proc.wait, 10)
        return delivered, code, exit_code, time.monotonic() - stopped_at
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def test_a_short_stream_finishes_within_the_grace_period(storage_dir: Path) -> None:
    delivered, code, exit_code, took = await _sigterm_mid_stream(storage_dir, grace_s=7.0, clips=2, seconds=2)
    assert code == grpc.StatusCode.OK and sorted(delivered) == ["c0", "c1"]
    assert exit_code == 0 and took < 10
    assert all((storage_dir / f"sessions/stop/clips/{c}.mp4").stat().st_size > 0 for c in delivered)


async def test_a_long_stream_is_cancelled_cleanly_when_the_grace_runs_out(storage_dir: Path) -> None:
    delivered, code, exit_code, took = await _sigterm_mid_stream(storage_dir, grace_s=0.5, clips=8, seconds=4)
    assert code in (grpc.StatusCode.CANCELLED, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED), code
    assert len(delivered) < 8
    assert exit_code == 0 and took < 10
    await asyncio.sleep(0.2)
    assert _our_ffmpegs(storage_dir) == []  # cancelling the stream killed its encoders
    # Nothing half-written is left where a replay would find it.
    for clip in (
        (storage_dir / "sessions/stop/clips").glob("*.mp4")
        if (storage_dir / "sessions/stop/clips").exists()
        else []
    ):
        assert clip.name.removesuffix(".mp4") in delivered or clip.stat().st_size > 0
