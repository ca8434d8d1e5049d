"""The fonts that travel with the compositor (services/compositor/fonts/, licences beside them), and
which of them draws each glyph cluster of a text.

Overlay fonts (the font picker's): Inter Bold, Lato Bold, Roboto Bold, Bebas Neue Regular and DejaVu
Sans Bold, from Debian's font packages (OFL/Apache-2.0/Bitstream Vera). Behind them, per glyph
cluster, the Noto fallbacks (OFL, from Debian's fonts-noto-core, fonts-noto-cjk and
fonts-noto-color-emoji): Noto Sans (Latin, Greek, Cyrillic and their marks), Arabic, Hebrew,
Devanagari, Bengali, Tamil, Thai, Armenian, Georgian, CJK (Han, kana, Hangul), two symbol fonts and
Noto Color Emoji. They add 33.4 MB to the compositor image.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
# Noto Color Emoji is a bitmap font with one strike: drawn at this size, then scaled.
EMOJI_STRIKE_PX = 109


@dataclass(frozen=True)
class FontSpec:
    id: str
    name: str
    file: str
    # The face inside a collection (.ttc).
    index: int = 0
    # A colour bitmap font (drawn at EMOJI_STRIKE_PX and scaled).
    bitmap: bool = False
    # Size relative to the text's size: evens out fonts whose letters run large or small.
    scale: float = 1.0
    # A font from outside FONT_DIR (a brand kit's upload): its full path.
    source: str = ""

    @property
    def path(self) -> Path:
        return Path(self.source) if self.source else FONT_DIR / self.file


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
EMOJI = FontSpec("noto-color-emoji", "Noto Color Emoji", "NotoColorEmoji.ttf", bitmap=True, scale=0.92)
CJK = FontSpec("noto-sans-cjk", "Noto Sans CJK", "NotoSansCJK-Bold.ttc")  # face 0: JP, locl for the rest
# Tried in order for a cluster the chosen font lacks (emoji clusters try EMOJI first).
FALLBACKS: tuple[FontSpec, ...] = (
    FontSpec("noto-sans", "Noto Sans", "NotoSans-Bold.ttf"),
    FontSpec("noto-sans-arabic", "Noto Sans Arabic", "NotoSansArabic-Bold.ttf"),
    FontSpec("noto-sans-hebrew", "Noto Sans Hebrew", "NotoSansHebrew-Bold.ttf"),
    FontSpec("noto-sans-devanagari", "Noto Sans Devanagari", "NotoSansDevanagari-Bold.ttf"),
    FontSpec("noto-sans-bengali", "Noto Sans Bengali", "NotoSansBengali-Bold.ttf"),
    FontSpec("noto-sans-tamil", "Noto Sans Tamil", "NotoSansTamil-Bold.ttf"),
    FontSpec("noto-sans-thai", "Noto Sans Thai", "NotoSansThai-Bold.ttf"),
    FontSpec("noto-sans-armenian", "Noto Sans Armenian", "NotoSansArmenian-Bold.ttf"),
    FontSpec("noto-sans-georgian", "Noto Sans Georgian", "NotoSansGeorgian-Bold.ttf"),
    CJK,
    FALLBACK,
    FontSpec("noto-sans-symbols", "Noto Sans Symbols", "NotoSansSymbols-Bold.ttf"),
    FontSpec("noto-sans-symbols2", "Noto Sans Symbols 2", "NotoSansSymbols2-Regular.ttf"),
    EMOJI,
)

# What "covers a script" means for GET /api/fonts: a font has every one of these letters.
SCRIPT_SAMPLES = {
    "Latin": "AZaz",
    "Greek": "ΑΩαω",
    "Cyrillic": "АЯая",
    "Arabic": "ابجده",
    "Hebrew": "אבגד",
    "Devanagari": "कखगअ",
    "Bengali": "কখগঅ",
    "Tamil": "கஙசஅ",
    "Thai": "กขคง",
    "Armenian": "ԱԲաբ",
    "Georgian": "აბგდ",
    "Han": "中文字国",
    "Hiragana": "あいうえ",
    "Katakana": "アイウエ",
    "Hangul": "한국어가",
    "Emoji": "😀🚀👍🇯🇵",
}

ZWJ = "\u200d"


@cache
def codepoints(font: FontSpec) -> frozenset[int]:
    """Every character the font has a glyph for (its best Unicode cmap)."""
    with TTFont(font.path, lazy=True, fontNumber=font.index) as tt:
        return frozenset(tt.getBestCmap())


def _needs_glyph(ch: str) -> bool:
    # Joiners, variation selectors, tags and bidi marks are consumed by the shaper, never drawn.
    return unicodedata.category(ch) != "Cf" and not ("\ufe00" <= ch <= "\ufe0f") and ch != "\n"


def covers(font: FontSpec, cluster: str) -> bool:
    have = codepoints(font)
    return all(ord(ch) in have for ch in cluster if _needs_glyph(ch))


def font_scripts(font: FontSpec) -> list[str]:
    return [script for script, sample in SCRIPT_SAMPLES.items() if all(covers(font, ch) for ch in sample)]


def _extends(ch: str) -> bool:
    """Attaches to the cluster before it: marks, format characters, variation selectors, skin tones."""
    code = ord(ch)
    return unicodedata.category(ch) in ("Mn", "Mc", "Me", "Cf") or 0x1F3FB <= code <= 0x1F3FF


def _regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def clusters(text: str) -> list[str]:
    """The text cut where a font may change: a base character with its marks, joiner sequences (ZWJ
    emoji), flags (regional indicator pairs, tag sequences) and skin tones kept whole."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        if _regional(text[i]) and j < n and _regional(text[j]):
            j += 1
        while j < n:
            if text[j] == ZWJ:
                j = min(n, j + 2)
            elif _extends(text[j]):
                j += 1
            else:
                break
        out.append(text[i:j])
        i = j
    return out


