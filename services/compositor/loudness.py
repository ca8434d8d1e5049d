"""Integrated loudness (ITU-R BS.1770-4 / EBU R128) and normalisation of a track, in numpy.

The K-weighting filter is applied in the frequency domain (its exact IIR response sampled at the
FFT bins): loudness needs the filtered energy, not a causal filter, and this keeps it vectorised.
"""

from __future__ import annotations

import functools

import numpy as np

Coefficients = tuple[tuple[float, float, float], tuple[float, float, float]]


def k_weighting(rate: int) -> tuple[Coefficients, Coefficients]:
    """BS.1770 K-weighting (high-shelf pre-filter, then the RLB high-pass) at any sample rate.

    The filters' analog parameters (as libebur128 derives them) through the bilinear transform; at
    48 kHz this reproduces the standard's coefficient table. Providers hand us 32 kHz (MusicGen),
    44.1 kHz or 48 kHz audio.
    """
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = np.tan(np.pi * f0 / rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (
        ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0),
        (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0),
    )
    f0, q = 38.13547087602444, 0.5003270373238773
    k = np.tan(np.pi * f0 / rate)
    a0 = 1 + k / q + k * k
    rlb = ((1.0, -2.0, 1.0), (1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0))
    return shelf, rlb


def _response(b: tuple[float, ...], a: tuple[float, ...], w: np.ndarray) -> np.ndarray:
    z = np.exp(-1j * w)
    return np.polyval(b[::-1], z) / np.polyval(a[::-1], z)


@functools.lru_cache(maxsize=8)
def _k_response(n: int, rate: int) -> np.ndarray:
    """The K-weighting at the rfft bins of n samples: a mix measures the same length several times."""
    w = 2 * np.pi * np.fft.rfftfreq(n)
    (shelf_b, shelf_a), (rlb_b, rlb_a) = k_weighting(rate)
    return (_response(shelf_b, shelf_a, w) * _response(rlb_b, rlb_a, w)).astype(np.complex64)


def k_weight(samples: np.ndarray, rate: int) -> np.ndarray:
    """Single precision: loudness is read to a hundredth of a LU, far above its rounding."""
    n = samples.shape[0]
    spectrum = np.fft.rfft(np.asarray(samples, dtype=np.float32), axis=0)
    return np.fft.irfft(spectrum * _k_response(n, rate)[:, None], n=n, axis=0)


def integrated_lufs(samples: np.ndarray, rate: int) -> float:
    """Gated integrated loudness of float samples shaped (n, channels); -inf for silence."""
    weighted = k_weight(samples, rate)
    block, hop = int(0.4 * rate), int(0.1 * rate)
    if weighted.shape[0] < block:
        block = hop = weighted.shape[0]
    # Every block's mean energy from one running sum (in double precision) over the channels' energy.
    energy = np.concatenate(([0.0], np.cumsum((weighted.astype(np.float64) ** 2).sum(axis=1))))
    starts = np.arange(0, weighted.shape[0] - block + 1, hop)
    power = (energy[starts + block] - energy[starts]) / block
    loud = -0.691 + 10 * np.log10(np.maximum(power, 1e-20))
    gated = power[loud > -70.0]
    if not gated.size:
        return float("-inf")
    relative = -0.691 + 10 * np.log10(gated.mean()) - 10.0
    final = power[(loud > -70.0) & (loud > relative)]
    return float(-0.691 + 10 * np.log10(final.mean()))


def soft_limit(samples: np.ndarray, ceiling: float) -> np.ndarray:
    """Leave everything below a knee alone and bend what is above it smoothly under `ceiling`."""
    knee = 0.7 * ceiling
    mag = np.abs(samples)
    over = mag > knee
    bent = knee + (ceiling - knee) * np.tanh((mag - knee) / (ceiling - knee))
    return np.where(over, np.sign(samples) * bent, samples)


def normalise(
    samples: np.ndarray, rate: int, target_lufs: float = -16.0, peak_db: float = -1.0
) -> np.ndarray:
    """Gain to `target_lufs`, peaks bent under `peak_db` dBFS; one correction pass after limiting."""
    ceiling = 10 ** (peak_db / 20)
    out = samples.astype(np.float64)
    for _ in range(2):
        lufs = integrated_lufs(out, rate)
        if not np.isfinite(lufs):
            return samples
        out = soft_limit(out * 10 ** ((target_lufs - lufs) / 20), ceiling)
    return out.astype(np.float32)
