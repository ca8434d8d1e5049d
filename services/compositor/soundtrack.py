"""Fit any music track to the ad: loudness-normalised, faded in and out, exactly the video's length,
and say where its beats fall on the ad's clock (the synthesiser's are known, any other is detected)."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import av
import numpy as np

from services.compositor.beats import Beats, detect
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


def loop_on_beats(samples: np.ndarray, rate: int, seconds: float, beats: Beats) -> np.ndarray:
    """A track shorter than `seconds`, lengthened so its beat carries on across every seam: from
    its first beat it repeats in whole bars (whole beats when it is shorter than a bar)."""
    n = round(seconds * rate)
    if samples.shape[0] >= n:
        return samples
    period = beats.period_s * rate
    start = round(beats.first_s * rate)
    whole = math.floor((samples.shape[0] - start) / period)
    if whole < 1:
        return samples  # not a beat long: fit_track repeats it as it is
    loop = round((whole // 4 * 4 or whole) * period)
    unit = samples[start : start + loop]
    repeats = math.ceil((n - start - loop) / loop)
    return np.concatenate([samples[: start + loop], *([unit] * repeats)])[:n]


def fit_with_beats(
    samples: np.ndarray, rate: int, seconds: float, bpm: float = 0.0
) -> tuple[np.ndarray, Beats | None]:
    """The track fitted to the ad, and its beats on the ad's clock (the track starts at 0).

    `bpm` > 0: the engine knows its beat (the synthesiser: beat k at k * 60 / bpm). Otherwise the
    part of the track that plays is analysed (beats.detect); a short track is repeated on its beats.
    None when it has no clear beat.
    """
    if bpm > 0:
        beats: Beats | None = Beats(bpm)
    else:
        beats = detect(samples[: round(seconds * rate)], rate)
        if beats is not None:
            samples = loop_on_beats(samples, rate, seconds, beats)
    return fit_track(samples, rate, seconds), beats


def read_track(path: Path, max_s: float) -> tuple[np.ndarray, int]:
    """An audio file's first `max_s` seconds (all of it when shorter) as float32 (n, 2), and its rate."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
        want, have, chunks = round(max_s * rate), 0, []
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
                have += out.samples
            if have >= want:
                break
        else:
            chunks += [out.to_ndarray() for out in resampler.resample(None)]
    if not chunks:
        return np.zeros((0, 2), np.float32), rate
    return np.concatenate(chunks, axis=1).T[:want].astype(np.float32), rate
