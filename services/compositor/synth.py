"""Offline music: a small arranged track per genre, synthesised with numpy.

Every genre has its own tempo, mode, chord progression, drum pattern, bass line and lead (an
arpeggio or a sparse melody). The key, voicings and melody come from a seeded generator, so the
same session and product always get the same track. Output: float32 stereo at `RATE`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATE = 48_000
GENRES = ("upbeat", "chill", "energetic")

_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MINOR = (0, 2, 3, 5, 7, 8, 10)


@dataclass(frozen=True)
class Style:
    bpm: float
    scale: tuple[int, ...]
    # Scale degrees (0-based) of the chord roots, one chord per bar.
    progression: tuple[int, ...]
    sevenths: bool
    # Sixteenth-note steps (0-15) of each drum per bar.
    kick: tuple[int, ...]
    snare: tuple[int, ...]
    hats: tuple[int, ...]
    # Sixteenth steps where the bass plays, and how long each bass note lasts (in sixteenths).
    bass_steps: tuple[int, ...]
    bass_len: int
    lead: str  # "arp" (chord tones on every step of `lead_every`) or "melody" (sparse, seeded)
    lead_every: int
    swing: float
    levels: dict[str, float]


STYLES: dict[str, Style] = {
    # I-V-vi-IV, bright plucked arpeggio, four-on-the-floor with off-beat hats.
    "upbeat": Style(
        bpm=116,
        scale=_MAJOR,
        progression=(0, 4, 5, 3),
        sevenths=False,
        kick=(0, 4, 8, 12),
        snare=(4, 12),
        hats=(2, 6, 10, 14),
        bass_steps=(0, 2, 4, 6, 8, 10, 12, 14),
        bass_len=2,
        lead="arp",
        lead_every=2,
        swing=0.0,
        levels={"kick": 0.9, "snare": 0.45, "hats": 0.18, "bass": 0.5, "pad": 0.16, "lead": 0.3},
    ),
    # ii-V-I-vi with sevenths, laid-back swung hats, soft kick, a sparse seeded melody.
    "chill": Style(
        bpm=84,
        scale=_MAJOR,
        progression=(1, 4, 0, 5),
        sevenths=True,
        kick=(0, 10),
        snare=(8,),
        hats=(0, 2, 4, 6, 8, 10, 12, 14),
        bass_steps=(0, 8),
        bass_len=7,
        lead="melody",
        lead_every=2,
        swing=0.12,
        levels={"kick": 0.7, "snare": 0.25, "hats": 0.1, "bass": 0.5, "pad": 0.24, "lead": 0.28},
    ),
    # i-VI-III-VII in minor, driving sixteenth bass and arpeggio, busy hats.
    "energetic": Style(
        bpm=140,
        scale=_MINOR,
        progression=(0, 5, 2, 6),
        sevenths=False,
        kick=(0, 4, 8, 12, 14),
        snare=(4, 12),
        hats=tuple(range(16)),
        bass_steps=(2, 3, 6, 7, 10, 11, 14, 15),
        bass_len=1,
        lead="arp",
        lead_every=1,
        swing=0.0,
        levels={"kick": 1.0, "snare": 0.55, "hats": 0.12, "bass": 0.45, "pad": 0.12, "lead": 0.22},
    ),
}


def _hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def _t(seconds: float) -> np.ndarray:
    return np.arange(max(1, int(seconds * RATE))) / RATE


def _env(n: int, attack_s: float, decay_per_s: float) -> np.ndarray:
    t = np.arange(n) / RATE
    return np.minimum(1.0, t / max(attack_s, 1e-4)) * np.exp(-decay_per_s * t)


def _release(sig: np.ndarray, release_s: float = 0.02) -> np.ndarray:
    r = min(len(sig), int(release_s * RATE))
    if r:
        sig[-r:] *= np.linspace(1.0, 0.0, r)
    return sig


def _pluck(freq: float, dur: float) -> np.ndarray:
    t = _t(dur)
    sig = sum(np.sin(2 * np.pi * freq * k * t) * np.exp(-t * 6 * k) / k for k in range(1, 6))
    return _release(np.asarray(sig) * np.minimum(1.0, t / 0.003))


def _keys(freq: float, dur: float) -> np.ndarray:
    # Two-operator FM: a soft electric-piano tone for the chill melody.
    t = _t(dur)
    mod = 1.2 * np.exp(-t * 3) * np.sin(2 * np.pi * freq * 2 * t)
    return _release(np.sin(2 * np.pi * freq * t + mod) * _env(len(t), 0.005, 2.2))


def _pad(freqs: list[float], dur: float) -> np.ndarray:
    t = _t(dur)
    sig = np.zeros_like(t)
    for f in freqs:
        for detune in (0.997, 1.003):
            # A band-limited saw (few harmonics) is warm and never aliases.
            sig += sum(np.sin(2 * np.pi * f * detune * k * t) / k for k in range(1, 5))
    swell = np.minimum(1.0, t / 0.25) * np.minimum(1.0, (dur - t) / 0.25).clip(0)
    return sig * swell / (2 * len(freqs))


def _bass(freq: float, dur: float) -> np.ndarray:
    t = _t(dur)
    sig = np.sin(2 * np.pi * freq * t) + 0.35 * np.sin(2 * np.pi * 2 * freq * t)
    return _release(np.tanh(1.5 * sig) * _env(len(t), 0.004, 1.5))


def _kick(rng: np.random.Generator) -> np.ndarray:
    t = _t(0.35)
    freq = 45 + 85 * np.exp(-t * 30)
    phase = 2 * np.pi * np.cumsum(freq) / RATE
    return np.sin(phase) * np.exp(-t * 9) + 0.2 * rng.standard_normal(len(t)) * np.exp(-t * 300)


def _snare(rng: np.random.Generator) -> np.ndarray:
    t = _t(0.22)
    noise = np.diff(rng.standard_normal(len(t) + 1))  # differencing tilts the noise bright
    return 0.6 * noise * np.exp(-t * 18) + 0.5 * np.sin(2 * np.pi * 190 * t) * np.exp(-t * 30)


def _hat(rng: np.random.Generator) -> np.ndarray:
    t = _t(0.06)
    noise = np.diff(np.diff(rng.standard_normal(len(t) + 2)))
    return 0.5 * noise * np.exp(-t * 70)


def _add(buf: np.ndarray, sig: np.ndarray, at_s: float, gain: float, pan: float) -> None:
    start = int(at_s * RATE)
    if start >= len(buf):
        return
    sig = sig[: len(buf) - start] * gain
    # Constant-power pan, -1 (left) to 1 (right).
    angle = (pan + 1) * np.pi / 4
    buf[start : start + len(sig), 0] += sig * np.cos(angle)
    buf[start : start + len(sig), 1] += sig * np.sin(angle)


def _chord(style: Style, root_midi: int, degree: int) -> list[int]:
    scale = style.scale
    tones = (0, 2, 4, 6) if style.sevenths else (0, 2, 4)
    out = []
    for step in tones:
        d = degree + step
        out.append(root_midi + scale[d % 7] + 12 * (d // 7))
    return out


def synthesize(genre: str, seconds: float, seed: int) -> np.ndarray:
    """`seconds` of the genre's track (plus nothing more), float32 stereo, peak-normalised to 0.9."""
    style = STYLES[genre]
    rng = np.random.default_rng(seed)
    root = 45 + int(rng.integers(0, 7))  # A2..D#3: the key of this session's track
    sixteenth = 60.0 / style.bpm / 4
    bar_s = 16 * sixteenth
    buf = np.zeros((int(seconds * RATE) + 1, 2))
    lv = style.levels
    drums = {"kick": _kick(rng), "snare": _snare(rng), "hats": _hat(rng)}
    hat_gains = 0.6 + 0.4 * rng.random(16)
    melody_steps = sorted(rng.choice(np.arange(0, 16, 2), size=4, replace=False).tolist())

    def at(bar: int, step: int) -> float:
        swing = style.swing * sixteenth if step % 2 else 0.0
        return bar * bar_s + step * sixteenth + swing

    for bar in range(int(np.ceil(seconds / bar_s))):
        chord = _chord(style, root + 12, style.progression[bar % len(style.progression)])
        _add(buf, _pad([_hz(m) for m in chord], bar_s), at(bar, 0), lv["pad"], 0.0)
        for step in style.kick:
            _add(buf, drums["kick"], at(bar, step), lv["kick"], 0.0)
        for step in style.snare:
            _add(buf, drums["snare"], at(bar, step), lv["snare"], 0.1)
        for step in style.hats:
            _add(buf, drums["hats"], at(bar, step), lv["hats"] * hat_gains[step], 0.35)
        for i, step in enumerate(style.bass_steps):
            note = chord[0] - 12 + (12 if style.bass_len == 1 and i % 2 else 0)
            _add(buf, _bass(_hz(note), style.bass_len * sixteenth), at(bar, step), lv["bass"], -0.05)
        if style.lead == "arp":
            tones = [*chord, chord[0] + 12, chord[1] + 12]
            pattern = tones + tones[-2:0:-1]
            for n, step in enumerate(range(0, 16, style.lead_every)):
                freq = _hz(pattern[(n + bar) % len(pattern)] + 12)
                pan = -0.4 if n % 2 else 0.4
                _add(buf, _pluck(freq, style.lead_every * sixteenth * 1.5), at(bar, step), lv["lead"], pan)
        else:
            pentatonic = [style.scale[i] for i in (0, 1, 2, 4, 5)]
            for step in melody_steps:
                note = root + 24 + pentatonic[int(rng.integers(0, 5))] + 12 * int(rng.integers(0, 2))
                _add(buf, _keys(_hz(note), 4 * sixteenth), at(bar, step), lv["lead"], 0.25)
    buf = buf[: int(seconds * RATE)]
    peak = float(np.abs(buf).max()) or 1.0
    return (buf * (0.9 / peak)).astype(np.float32)
