"""Beats and cuts: the numpy beat tracker on click tracks and on the synthesiser's own music, and
the timeline's cuts snapped onto a beat grid (bounded moves, whole frames, the ad's length kept)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.compositor.beat_sync import MIN_CARD_S, MIN_CLIP_S, snap_to_beats
from services.compositor.beats import Beats, detect
from services.compositor.soundtrack import fit_track, fit_with_beats, loop_on_beats
from services.compositor.synth import GENRES, RATE, STYLES, synthesize
from services.compositor.timeline import FPS, Timeline

PHASE_TOL_S = 0.010


def click_track(
    bpm: float, first_s: float, seconds: float, rate: int = RATE, tone_hz: float = 0.0
) -> np.ndarray:
    """Short noise bursts on every beat (optionally over a steady tone and a little noise)."""
    rng = np.random.default_rng(7)
    x = np.zeros(int(seconds * rate))
    burst = rng.standard_normal(int(0.01 * rate)) * np.exp(-np.arange(int(0.01 * rate)) / rate * 400)
    for t in np.arange(first_s, seconds, 60.0 / bpm):
        i = round(t * rate)
        x[i : i + len(burst)] += burst[: len(x) - i]
    if tone_hz:
        x += 0.3 * np.sin(2 * np.pi * tone_hz * np.arange(len(x)) / rate)
        x += 0.05 * rng.standard_normal(len(x))
    return (0.5 * x / np.abs(x).max()).astype(np.float32)


def phase_error(found: Beats, first_s: float) -> float:
    """How far the found grid is from a beat at `first_s`, in seconds (either way)."""
    d = (found.first_s - first_s) % found.period_s
    return min(d, found.period_s - d)


@pytest.mark.parametrize(
    ("bpm", "first_s", "rate", "tone_hz"),
    [
        (120, 0.0, RATE, 0),
        (90, 0.2, RATE, 0),
        (128, 0.31, 44_100, 0),
        (75, 0.5, 32_000, 440),
        (100, 0.05, 22_050, 0),
        (160, 0.1, RATE, 220),
        (97, 0.33, 44_100, 440),
    ],
)
def test_click_track_tempo_and_phase(bpm: float, first_s: float, rate: int, tone_hz: float) -> None:
    found = detect(click_track(bpm, first_s, 20.0, rate, tone_hz), rate)
    assert found is not None
    assert found.bpm == pytest.approx(bpm, rel=0.002)
    assert phase_error(found, first_s) < PHASE_TOL_S, found
    # The grid, not only its start: the twentieth second's beat is still on its click.
    last = found.times(20.0)[-1]
    assert min(abs(last - t) for t in np.arange(first_s, 20.5, 60.0 / bpm)) < PHASE_TOL_S


def test_a_tempo_above_the_range_is_found_at_half_speed_on_its_own_beats() -> None:
    # 200 bpm is out of 70-180: every other click is a beat (a cut there is still on the beat).
    found = detect(click_track(200, 0.12, 15.0), RATE)
    assert found is not None and found.bpm == pytest.approx(100, rel=0.002)
    assert phase_error(Beats(200, found.first_s), 0.12) < PHASE_TOL_S


@pytest.mark.parametrize("genre", GENRES)
@pytest.mark.parametrize("seed", [1, 29])
def test_the_synthesisers_beats_are_found_where_it_put_them(genre: str, seed: int) -> None:
    bpm = STYLES[genre].bpm
    raw = synthesize(genre, 15.0, seed)
    for track in (raw, fit_track(raw, RATE, 15.0)):  # also as the ad plays it: -16 LUFS, faded in
        found = detect(track, RATE)
        assert found is not None
        assert found.bpm == pytest.approx(bpm, rel=0.002)
        # Beat k at k * 60 / bpm from the start: the first kick of every bar is at its step 0.
        assert phase_error(found, 0.0) < PHASE_TOL_S, found


@pytest.mark.parametrize(
    "track",
    [
        np.zeros(10 * RATE, np.float32),
        (0.3 * np.random.default_rng(1).standard_normal(10 * RATE)).astype(np.float32),
        (0.3 * np.sin(2 * np.pi * 440 * np.arange(10 * RATE) / RATE)).astype(np.float32),
        np.zeros(RATE // 2, np.float32),
    ],
    ids=["silence", "noise", "tone", "half-second"],
)
def test_no_beat_no_grid(track: np.ndarray) -> None:
    assert detect(track, RATE) is None


def test_a_short_track_repeats_on_its_beats() -> None:
    # 5.3 s of a 120 bpm loop whose first beat is at 0.1 s: 10 whole beats, 8 of them whole bars.
    loop = click_track(120, 0.1, 5.3)
    grid = detect(loop, RATE)
    assert grid is not None
    longer = loop_on_beats(np.stack([loop, loop], axis=1), RATE, 14.0, grid)
    assert longer.shape == (14 * RATE, 2)
    again = detect(longer, RATE)
    assert again is not None and again.bpm == pytest.approx(120, rel=0.002)
    assert phase_error(again, 0.1) < PHASE_TOL_S
    # The seam is a bar after the first beat: what plays next is the loop from its first beat.
    seam = round(0.1 * RATE) + round(8 * 0.5 * RATE)
    assert np.array_equal(longer[seam : seam + 1000, 0], loop[round(0.1 * RATE) : round(0.1 * RATE) + 1000])

    fitted, beats = fit_with_beats(np.stack([loop, loop], axis=1), RATE, 14.0)
    assert fitted.shape == (14 * RATE, 2) and beats is not None
    assert fit_with_beats(loop, RATE, 3.0, bpm=84)[1] == Beats(84)


# ---------------------------------------------------------------- snapping


def grid(bpm: float, first_s: float, until_s: float) -> np.ndarray:
    return Beats(bpm, first_s).times(until_s + 1)


def check_snapped(tl: Timeline, out: Timeline, beats: np.ndarray) -> int:
    """Every rule of a snapped timeline; returns how many cuts landed on a beat."""
    t = tl.transition_frames
    beat_frames = float(np.median(np.diff(beats))) * FPS
    assert out.total_frames == tl.total_frames, "the ad keeps its length to the frame"
    assert out.transition_frames == t
    assert len(out.segment_frames) == len(tl.segment_frames)
    for k, (old, new) in enumerate(zip(tl.segment_frames, out.segment_frames, strict=True)):
        card = k in (0, len(tl.segment_frames) - 1)
        floor = (
            max(t + 1, round(MIN_CARD_S * FPS)) if card else min(old, max(2 * t + 1, round(MIN_CLIP_S * FPS)))
        )
        assert new >= floor, (k, old, new)
        assert abs(new - old) <= int(beat_frames) + 1, "a segment changes by at most a beat"
    on_beat = 0
    for old, new in zip(tl.cut_times, out.cut_times, strict=True):
        # On the frame grid: every segment starts on a whole frame.
        assert abs((new - out.transition / 2) * FPS - round((new - out.transition / 2) * FPS)) < 1e-6
        off = float(np.min(np.abs(beats - new)))
        if off * FPS <= 0.5 + 1e-6:
            on_beat += 1
            assert abs(new - old) * FPS < beat_frames + 0.5, "a cut moves less than a beat"
        else:
            assert new == pytest.approx(old), "a cut that cannot reach a beat stays"
    return on_beat


@settings(max_examples=300, deadline=None)
@given(
    clips=st.lists(st.floats(1.0, 5.0), min_size=1, max_size=8),
    intro=st.floats(0.5, 3.0),
    outro=st.floats(0.5, 3.0),
    transition=st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.8]),
    bpm=st.floats(70.0, 180.0),
    first=st.floats(0.0, 1.0),
)
def test_snapping_rules_hold_for_any_timeline(  # noqa: PLR0917 - hypothesis passes them by name
    clips: list[float], intro: float, outro: float, transition: float, bpm: float, first: float
) -> None:
    transition = min(transition, intro - 0.05, outro - 0.05)
    tl = Timeline(intro, tuple(clips), outro, max(0.0, transition))
    if any(n <= tl.transition_frames for n in tl.segment_frames):
        return  # refused before it renders (transition_s must be shorter than every segment)
    beats = grid(bpm, first % (60 / bpm), tl.duration_s)
    check_snapped(tl, snap_to_beats(tl, beats), beats)


@pytest.mark.parametrize("genre", GENRES)
@pytest.mark.parametrize("transition", [0.0, 0.3, 0.5, 0.7])
def test_ordinary_ads_cut_on_every_beat(genre: str, transition: float) -> None:
    # Clip lengths off any beat grid, as video models return them.
    tl = Timeline(1.0, (2.37, 3.1, 1.93, 2.73, 4.0), 1.2, transition)
    beats = grid(STYLES[genre].bpm, 0.0, tl.duration_s)
    out = snap_to_beats(tl, beats)
    assert check_snapped(tl, out, beats) == len(tl.cut_times)


def test_a_clip_is_trimmed_rather_than_held() -> None:
    # 60 bpm (30 frames a beat); the first cut at frame 30 is on a beat. The clip (1.6 s, 48 frames)
    # ends at frame 78: the nearest beat (90) would hold its last frame for 12 frames, the one
    # before (60) trims it to 30 frames instead.
    tl = Timeline(1.0, (1.6, 2.0), 1.0, 0.0)
    out = snap_to_beats(tl, grid(60, 0.0, tl.duration_s))
    assert out.segment_frames[1] <= tl.segment_frames[1], "no frame of the clip is held"
    assert out.cut_times[:2] == (1.0, 2.0)


def test_nothing_moves_without_beats() -> None:
    tl = Timeline(1.0, (2.37, 3.1), 1.0, 0.3)
    assert snap_to_beats(tl, []) is tl
    assert snap_to_beats(tl, [4.0]) is tl


def test_cut_times_are_the_middles_of_the_cross_fades() -> None:
    tl = Timeline(1.0, (2.0, 2.0), 1.0, 0.5)
    assert tl.cut_times == pytest.approx((1.0 - 0.25, 2.5 - 0.25, 4.0 - 0.25))
    assert Timeline(1.0, (2.0,), 1.0, 0.0).cut_times == (1.0, 3.0)
