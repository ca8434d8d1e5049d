"""A line of text as runs ready to draw: one font and one direction each, in visual order, shaped
by HarfBuzz through Pillow's libraqm layout (joined Arabic, Indic conjuncts, Thai marks, ZWJ emoji).

A line is cut into glyph clusters, each given the font that draws it (services/compositor/fonts.py);
clusters of one font and one bidi level make a run, and runs are put in visual order with the line's
bidi levels (FriBiDi). Every measurement here is the one the drawing uses.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

from PIL import ImageFont, features

from services.compositor import bidi
from services.compositor.fonts import CJK, EMOJI_STRIKE_PX, FontSpec, clusters, font_for


def check_shaping() -> None:
    """Warm-up: the agent never draws text unshaped (Pillow falls back to basic layout silently)."""
    if not features.check_feature("raqm"):
        raise RuntimeError("Pillow has no libraqm layout (is libfribidi0 installed?)")
    if not bidi.available():
        raise RuntimeError("libfribidi is missing")


@cache
def pil_font(font: FontSpec, px: int) -> ImageFont.FreeTypeFont:
    size = EMOJI_STRIKE_PX if font.bitmap else px
    return ImageFont.truetype(str(font.path), size, index=font.index, layout_engine=ImageFont.Layout.RAQM)


def language(text: str) -> str | None:
    """A language hint for CJK text, so Han characters take the right regional forms (locl)."""
    names = {unicodedata.name(c, "").split(" ")[0] for c in text if ord(c) >= 0x1100}
    if "HIRAGANA" in names or "KATAKANA" in names:
        return "ja"
    if "HANGUL" in names:
        return "ko"
    return "zh-Hans" if "CJK" in names else None


@dataclass(frozen=True)
class Run:
    text: str
    font: FontSpec
    rtl: bool
    # The size the run's font is drawn at (before a bitmap font's scaling).
    px: int
    lang: str | None = None

    @property
    def scale(self) -> float:
        """Bitmap fonts are drawn at their strike and scaled by this; outline fonts at `px`."""
        return self.px * self.font.scale / EMOJI_STRIKE_PX if self.font.bitmap else 1.0

    @property
    def pil(self) -> ImageFont.FreeTypeFont:
        return pil_font(self.font, round(self.px * self.font.scale))

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def advance(self) -> float:
        return self.pil.getlength(self.text, direction=self.direction, language=self.lang) * self.scale

    @property
    def metrics(self) -> tuple[float, float]:
        """(ascent, descent) in output pixels."""
        ascent, descent = self.pil.getmetrics()
        return ascent * self.scale, descent * self.scale


@dataclass(frozen=True)
class Line:
    runs: tuple[Run, ...]  # visual order, left to right
    rtl: bool  # the paragraph's direction

    @property
    def width(self) -> float:
        return sum(r.advance for r in self.runs)

    @property
    def ascent(self) -> float:
        return max((r.metrics[0] for r in self.runs), default=0.0)

    @property
    def descent(self) -> float:
        return max((r.metrics[1] for r in self.runs), default=0.0)


def shape_line(text: str, wanted: FontSpec, px: int, rtl: bool | None = None) -> Line:
    """`text` (one line) as runs in visual order. `rtl` forces the paragraph direction (a wrapped
    line keeps its paragraph's), None takes it from the first strong character."""
    par, lv = bidi.levels(text, rtl)
    lang = language(text)
    logical: list[tuple[str, FontSpec, int]] = []
    at, current = 0, None
    for cluster in clusters(text):
        current = font_for(cluster, wanted, current)
        level = lv[at]
        if logical and logical[-1][1] == current and logical[-1][2] == level:
            logical[-1] = (logical[-1][0] + cluster, current, level)
        else:
            logical.append((cluster, current, level))
        at += len(cluster)
    order = bidi.visual_order([level for _, _, level in logical])
    runs = tuple(
        Run(t, f, level % 2 == 1, px, lang if f == CJK else None)
        for t, f, level in (logical[i] for i in order)
    )
    return Line(runs, par % 2 == 1)
