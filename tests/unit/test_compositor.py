"""Compositor building blocks: the timeline maths, text rules, fonts and request checks."""

from __future__ import annotations

import pytest

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from services.common.contract import CTA, PRODUCT_NAME, TextRule, check_text
from services.common.errors import InvalidArgument
from services.compositor.fonts import FALLBACKS, FONTS, FontChoice, NoGlyph, choose_font, clusters
from services.compositor.layout import FORMATS, fit_block, safe_box
from services.compositor.timeline import Timeline
from services.compositor.validation import parse_request


def test_timeline_durations_offsets_and_windows() -> None:
    tl = Timeline(1.0, (2.0, 3.0 + 1 / 90), 1.5, 0.5)
    # Lengths land on the 30 fps grid; each cross-fade overlaps two segments.
    assert tl.segment_frames == (30, 60, 90, 45)
    assert tl.starts == (0.0, 0.5, 2.0, 4.5)
    assert tl.duration_s == pytest.approx(1.0 + 2.0 + 3.0 + 1.5 - 3 * 0.5)
    intro, clips, outro = tl.intro_text(), tl.clip_text(), tl.outro_text()
    assert intro.start == 0.0 and intro.end <= clips.start
    assert clips.start >= tl.starts[1] + tl.transition and clips.end <= tl.starts[-1]
    assert outro.start >= tl.starts[-1] and outro.end > tl.duration_s
    hard = Timeline(0.5, (1.0,), 0.5, 0.0)
    assert hard.duration_s == 2.0 and hard.starts == (0.0, 0.5, 1.5)


def test_text_newlines_controls_and_lengths() -> None:
    assert check_text(PRODUCT_NAME, "  Run \r\n Faster ", "f") == "Run\nFaster"
    assert check_text(PRODUCT_NAME, 'It\'s "50%": {x} \\ %{pts}', "f") == 'It\'s "50%": {x} \\ %{pts}'
    assert check_text(PRODUCT_NAME, "Cafe\u0301", "f") == "Café"  # NFC
    for bad in ("", "   ", "a\nb\nc", "a\n\nb", "tab\there", "nul\x00", "esc\x1b[31m", "line\u2028sep"):
        with pytest.raises(InvalidArgument) as err:
            check_text(CTA, bad, "overlay.cta")
        assert err.value.field == "overlay.cta"
    with pytest.raises(InvalidArgument, match="1-5 characters"):
        check_text(TextRule(1, 5), "abcdef", "f")


def test_fonts_are_bundled_and_fall_back_per_cluster_only_when_needed() -> None:
    for font in (*FONTS.values(), *FALLBACKS):
        assert font.path.is_file()
        assert (font.path.parent / "licenses").is_dir()
    assert choose_font("Crème brûlée", FONTS["inter"]) == FontChoice(FONTS["inter"])
    arabic = choose_font("عطر 2", FONTS["lato"])
    assert [f.name for f in arabic.fallbacks] == ["Noto Sans Arabic"] and "2" not in arabic.fell_back_for
    mixed = choose_font("GLOW 😀 香水 👩🏽‍🚀", FONTS["roboto"])
    assert [f.name for f in mixed.fallbacks] == ["Noto Color Emoji", "Noto Sans CJK"]
    with pytest.raises(NoGlyph, match=r"U\+0F00"):
        choose_font("ༀ", FONTS["inter"])


def test_clusters_keep_sequences_whole() -> None:
    assert clusters("e\u0301👩🏽‍🚀🇯🇵🏴\U000e0067\U000e0062\U000e007fक्ष") == [
        "e\u0301",
        "👩🏽\u200d🚀",
        "🇯🇵",
        "🏴\U000e0067\U000e0062\U000e007f",
        "क्",
        "ष",
    ]


def test_long_text_shrinks_then_wraps_inside_the_title_safe_area() -> None:
    font = FONTS["inter"]
    for fmt in FORMATS.values():
        left, top, right, bottom = safe_box(fmt)
        slot = fmt.intro_name
        assert fit_block("Aurora", font, slot, fmt, boxed=False).px == slot.size_px
        for text in (
            "Ultra light running shoes with breathable mesh uppers",
            "超軽量" * 16,
            "W" * 50,
            "🚀" * 50,
        ):
            for boxed in (False, True):
                block = fit_block(text, font, slot, fmt, boxed)
                w, h = block.size(boxed)
                assert w <= right - left and h <= bottom - top, (fmt.tag, text)
                assert len(block.lines) <= 2
    # In 16:9 it wraps rather than shrink below MIN_SHRINK (narrow frames may have to do both).
    fmt = FORMATS[pb.OUTPUT_FORMAT_LANDSCAPE_16_9]
    two = fit_block("Ultra light running shoes with breathable mesh uppers", font, fmt.intro_name, fmt, False)
    assert len(two.lines) == 2 and two.px >= fmt.intro_name.size_px * 0.6


def _req(**over: object) -> pb.ComposeRequest:
    fields: dict[str, object] = {
        "session_id": "s",
        "item_id": "i",
        "clips": [common_pb2.AssetRef(uri="asset://sessions/s/clips/a.mp4")],
        "intro_s": 1,
        "outro_s": 1,
        "overlay": pb.TextOverlay(product_name="A", cta="B", font="lato", color="#A0b0C0"),
        "transition_s": 0.5,
    }
    return pb.ComposeRequest(**(fields | over))  # type: ignore[arg-type]


def test_request_defaults_and_normalisation() -> None:
    spec = parse_request(_req())
    assert spec.formats == (pb.OUTPUT_FORMAT_LANDSCAPE_16_9,)
    assert spec.color == "a0b0c0" and spec.genre is None
    spec = parse_request(_req(music=pb.Music(enabled=True, genre=pb.MUSIC_GENRE_CHILL)))
    assert spec.genre == "chill"
    with pytest.raises(InvalidArgument, match=r"^transition_s:"):
        parse_request(_req(transition_s=1.0, intro_s=1.0))
    with pytest.raises(InvalidArgument, match=r"^intro_s:"):
        parse_request(_req(intro_s=float("nan")))
