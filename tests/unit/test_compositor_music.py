"""Offline music: per-genre synthesis, BS.1770 loudness, and fitting a track to the ad."""

from __future__ import annotations

import numpy as np
import pytest

from services.compositor.config import Settings
from services.compositor.loudness import integrated_lufs
from services.compositor.providers import MusicRequest, make_provider
from services.compositor.soundtrack import fit_track
from services.compositor.synth import GENRES, RATE, STYLES, synthesize


def _tempo_bpm(track: np.ndarray) -> float:
    """Tempo from the autocorrelation of the onset envelope (10 ms frames, 40-240 BPM)."""
    mono = track.mean(axis=1)
    hop = RATE // 100
    env = np.sqrt(np.add.reduceat(mono**2, np.arange(0, len(mono), hop)))
    onset = np.maximum(0.0, np.diff(env))
    onset -= onset.mean()
    ac = np.correlate(onset, onset, "full")[len(onset) - 1 :]
    lag = 25 + int(np.argmax(ac[25:150]))
    return 6000 / lag


@pytest.mark.parametrize("genre", GENRES)
def test_each_genre_is_a_real_track_at_its_tempo(genre: str) -> None:
    track = synthesize(genre, 8.0, seed=3)
    assert track.shape == (8 * RATE, 2) and track.dtype == np.float32
    assert np.abs(track).max() <= 0.9 + 1e-6
    assert np.sqrt(np.mean(track**2)) > 0.05, "not silent"
    assert not np.allclose(track[:, 0], track[:, 1]), "instruments are panned: real stereo"
    bpm, want = _tempo_bpm(track), STYLES[genre].bpm
    assert any(abs(bpm - want * k) / (want * k) < 0.04 for k in (0.5, 1, 2)), (bpm, want)
    # A bass line: real energy below 150 Hz.
    spectrum = np.abs(np.fft.rfft(track.mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(track.shape[0], 1 / RATE)
    assert spectrum[(freqs > 30) & (freqs < 150)].sum() / spectrum.sum() > 0.05


def test_deterministic_per_seed_and_distinct_per_genre_and_seed() -> None:
    a = synthesize("upbeat", 3.0, seed=11)
    assert np.array_equal(a, synthesize("upbeat", 3.0, seed=11))
    assert not np.allclose(a, synthesize("upbeat", 3.0, seed=12))
    assert not np.allclose(a, synthesize("energetic", 3.0, seed=11))


def test_loudness_matches_the_bs1770_reference() -> None:
    t = np.arange(5 * RATE) / RATE
    sine = np.sin(2 * np.pi * 1000 * t) * 10 ** (-20 / 20)  # -20 dBFS 1 kHz on both channels
    assert integrated_lufs(np.stack([sine, sine], axis=1), RATE) == pytest.approx(-20.0, abs=0.1)
    assert integrated_lufs(np.zeros((RATE, 2)), RATE) == float("-inf")


@pytest.mark.parametrize("genre", GENRES)
def test_fitted_track_is_minus_16_lufs_faded_and_exact(genre: str) -> None:
    raw = synthesize(genre, 9.5, seed=5)
    fitted = fit_track(raw, RATE, 9.5)
    assert fitted.shape == raw.shape
    assert integrated_lufs(fitted, RATE) == pytest.approx(-16.0, abs=0.5)
    assert 20 * np.log10(np.abs(fitted).max()) <= -0.9, "peaks held under -1 dBFS"
    assert np.abs(fitted[:50]).max() < 1e-3 and np.abs(fitted[-50:]).max() < 1e-3, "faded in and out"


def test_a_short_provider_track_is_looped_to_length() -> None:
    fitted = fit_track(synthesize("chill", 2.0, seed=1), RATE, 5.0)
    assert fitted.shape == (5 * RATE, 2)
    assert np.sqrt(np.mean(fitted[3 * RATE : 4 * RATE] ** 2)) > 0.03, "no silence after the original ends"


async def test_local_provider_reports_its_cost() -> None:
    provider = make_provider(Settings(engine="local"))
    track = await provider.make_music(MusicRequest("energetic", 2.0, seed=9))
    assert track.rate == RATE and track.samples.shape == (2 * RATE, 2)
    assert track.cost.provider == "local" and track.cost.model == "local/numpy-synth"
    assert track.cost.usd_micros >= 0 and track.cost.seconds > 0


def test_k_weighting_matches_the_bs1770_table_at_48k_and_works_at_any_rate() -> None:
    from services.compositor.loudness import integrated_lufs, k_weighting

    (shelf_b, shelf_a), (rlb_b, rlb_a) = k_weighting(48_000)
    np.testing.assert_allclose(shelf_b, (1.53512485958697, -2.69169618940638, 1.19839281085285), atol=1e-9)
    np.testing.assert_allclose(shelf_a, (1.0, -1.69065929318241, 0.73248077421585), atol=1e-9)
    np.testing.assert_allclose(rlb_a, (1.0, -1.99004745483398, 0.99007225036621), atol=1e-9)
    assert rlb_b == (1.0, -2.0, 1.0)
    # The same tone reads the same loudness whatever the rate (MusicGen hands us 32 kHz).
    readings = []
    for rate in (32_000, 44_100, 48_000):
        t = np.arange(3 * rate) / rate
        tone = 0.5 * np.sin(2 * np.pi * 997 * t)
        readings.append(integrated_lufs(np.stack([tone, tone], axis=1), rate))
    assert max(readings) - min(readings) < 0.05, readings
