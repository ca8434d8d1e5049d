"""Fit any music track to the ad: loudness-normalised, faded in and out, exactly the video's length."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from services.compositor.loudness import normalise

TARGET_LUFS = -16.0
PEAK_DB = -1.0
FADE_IN_S = 0.4
FADE_OUT_S = 1.5


def fit_track(samples: np.ndarray, rate: int, seconds: float) -> np.ndarray:
    """Loop or cut to `seconds`, normalise to -16 LUFS with peaks under -1 dBFS, fade in and out."""
    n = round(seconds * rate)
    if samples.ndim == 1:
        samples = np.stack([samples, samples], axis=1)
    if samples.shape[0] < n:  # a provider's short clip repeats rather than leaving silence
        samples = np.tile(samples, (n // samples.shape[0] + 1, 1))
    out = normalise(samples[:n], rate, TARGET_LUFS, PEAK_DB).astype(np.float64)
    fade_in = min(n, int(FADE_IN_S * rate))
    fade_out = min(n, int(min(FADE_OUT_S, seconds / 4) * rate))
    out[:fade_in] *= np.linspace(0.0, 1.0, fade_in)[:, None]
    out[n - fade_out :] *= np.linspace(1.0, 0.0, fade_out)[:, None]
    return out.astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
