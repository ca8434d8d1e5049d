"""Running FFmpeg (the imageio-ffmpeg wheel's binary): progress, timeouts, clean cancellation, and
an `ffmpeg` span per run (a child of the RPC's span) with the CPU, wall time and memory it used."""

from __future__ import annotations

import asyncio
import collections
import logging
import re
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
    timeout_s: float = 600.0,
) -> FFmpegRun:
    """Run `ffmpeg <args>` (see `_run_ffmpeg`) inside an `ffmpeg` span."""
    output = str(args[-1]).rsplit("/", 1)[-1] if args else ""
    with span("ffmpeg", **{"ffmpeg.output": output, "ffmpeg.expected_s": expected_s or 0.0}) as current:
        run = await _run_ffmpeg(args, expected_s=expected_s, on_progress=on_progress, timeout_s=timeout_s)
        current.set_attributes(
            {"ffmpeg.cpu_s": run.cpu_s, "ffmpeg.wall_s": run.wall_s, "ffmpeg.maxrss_kib": run.maxrss_kib}
        )
        return run


async def _run_ffmpeg(
    args: Sequence[str],
    *,
    expected_s: float | None = None,
    on_progress: Callable[[float], None] | None = None,
    timeout_s: float = 600.0,
) -> FFmpegRun:
    """Run `ffmpeg <args>`; report the fraction of `expected_s` encoded so far.

    Arguments are passed as a list (never through a shell). On cancellation or timeout the process
    is killed and reaped, so no FFmpeg outlives the request that started it.
    """
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
            if key == "out_time_us" and expected_s and on_progress and value.isdigit():
                on_progress(min(1.0, int(value) / 1e6 / expected_s))

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
