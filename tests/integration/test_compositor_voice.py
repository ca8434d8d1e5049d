"""The offline voice (Piper, run as its own process) and the sidechain ducking of music under it:
real speech, real synthesised music, measured."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from services.compositor.ducking import MIN_GAP_DB, duck, duck_mix, gap_db, place, resample, speaking
from services.compositor.loudness import integrated_lufs
from services.compositor.providers import MusicRequest
from services.compositor.providers.local import LocalMusic
from services.compositor.soundtrack import fit_track
from services.compositor.voice import Speech, speak

SCRIPT = "Meet Aurora Runner. Light, fast, and made for the track. Shop now!"


@pytest.fixture(scope="module")
def speech() -> Speech:
    return asyncio.run(speak(SCRIPT))


async def test_piper_speaks_every_word_in_order_with_measured_times(speech: Speech) -> None:
    assert speech.rate == 22050 and 2.0 < speech.duration_s < 8.0
    assert [w.text for w in speech.words] == SCRIPT.split()
    starts = [w.start for w in speech.words]
    assert starts == sorted(starts) and all(w.end > w.start for w in speech.words)

    # Every word's window holds speech: its energy is far above the silence around the script.
    def rms(a: float, b: float) -> float:
        return float(np.sqrt((speech.samples[int(a * speech.rate) : int(b * speech.rate)] ** 2).mean()))

    floor = max(rms(0, 0.02), 1e-4)
    for w in speech.words:
        assert rms(w.start, w.end) > 10 * floor, w


async def test_music_ducks_under_the_voice_and_the_mix_is_minus_16_lufs(speech: Speech) -> None:
    rate, seconds = 48000, 8.0
    track = await LocalMusic().make_music(MusicRequest("energetic", seconds, 7))
    music = fit_track(track.samples, track.rate, seconds)
    music = np.stack([resample(music[:, c], track.rate, rate) for c in range(2)], axis=1)
    voice = place(resample(speech.samples, speech.rate, rate), rate, 1.0, music.shape[0])
    ducked, loud_voice = duck(music, voice, rate)
    mask = speaking(loud_voice, rate)
    assert mask.mean() > 0.2
    # The level difference while the voice speaks, and the music left alone where it does not.
    assert gap_db(loud_voice, ducked.mean(axis=1), mask) >= MIN_GAP_DB
    before = slice(0, int(0.8 * rate))
    assert np.allclose(ducked[before], music[before], atol=1e-6)
    under = 20 * np.log10(np.sqrt((music[mask] ** 2).mean()) / np.sqrt((ducked[mask] ** 2).mean()))
    assert under >= 6, f"the music is pulled down {under:.1f} dB under speech"
    mixed = duck_mix(music, voice, rate)
    assert abs(integrated_lufs(mixed, rate) - (-16.0)) < 0.6
    assert np.abs(mixed).max() <= 10 ** (-1 / 20) + 1e-3
