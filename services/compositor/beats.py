"""Where a music track's beats fall, so the cuts can land on them.

The synthesiser's beats are known: `synth.STYLES[genre].bpm`, beat k at k * 60 / bpm from the
track's start (every bar's first kick is at step 0 of the bar). Any other track (a provider's, an
upload) is analysed here, numpy only:

1. Onset strength: the spectral flux of a log-compressed, mel-banded magnitude spectrogram (5 ms
   hops). Banding gives a kick's few low bins as much say as a hi-hat's thousands of high ones,
   so the beat is where the kicks and snares are, not the off-beat hats.
2. Tempo: the autocorrelation of that envelope, scored at each period of 70-180 bpm together with
   its double and quadruple (a bar's worth of beats agree with each other), under a mild preference
   for 120 bpm.
3. Phase: the comb (a pulse train at that period) that collects the most onset strength; then
   period and phase are refined together by a least-squares line through the envelope's peak next
   to each comb tooth, so the grid stays within a few milliseconds over a minute.

The result is one constant tempo, which fits produced music (a click, a loop, a drum machine);
a track without a clear pulse (a pad, speech, noise) gives None and the cuts stay where they were.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_BPM, MAX_BPM = 70.0, 180.0
PRIOR_BPM = 120.0
HOP_S = 0.005
# Onset strength on the beats against the envelope's mean: below this there is no clear pulse.
MIN_CLARITY = 1.5
_BANDS = 40
_F_LO, _F_HI = 30.0, 10_000.0
# A centred 40 ms window sees an onset's rise before the onset itself, so the flux peaks early:
# by this much on clicks and drum hits (measured), added back to every beat.
_EARLY_S = 0.013
# The envelope's autocorrelation at the beat period, below which there is no pulse to speak of.
MIN_PERIODICITY = 0.1


@dataclass(frozen=True)
class Beats:
    """A steady beat: `bpm`, and the first beat at `first_s` (0 <= first_s < one period)."""

    bpm: float
    first_s: float = 0.0

    @property
    def period_s(self) -> float:
        return 60.0 / self.bpm

    def times(self, until_s: float) -> np.ndarray:
        """Every beat from the first to `until_s` (inclusive), in seconds."""
        n = math.floor((until_s - self.first_s) / self.period_s + 1e-9) + 1
        return self.first_s + self.period_s * np.arange(max(0, n))


def _mono(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples, dtype=np.float64)
    return x.mean(axis=1) if x.ndim == 2 else x


def _mel_filters(n_fft: int, rate: int) -> np.ndarray:
    """Triangular filters on the mel scale, `_BANDS` x (n_fft // 2 + 1), each of unit area."""

    def mel(f: np.ndarray | float) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + np.asarray(f) / 700.0)

    def hz(m: np.ndarray) -> np.ndarray:
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)

    edges = hz(np.linspace(mel(_F_LO), mel(min(_F_HI, rate / 2)), _BANDS + 2))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / rate)
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (freqs - lo) / np.maximum(mid - lo, 1e-9)
    down = (hi - freqs) / np.maximum(hi - mid, 1e-9)
    bank = np.clip(np.minimum(up, down), 0.0, None)
    # A band narrower than a bin would be empty: it takes its nearest bin.
    for b in np.flatnonzero(bank.sum(axis=1) == 0):
        bank[b, np.argmin(np.abs(freqs - mid[b, 0]))] = 1.0
    return bank / bank.sum(axis=1, keepdims=True)


