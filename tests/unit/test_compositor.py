"""Compositor building blocks: the timeline maths, text rules, fonts, request checks, escaping."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from services.common.contract import CTA, PRODUCT_NAME, TextRule, check_text
from services.common.errors import InvalidArgument
from services.common.ffmpeg import ffmpeg_exe
from services.compositor.filtergraph import quote
from services.compositor.fonts import FALLBACK, FONTS, NoGlyph, choose_font
from services.compositor.layout import FORMATS, fit_size
from services.compositor.request import parse_request
from services.compositor.timeline import Timeline


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


def test_fonts_are_bundled_and_fall_back_only_when_needed() -> None:
    for font in FONTS.values():
        assert font.path.is_file()
        assert (font.path.parent / "licenses").is_dir()
    assert choose_font("Crème brûlée", FONTS["inter"]).font.id == "inter"
    arabic = choose_font("عطر", FONTS["lato"])
    assert arabic.font == FALLBACK and arabic.fell_back_for
    assert choose_font("GLOW 😀", FONTS["roboto"]).font == FALLBACK
    with pytest.raises(NoGlyph, match=r"U\+9999"):
        choose_font("香", FONTS["inter"])


def test_long_text_is_shrunk_to_fit_every_format() -> None:
    font = FONTS["inter"].path
    for fmt in FORMATS.values():
        slot = fmt.intro_name
        assert fit_size("Aurora", font, slot, fmt.width) == slot.size_px
        assert fit_size("W" * 50, font, slot, fmt.width) < slot.size_px / 2


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


def test_quoted_paths_survive_the_filtergraph(tmp_path: Path) -> None:
    """A real FFmpeg run: drawtext finds a font and a text file under a hostile directory name."""
    odd = tmp_path / "a'b:c,d;e[f]g\\h %i"
    odd.mkdir()
    (odd / "t.txt").write_text("x")
    font = odd / "font.ttf"
    font.write_bytes(FONTS["inter"].path.read_bytes())
    graph = f"drawtext=fontfile={quote(str(font))}:textfile={quote(str(odd / 't.txt'))}:expansion=none"
    source = ["-f", "lavfi", "-i", "color=s=64x64:d=0.1"]
    cmd = [ffmpeg_exe(), "-hide_banner", *source, "-vf", graph, "-f", "null", "-"]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr[-500:]
