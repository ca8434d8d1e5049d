"""The CLI's default picks enough images for an 8-12 s ad, whatever the clip length."""

from __future__ import annotations

from pathlib import Path

import pytest

from client.journey import AdSpec, BadChoice


@pytest.mark.parametrize(("clip_s", "expected"), [(2.0, "4"), (3.0, "3"), (4.0, "2")])
def test_auto_pick_aims_at_a_ten_second_ad(clip_s: float, expected: str) -> None:
    spec = AdSpec(product="shoes", scene="a sunny track", out=Path("ad.mp4"), clip_duration=clip_s)
    assert spec.image_pick == expected
    clips = int(expected)
    assert 8 <= 2 + clips * clip_s <= 12  # intro + outro cards around the clips


def test_explicit_picks_are_kept_and_checked() -> None:
    spec = AdSpec(product="shoes", scene="a sunny track", out=Path("ad.mp4"), images=4, pick_images="1,3")
    assert spec.image_pick == "1,3"
    spec.check()
    with pytest.raises(BadChoice, match="--pick: position 9"):
        AdSpec(product="s", scene="a sunny track", out=Path("a.mp4"), images=4, pick_images="1,9").check()
