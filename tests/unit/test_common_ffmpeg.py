"""The FFmpeg runner: progress, its own CPU accounting, errors with the log tail, kill on cancel;
the frame clock behind its progress and ETA."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psutil
import pytest

from services.common.ffmpeg import FFmpegError, FrameProgress, _FrameClock, ffmpeg_exe, run_ffmpeg
from services.common.media import probe


async def test_encodes_reports_progress_and_cpu(tmp_path: Path) -> None:
    out = tmp_path / "t.mp4"
    seen: list[float] = []
    run = await run_ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            "testsrc2=s=320x240:r=30:d=2",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            str(out),
        ],
        expected_s=2.0,
        on_progress=seen.append,
    )
    info = probe(out)
    assert (info.width, info.height, round(info.fps)) == (320, 240, 30)
    assert abs(info.duration_s - 2.0) < 0.05
    assert seen and seen[-1] == pytest.approx(1.0, abs=0.05)
    assert run.cpu_s > 0 and run.wall_s > 0 and run.maxrss_kib > 0


async def test_failure_carries_the_log_tail(tmp_path: Path) -> None:
    with pytest.raises(FFmpegError) as err:
        await run_ffmpeg(["-i", str(tmp_path / "missing.mp4"), str(tmp_path / "o.mp4")])
    assert "missing.mp4" in err.value.message


async def test_cancellation_kills_ffmpeg(tmp_path: Path) -> None:
    task = asyncio.create_task(
        run_ffmpeg(["-re", "-f", "lavfi", "-i", "testsrc2=d=60", "-f", "null", "-"], timeout_s=120)
    )
    await asyncio.sleep(0.5)
    exe = ffmpeg_exe()
    assert any(p.info["exe"] == exe for p in psutil.process_iter(["exe"]))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not any(
        p.info["exe"] == exe and p.ppid() == psutil.Process().pid for p in psutil.process_iter(["exe"])
    )


def test_frame_clock_is_monotonic_and_estimates_from_its_rate() -> None:
    clock = _FrameClock(300)
    assert clock.read(30, now=10.0) == FrameProgress(30, 300, None)
    # 60 frames in 2 s -> 30 fps -> 210 frames left take 7 s.
    assert clock.read(90, now=12.0) == FrameProgress(90, 300, pytest.approx(7.0))
    assert clock.read(80, now=13.0).frame == 90, "a smaller reading never moves it back"
    assert clock.read(400, now=14.0) == FrameProgress(300, 300, 0.0)
    assert FrameProgress(150, 300, None).fraction == 0.5