# Characters that are emoji unless a text variation selector follows (Emoji_Presentation=Yes, BMP).
_EMOJI_BMP = frozenset([
    0x231A, 0x231B, 0x23E9, 0x23EA, 0x23EB, 0x23EC, 0x23F0, 0x23F3, 0x25FD, 0x25FE, 0x2614, 0x2615,
    *range(0x2648, 0x2654),
    0x267F, 0x2693, 0x26A1, 0x26AA, 0x26AB, 0x26BD, 0x26BE, 0x26C4, 0x26C5, 0x26CE, 0x26D4, 0x26EA,
    0x26F2, 0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A, 0x270B, 0x2728, 0x274C, 0x274E, 0x2753,
    0x2754, 0x2755, 0x2757, 0x2795, 0x2796, 0x2797, 0x27B0, 0x27BF, 0x2B1B, 0x2B1C, 0x2B50, 0x2B55,
])  # fmt: skip


def is_emoji(cluster: str) -> bool:
    """Drawn as a colour emoji: an emoji by default, or a symbol asking for emoji style (U+FE0F)."""
    if "\ufe0e" in cluster:
        return False
    first = ord(cluster[0])
    return (
        "\ufe0f" in cluster
        or "\u20e3" in cluster
        or first in _EMOJI_BMP
        or 0x1F000 <= first <= 0x1FAFF
        or (ZWJ in cluster and any(ord(c) >= 0x1F000 for c in cluster))
    )


class NoGlyph(Exception):
    def __init__(self, chars: list[str]) -> None:
        super().__init__(", ".join(f"U+{ord(c):04X}" for c in chars))
        self.chars = chars


def _missing(cluster: str) -> list[str]:
    every = [FALLBACK, *FALLBACKS]
    return [c for c in cluster if _needs_glyph(c) and not any(ord(c) in codepoints(f) for f in every)] or [
        cluster[0]
    ]


def font_for(cluster: str, wanted: FontSpec, current: FontSpec | None) -> FontSpec:
    """The font that draws `cluster`: the wanted one when it can, else the first fallback that can.

    Spaces, punctuation, digits and symbols stay in the font of the text around them when it has
    them, so a run of Arabic or Japanese is not split at every space or comma.
    """
    if is_emoji(cluster):
        chain: tuple[FontSpec, ...] = (EMOJI, wanted, *FALLBACKS)
    else:
        letter = any(unicodedata.category(c).startswith("L") for c in cluster)
        if current is not None and not current.bitmap and not letter and covers(current, cluster):
            return current
        chain = (wanted, *FALLBACKS)
    for font in chain:
        if covers(font, cluster):
            return font
    raise NoGlyph(_missing(cluster))


@dataclass(frozen=True)
class FontChoice:
    """How a text will be drawn: the wanted font and the fallbacks its clusters needed."""

    font: FontSpec
    fallbacks: tuple[FontSpec, ...] = field(default=())
    # Characters the requested font lacked (empty when it drew everything itself).
    fell_back_for: tuple[str, ...] = ()


def choose_font(text: str, wanted: FontSpec) -> FontChoice:
    """Which fonts draw `text` (per glyph cluster); NoGlyph names what no bundled font can draw."""
    used: dict[FontSpec, None] = {}
    lacking: dict[str, None] = {}
    current: FontSpec | None = None
    for cluster in clusters(text.replace("\n", " ")):
        current = font_for(cluster, wanted, current)
        if current != wanted:
            used[current] = None
            if not covers(wanted, cluster):
                lacking |= dict.fromkeys(c for c in cluster if _needs_glyph(c))
    return FontChoice(wanted, tuple(used), tuple(lacking))


def check_fonts() -> None:
    """Warm-up: every bundled file is present and readable."""
    for font in (*FONTS.values(), *FALLBACKS):
        if not codepoints(font):
            raise RuntimeError(f"font {font.path} has no Unicode cmap")
