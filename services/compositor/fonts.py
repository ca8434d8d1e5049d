"""The fonts that travel with the compositor (services/compositor/fonts/, licences beside them).

One weight each, taken from Debian's font packages: Inter Bold, Lato Bold, Roboto Bold, Bebas Neue
Regular (OFL/Apache-2.0), and DejaVu Sans Bold as the wide-Unicode fallback (Latin, Greek, Cyrillic,
Arabic, Hebrew, many symbols and monochrome emoji).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"


@dataclass(frozen=True)
class FontSpec:
    id: str
    name: str
    file: str

    @property
    def path(self) -> Path:
        return FONT_DIR / self.file


FALLBACK = FontSpec("dejavu-sans", "DejaVu Sans", "DejaVuSans-Bold.ttf")
FONTS: dict[str, FontSpec] = {
    f.id: f
    for f in (
        FontSpec("inter", "Inter", "Inter-Bold.otf"),
        FontSpec("lato", "Lato", "Lato-Bold.ttf"),
        FontSpec("roboto", "Roboto", "Roboto-Bold.ttf"),
        FontSpec("bebas-neue", "Bebas Neue", "BebasNeue-Regular.otf"),
        FALLBACK,
    )
}


@cache
def codepoints(font: FontSpec) -> frozenset[int]:
    """Every character the font has a glyph for (its best Unicode cmap)."""
    with TTFont(font.path, lazy=True) as tt:
        return frozenset(tt.getBestCmap())


def _needs_glyph(ch: str) -> bool:
    # Joiners, variation selectors and bidi marks are consumed by the shaper, never drawn.
    return unicodedata.category(ch) != "Cf" and not ("\ufe00" <= ch <= "\ufe0f") and ch != "\n"


def missing_glyphs(text: str, font: FontSpec) -> list[str]:
    have = codepoints(font)
    return sorted({ch for ch in text if _needs_glyph(ch) and ord(ch) not in have})


@dataclass(frozen=True)
class FontChoice:
    font: FontSpec
    # Characters the requested font lacked (empty when it drew everything itself).
    fell_back_for: tuple[str, ...] = ()


class NoGlyph(Exception):
    def __init__(self, chars: list[str]) -> None:
        super().__init__(", ".join(f"U+{ord(c):04X}" for c in chars))
        self.chars = chars


def choose_font(text: str, wanted: FontSpec) -> FontChoice:
    """The wanted font when it covers `text`, else DejaVu Sans; NoGlyph when neither does."""
    lacking = missing_glyphs(text, wanted)
    if not lacking:
        return FontChoice(wanted)
    still = missing_glyphs(text, FALLBACK)
    if still:
        raise NoGlyph(still)
    return FontChoice(FALLBACK, tuple(lacking))


def check_fonts() -> None:
    """Warm-up: every bundled file is present and readable."""
    for font in FONTS.values():
        if not codepoints(font):
            raise RuntimeError(f"font {font.path} has no Unicode cmap")