def onset_envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """Onset strength every HOP_S seconds: value i belongs to time i * HOP_S."""
    x = _mono(samples)
    # Everything up to _F_HI survives a decimation to >= 20 kHz (pairs averaged: a gentle low-pass).
    factor = max(1, rate // 20_000)
    if factor > 1:
        x = x[: len(x) // factor * factor].reshape(-1, factor).mean(axis=1)
        rate //= factor
    hop = rate * HOP_S
    n_fft = 2 * round(rate * 0.02)  # 40 ms: a kick's fundamental resolves
    count = math.floor(len(x) / hop) + 1
    if len(x) < n_fft:
        return np.zeros(count)
    # Centred frames: frame i covers [i * hop - n_fft / 2, i * hop + n_fft / 2).
    x = np.pad(x, (n_fft // 2, n_fft // 2 + math.ceil(hop)))
    window = np.hanning(n_fft)
    bank = _mel_filters(n_fft, rate)
    bands = np.empty((count, _BANDS))
    block = 2048  # frames at a time: bounded memory for a long track
    for start in range(0, count, block):
        first = np.round(np.arange(start, min(count, start + block)) * hop).astype(np.int64)
        spec = np.abs(np.fft.rfft(x[first[:, None] + np.arange(n_fft)[None, :]] * window, axis=1))
        bands[start : start + len(first)] = spec @ bank.T
    # Loudness-independent: compressed relative to the track's own level.
    log = np.log1p(1000.0 * bands / (bands.max() or 1.0))
    flux = np.maximum(0.0, np.diff(log, axis=0, prepend=log[:1])).sum(axis=1)
    # Only what rises above the local level is an onset (a sustained pad adds nothing).
    width = max(1, round(0.1 / HOP_S))
    local = np.convolve(flux, np.ones(2 * width + 1) / (2 * width + 1), mode="same")
    return np.maximum(0.0, flux - local)


def _autocorrelation(env: np.ndarray) -> np.ndarray:
    x = env - env.mean()
    n = 1 << math.ceil(math.log2(2 * len(x)))
    spec = np.fft.rfft(x, n)
    acf = np.fft.irfft(spec * np.conj(spec), n)[: len(x)]
    acf /= np.arange(len(x), 0, -1)  # unbiased: long lags are not penalised for having fewer terms
    return acf / (acf[0] or 1.0)


def _tempo_period(env: np.ndarray) -> float | None:
    """The beat period in hops, from the envelope's autocorrelation; None without a pulse."""
    acf = _autocorrelation(env)
    lags = np.arange(math.floor(60.0 / MAX_BPM / HOP_S), math.ceil(60.0 / MIN_BPM / HOP_S) + 1)
    if 4 * lags[-1] >= len(acf):  # too short for a bar of the slowest tempo: only what fits
        lags = lags[2 * lags < len(acf)]
    if not len(lags):
        return None

    def at(lag: np.ndarray) -> np.ndarray:
        # The best of the three nearest lags: a period that is not a whole number of hops.
        lag = np.minimum(lag, len(acf) - 2)
        return np.maximum(np.maximum(acf[lag - 1], acf[lag]), acf[lag + 1])

    score = at(lags) + 0.5 * at(np.minimum(2 * lags, len(acf) - 2))
    score += 0.25 * at(np.minimum(4 * lags, len(acf) - 2))
    bpm = 60.0 / (lags * HOP_S)
    score *= np.exp(-0.5 * (np.log2(bpm / PRIOR_BPM) / 1.0) ** 2)
    best = int(np.argmax(score))
    if at(lags[best : best + 1])[0] < MIN_PERIODICITY:
        return None
    # Sub-hop period: the parabola through the autocorrelation around the chosen lag.
    k = int(lags[best])
    k = k - 1 + int(np.argmax(acf[k - 1 : k + 2]))
    a, b, c = acf[k - 1], acf[k], acf[k + 1]
    denom = a - 2 * b + c
    return k + (0.5 * (a - c) / denom if denom < 0 else 0.0)


def _comb_phase(env: np.ndarray, period: float) -> float:
    """The offset (in hops, 0 <= phase < period) of the pulse train that collects the most onset."""
    phases = np.arange(0.0, period, 0.25)
    teeth = np.arange(0.0, len(env) - 1, period)
    pos = phases[:, None] + teeth[None, :]
    ok = pos <= len(env) - 1
    values = np.where(ok, np.interp(np.minimum(pos, len(env) - 1), np.arange(len(env)), env), 0.0)
    return float(phases[int(np.argmax(values.sum(axis=1)))])


def _peak_near(env: np.ndarray, at: float, radius: float) -> tuple[float, float]:
    """The envelope's strongest point within `radius` hops of `at` (sub-hop), and its height."""
    lo, hi = max(1, math.floor(at - radius)), min(len(env) - 2, math.ceil(at + radius))
    if hi < lo:
        return at, 0.0
    i = lo + int(np.argmax(env[lo : hi + 1]))
    a, b, c = env[i - 1], env[i], env[i + 1]
    denom = a - 2 * b + c
    return i + (0.5 * (a - c) / denom if denom < 0 else 0.0), float(b)


def _refine(env: np.ndarray, period: float, phase: float) -> tuple[float, float]:
    """Period and phase from a weighted line through the onset peak at each comb tooth."""
    for _ in range(3):
        k = np.arange(0, math.floor((len(env) - 1 - phase) / period) + 1)
        if len(k) < 3:
            break
        peaks = [_peak_near(env, phase + i * period, 0.12 * period) for i in k]
        t = np.array([p[0] for p in peaks])
        w = np.array([p[1] for p in peaks])
        if w.sum() <= 0:
            break
        # Teeth with no onset of their own (a rest) would only pull the line about.
        keep = w > 0.25 * np.median(w[w > 0]) if np.any(w > 0) else w > 0
        if keep.sum() < 3:
            break
        slope, intercept = np.polyfit(k[keep], t[keep], 1, w=np.sqrt(w[keep]))
        if not 0.9 * period < slope < 1.1 * period:
            break
        period, phase = float(slope), float(intercept)
    return period, phase % period


def detect(samples: np.ndarray, rate: int) -> Beats | None:
    """The steady beat of a track (float samples, mono or (n, channels)); None without a clear one."""
    env = onset_envelope(samples, rate)
    if len(env) < round(2 * 60.0 / MIN_BPM / HOP_S) or env.max() <= 0:
        return None
    period = _tempo_period(env)
    if period is None:
        return None
    phase = _comb_phase(env, period)
    period, phase = _refine(env, period, phase)
    teeth = np.arange(phase, len(env) - 1, period)
    on_beat = np.interp(teeth, np.arange(len(env)), env).mean()
    if on_beat < MIN_CLARITY * env.mean():
        return None
    period_s = period * HOP_S
    first = (phase * HOP_S + _EARLY_S) % period_s
    return Beats(bpm=60.0 / period_s, first_s=first)
