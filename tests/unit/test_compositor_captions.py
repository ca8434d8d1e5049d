"""Caption layout: the caption band inside the title-safe area, cues paged from word times, and the
WebVTT and SRT files written from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from adreel.v1 import compositor_pb2 as pb
from services.compositor.captions import HIGHLIGHT, band, draw_track, pages, srt, timed_track, webvtt
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


def test_images_drawn_before_the_voice_are_timed_by_it(tmp_path: Path) -> None:
    """The images come from the words alone; the spoken times only set when each is shown."""
    texts = ("Meet", "Aurora", "Runner.", "Shop", "now!")
    drawn = draw_track(
        tmp_path, texts, style=HIGHLIGHT, font=FONTS["inter"], fmt=FORMATS[pb.OUTPUT_FORMAT_LANDSCAPE_16_9]
    )
    assert [len(states) for states in drawn.images] == [3, 2], "one image per word of each page"
    spoken = pages(tuple(Word(t, 0.5 + 0.5 * i, 0.9 + 0.5 * i) for i, t in enumerate(texts)))
    lines = timed_track(drawn, spoken, 4.0).concat.read_text().splitlines()
    shown = [(lines[i].split("'")[1], float(lines[i + 1].split()[1])) for i in range(1, len(lines) - 1, 2)]
    # Blank until the first word, each word's image until the next word, the blank after the page.
    assert shown[0] == ("cap-16x9-blank.png", 0.5)
    assert shown[1:4] == [("cap-16x9-0-0.png", 0.5), ("cap-16x9-0-1.png", 0.5), ("cap-16x9-0-2.png", 0.5)]
    assert all(tmp_path.joinpath(name).is_file() for name, _ in shown)
    with pytest.raises(ValueError, match="other words"):
        timed_track(drawn, pages(tuple(Word(t, 0.0, 0.1) for t in ("Other", "words."))), 4.0)
