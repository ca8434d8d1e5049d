"""The frame clock behind the FFmpeg runner's progress and ETA (pure; the runner itself, which starts
FFmpeg, is tested in tests/integration/test_common_ffmpeg.py)."""

from __future__ import annotations

import pytest

from services.common.ffmpeg import FrameProgress, _FrameClock


def test_frame_clock_is_monotonic_and_estimates_from_its_rate() -> None:
    clock = _FrameClock(300)
    assert clock.read(30, now=10.0) == FrameProgress(30, 300, None)
    # 60 frames in 2 s -> 30 fps -> 210 frames left take 7 s.
    assert clock.read(90, now=12.0) == FrameProgress(90, 300, pytest.approx(7.0))
    assert clock.read(80, now=13.0).frame == 90, "a smaller reading never moves it back"
    assert clock.read(400, now=14.0) == FrameProgress(300, 300, 0.0)
    assert FrameProgress(150, 300, None).fraction == 0.5
