"""The FFmpeg runner, running FFmpeg: progress, its own CPU accounting, errors with the log tail,
kill on cancel."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psutil
import pytest

from services.common.ffmpeg import FFmpegError, ffmpeg_exe, run_ffmpeg
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
