"""Caption layout: the caption band inside the title-safe area, cues paged from word times, and the
WebVTT and SRT files written from them."""

from __future__ import annotations

from adreel.v1 import compositor_pb2 as pb
from services.compositor.captions import band, pages, srt, webvtt
from services.compositor.fonts import FONTS
from services.compositor.layout import FORMATS, safe_box
from services.compositor.voice import Word


def test_caption_band_stays_title_safe_in_every_format() -> None:
    for proto, fmt in FORMATS.items():
        b = band(fmt, FONTS["inter"])
        left, top, right, bottom = safe_box(fmt)
        assert left <= b.x and b.x + b.width <= right, pb.OutputFormat.Name(proto)
        assert top <= b.y and b.y + b.height <= bottom, pb.OutputFormat.Name(proto)
        assert b.x % 2 == b.y % 2 == b.width % 2 == b.height % 2 == 0


def test_pages_and_subtitle_files() -> None:
    words = tuple(
        Word(t, 1 + 0.4 * i, 1.3 + 0.4 * i)
        for i, t in enumerate(["Meet", "<Aurora>", "&", "friends.", "Shop", "now!"])
    )
    cues = pages(words)
    assert [c.text for c in cues] == ["Meet <Aurora> & friends.", "Shop now!"]
    vtt = webvtt(cues)
    assert vtt.startswith("WEBVTT\n") and "&lt;Aurora&gt; &amp;" not in vtt.split("-->")[0]
    assert "00:00:01.000 --> 00:00:02.600" in vtt and "<00:00:01.400>&lt;Aurora&gt;" in vtt
    assert "1\n00:00:01,000 --> 00:00:02,600\nMeet <Aurora> & friends.\n" in srt(cues)
