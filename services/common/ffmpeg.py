"""Running FFmpeg (the imageio-ffmpeg wheel's binary): progress, timeouts, clean cancellation, and
an `ffmpeg` span per run (a child of the RPC's span) with the CPU, wall time and memory it used."""

from __future__ import annotations

import asyncio
import collections
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import imageio_ffmpeg

from services.common.errors import AgentError
from services.common.telemetry import span

log = logging.getLogger(__name__)


class FFmpegError(AgentError):
    """FFmpeg exited non-zero; the message carries the tail of its log."""


@dataclass(frozen=True)
class FFmpegRun:
    """What one FFmpeg run used, from its own `-benchmark` report (exact even when runs overlap)."""

    cpu_s: float = 0.0
    wall_s: float = 0.0
    maxrss_kib: int = 0


@dataclass(frozen=True)
class FrameProgress:
    """Where an encode stands, from FFmpeg's own `-progress` report: frames written of the total."""

    frame: int
    total: int
    # Seconds left at the rate FFmpeg has written frames so far; None until that rate is known.
    eta_s: float | None

    @property
    def fraction(self) -> float:
        return min(1.0, self.frame / self.total) if self.total > 0 else 0.0


class _FrameClock:
    """Turns `frame=` readings into monotonic FrameProgress with an ETA from the observed rate."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.frame = 0
        self._first: tuple[int, float] | None = None

    def read(self, frame: int, now: float) -> FrameProgress:
        self.frame = max(self.frame, min(frame, self.total))  # never backwards
        eta: float | None = None
        if self._first is None:
            self._first = (self.frame, now)
        else:
            f0, t0 = self._first
            if self.frame > f0 and now > t0:
                eta = (self.total - self.frame) * (now - t0) / (self.frame - f0)
        if self.frame >= self.total:
            eta = 0.0
        return FrameProgress(self.frame, self.total, eta)


_BENCH_TIMES = re.compile(r"bench: utime=([\d.]+)s stime=([\d.]+)s rtime=([\d.]+)s")
_BENCH_RSS = re.compile(r"bench: maxrss=(\d+)KiB")


@cache
def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


async def run_ffmpeg(
    args: Sequence[str],
    *,
    expected_s: float | None = None,
    on_progress: Callable[[float], None] | None = None,
    total_frames: int | None = None,
    on_frames: Callable[[FrameProgress], None] | None = None,
    timeout_s: float = 600.0,
) -> FFmpegRun:
    """Run `ffmpeg <args>` inside an `ffmpeg` span; report the fraction of `expected_s` encoded so
    far to `on_progress`, and, given `total_frames`, each `-progress` block's frame count (with an
    ETA) to `on_frames`.

    Arguments are passed as a list (never through a shell). On cancellation or timeout the process
    is killed and reaped, so no FFmpeg outlives the request that started it.
    """
    output = str(args[-1]).rsplit("/", 1)[-1] if args else ""
    report = _progress_reader(expected_s, on_progress, total_frames, on_frames)
    with span("ffmpeg", **{"ffmpeg.output": output, "ffmpeg.expected_s": expected_s or 0.0}) as current:
        run = await _run_ffmpeg(args, report, timeout_s)
        current.set_attributes(
            {"ffmpeg.cpu_s": run.cpu_s, "ffmpeg.wall_s": run.wall_s, "ffmpeg.maxrss_kib": run.maxrss_kib}
        )
        return run


def _progress_reader(
    expected_s: float | None,
    on_progress: Callable[[float], None] | None,
    total_frames: int | None,
    on_frames: Callable[[FrameProgress], None] | None,
) -> Callable[[str, str], None]:
    """What to do with each `key=value` line of FFmpeg's `-progress` report."""
    clock = _FrameClock(total_frames) if total_frames and on_frames else None
    frame = 0

    def read(key: str, value: str) -> None:
        nonlocal frame
        if key == "out_time_us" and expected_s and on_progress and value.isdigit():
            on_progress(min(1.0, int(value) / 1e6 / expected_s))
        elif key == "frame" and value.isdigit():
            frame = int(value)
        elif key == "progress" and clock is not None and on_frames is not None:
            # One report per block: `progress=` closes it (`end` on the last one).
            on_frames(clock.read(frame, time.monotonic()))

    return read


async def _run_ffmpeg(args: Sequence[str], report: Callable[[str, str], None], timeout_s: float) -> FFmpegRun:
    """FFmpeg as a child process: its `-progress` lines to `report`, its log kept for errors, its
    `-benchmark` usage read; killed and reaped on cancellation or timeout."""
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-progress",
        "pipe:1",
        "-benchmark",
        "-y",
        *args,
    ]
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    tail: collections.deque[str] = collections.deque(maxlen=30)
    usage = {"cpu_s": 0.0, "wall_s": 0.0, "maxrss_kib": 0}

    async def read_progress() -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            key, _, value = raw.decode(errors="replace").strip().partition("=")
            report(key, value)

    async def read_log() -> None:
        assert proc.stderr is not None
        async for raw in proc.stderr:
            line = raw.decode(errors="replace").rstrip()
            if m := _BENCH_TIMES.search(line):
                usage["cpu_s"] = float(m[1]) + float(m[2])
                usage["wall_s"] = float(m[3])
            elif m := _BENCH_RSS.search(line):
                usage["maxrss_kib"] = int(m[1])
            else:
                tail.append(line)

    try:
        async with asyncio.timeout(timeout_s):
            await asyncio.gather(read_progress(), read_log(), proc.wait())
    except (asyncio.CancelledError, TimeoutError):
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        raise
    if proc.returncode != 0:
        log.warning("ffmpeg failed", extra={"returncode": proc.returncode, "log": list(tail)})
        raise FFmpegError(f"ffmpeg exited with {proc.returncode}: {' | '.join(list(tail)[-5:])}")
    return FFmpegRun(float(usage["cpu_s"]), float(usage["wall_s"]), int(usage["maxrss_kib"]))
