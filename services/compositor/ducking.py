"""The voice over the music: a sidechain compressor keyed by the voice pulls the music down while
someone speaks, then the mix is brought to -16 LUFS integrated with peaks under -1 dBFS.

Done in numpy before the single FFmpeg run (which then only encodes one track): the gain curve is
checked against the rule it serves (music at least MIN_GAP_DB under the voice while it speaks) and
deepened when a loud track needs more.
"""

from __future__ import annotations

import numpy as np

from services.compositor.loudness import integrated_lufs, normalise

TARGET_LUFS = -16.0
PEAK_DB = -1.0
# The music's level under speech, at least this far below the voice (measured as RMS in dB).
MIN_GAP_DB = 10.0
# Compressor: keyed by the voice's envelope; ratio and threshold in dBFS of the voice.
THRESHOLD_DB = -45.0
RATIO = 8.0
ATTACK_S, RELEASE_S = 0.015, 0.35
_HOP_S = 0.005


def resample(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    """Linear resampling (speech is band-limited well under both Nyquists)."""
    if rate == to:
        return samples.astype(np.float32)
    n = round(samples.shape[0] * to / rate)
    t = np.arange(n) * (rate / to)
    return np.interp(t, np.arange(samples.shape[0]), samples).astype(np.float32)


def place(voice: np.ndarray, rate: int, start_s: float, total: int) -> np.ndarray:
    """The mono voice at `start_s` on a silent track `total` samples long."""
    out = np.zeros(total, dtype=np.float32)
    a = min(total, round(start_s * rate))
    part = voice[: total - a]
    out[a : a + part.shape[0]] = part
    return out


def envelope_db(signal: np.ndarray, rate: int) -> np.ndarray:
    """Per-sample level in dBFS with attack/release smoothing (computed per 5 ms, then held)."""
    hop = max(1, int(rate * _HOP_S))
    n = -(-signal.shape[0] // hop)
    padded = np.zeros(n * hop, dtype=np.float64)
    padded[: signal.shape[0]] = signal
    rms = np.sqrt((padded.reshape(n, hop) ** 2).mean(axis=1) + 1e-12)
    att, rel = np.exp(-_HOP_S / ATTACK_S), np.exp(-_HOP_S / RELEASE_S)
    env = np.empty(n)
    level = 0.0
    for i, x in enumerate(rms):  # n is ~200 per second: a short loop
        coef = att if x > level else rel
        level = coef * level + (1 - coef) * x
        env[i] = level
    return np.repeat(20 * np.log10(np.maximum(env, 1e-9)), hop)[: signal.shape[0]]


def speaking(voice: np.ndarray, rate: int) -> np.ndarray:
    """Samples where the voice is speaking (within 30 dB of its loudest moment)."""
    env = envelope_db(voice, rate)
    return env > env.max() - 30


def gap_db(voice: np.ndarray, music: np.ndarray, mask: np.ndarray) -> float:
    """How far the music sits under the voice while it speaks (RMS over the speaking samples)."""
    if not mask.any():
        return float("inf")
    v = np.sqrt((voice[mask] ** 2).mean() + 1e-12)
    m = np.sqrt((music[mask] ** 2).mean(axis=-1 if music.ndim == 1 else None) + 1e-12)
    return float(20 * np.log10(v / m))


def duck_mix(music: np.ndarray | None, voice: np.ndarray, rate: int) -> np.ndarray:
    """Stereo (n, 2) mix of `music` (stereo, already -16 LUFS) ducked under the placed mono `voice`."""
    if music is None:
        voice = voice.astype(np.float64)
        lufs = integrated_lufs(voice[:, None], rate)
        if np.isfinite(lufs):
            voice *= 10 ** ((TARGET_LUFS - lufs) / 20)
        mixed = np.stack([voice, voice], axis=1)
        return normalise(mixed, rate, TARGET_LUFS, PEAK_DB)
    ducked, voice = duck(music, voice, rate)
    return normalise(ducked + voice[:, None], rate, TARGET_LUFS, PEAK_DB)


def duck(music: np.ndarray, voice: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(the music ducked under the voice, the voice at -16 LUFS), before they are summed."""
    voice = voice.astype(np.float64)
    lufs = integrated_lufs(voice[:, None], rate)
    if np.isfinite(lufs):
        voice *= 10 ** ((TARGET_LUFS - lufs) / 20)
    music = music.astype(np.float64)
    env = envelope_db(voice, rate)
    reduction = np.maximum(0.0, env - THRESHOLD_DB) * (1 - 1 / RATIO)
    mask = env > env.max() - 30
    ducked = music * 10 ** (-reduction / 20)[:, None]
    mono = ducked.mean(axis=1)
    # A loud track the compressor left too close: pull the music further under speech, smoothly.
    shortfall = MIN_GAP_DB + 2.0 - gap_db(voice, mono, mask)
    if shortfall > 0:
        extra = np.clip((env - THRESHOLD_DB) / 12.0, 0.0, 1.0) * shortfall
        ducked *= 10 ** (-extra / 20)[:, None]
    return ducked, voice
