"""Per output format: frame size, how a clip is fitted into it, where each text goes and how big, and
how a text is fitted into the title-safe area.

Sizes are in pixels of the short side (1080 for every format). A text that is too wide shrinks, down
to MIN_SHRINK of its slot's size; then it wraps onto two lines (at spaces, or between any two
characters in text written without spaces) and shrinks only as far as it still must. Its box (or
shadow) included, it stays inside the title-safe area: the middle 90% of the frame each way.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from adreel.v1 import compositor_pb2 as pb
from services.compositor.fonts import FontSpec, clusters
from services.compositor.shaping import shape_line
from services.compositor.text_image import Block

# The title-safe area: what every screen shows and no text leaves (SMPTE RP 2046-1's 90%).
SAFE = 0.9
# How far a text shrinks before it wraps onto a second line.
MIN_SHRINK = 0.6
# Categories a second line never starts with: marks and closing punctuation.
_NO_BREAK = ("M", "Pe", "Pf", "Po")


@dataclass(frozen=True)
class TextSlot:
    size_px: int
    # Vertical centre of the text block as a fraction of the frame height.
    y_center: float
    box: bool


@dataclass(frozen=True)
class Format:
    proto: int
    tag: str  # used in storage keys: "16x9", "9x16", "1x1"
    width: int
    height: int
    intro_name: TextSlot
    clip_name: TextSlot
    outro_name: TextSlot
    outro_cta: TextSlot

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def at_short_side(self, short: int) -> Format:
        """The same layout at another size (a 480p preview): frame and text sizes scaled alike."""
        k = short / min(self.width, self.height)

        def even(px: int) -> int:
            return max(2, round(px * k / 2) * 2)

        def slot(s: TextSlot) -> TextSlot:
            return replace(s, size_px=max(8, round(s.size_px * k)))

        return replace(
            self,
            width=even(self.width),
            height=even(self.height),
            intro_name=slot(self.intro_name),
            clip_name=slot(self.clip_name),
            outro_name=slot(self.outro_name),
            outro_cta=slot(self.outro_cta),
        )

    def fills_by_crop(self, src_w: int, src_h: int) -> bool:
        """Cover-crop when it loses at most ~20% of the clip; otherwise fit it over a blurred fill."""
        ratio = (src_w / src_h) / self.aspect
        return 0.8 <= ratio <= 1.25


FORMATS: dict[int, Format] = {
    pb.OUTPUT_FORMAT_LANDSCAPE_16_9: Format(
        pb.OUTPUT_FORMAT_LANDSCAPE_16_9, "16x9", 1920, 1080,
        intro_name=TextSlot(132, 0.5, False),
        clip_name=TextSlot(64, 0.85, True),
        outro_name=TextSlot(84, 0.36, False),
        outro_cta=TextSlot(112, 0.6, True),
    ),
    # Landscape clips sit in the middle band (y 656-1264); texts go in the blurred fill around it.
    pb.OUTPUT_FORMAT_PORTRAIT_9_16: Format(
        pb.OUTPUT_FORMAT_PORTRAIT_9_16, "9x16", 1080, 1920,
        intro_name=TextSlot(124, 0.5, False),
        clip_name=TextSlot(76, 0.76, True),
        outro_name=TextSlot(88, 0.4, False),
        outro_cta=TextSlot(108, 0.56, True),
    ),
    pb.OUTPUT_FORMAT_SQUARE_1_1: Format(
        pb.OUTPUT_FORMAT_SQUARE_1_1, "1x1", 1080, 1080,
        intro_name=TextSlot(116, 0.5, False),
        clip_name=TextSlot(60, 0.88, True),
        outro_name=TextSlot(80, 0.36, False),
        outro_cta=TextSlot(100, 0.6, True),
    ),
}  # fmt: skip


def safe_box(fmt: Format) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the title-safe area in pixels."""
    mx, my = round(fmt.width * (1 - SAFE) / 2), round(fmt.height * (1 - SAFE) / 2)
    return mx, my, fmt.width - mx, fmt.height - my


def _block(lines: list[str], font: FontSpec, px: int) -> Block:
    first = shape_line(lines[0], font, px)
    # A wrapped paragraph keeps its direction on its second line.
    return Block((first, *(shape_line(line, font, px, first.rtl) for line in lines[1:])), px)


def _breaks(text: str) -> list[tuple[str, str]]:
    """Every way to make two lines of one: at a space, else between any two glyph clusters (never
    before a mark or closing punctuation)."""
    words = text.split(" ")
    if len(words) > 1:
        return [(" ".join(words[:i]).strip(), " ".join(words[i:]).strip()) for i in range(1, len(words))]
    parts = clusters(text)
    cuts = [i for i in range(1, len(parts)) if not unicodedata.category(parts[i][0]).startswith(_NO_BREAK)]
    return [("".join(parts[:i]), "".join(parts[i:])) for i in cuts or range(1, len(parts))]


def _largest(lines: list[str], font: FontSpec, start_px: int, fmt: Format, boxed: bool) -> Block:
    """The block of these lines at the largest size <= start_px that fits the title-safe area."""
    left, top, right, bottom = safe_box(fmt)
    px = start_px
    while True:
        block = _block(lines, font, px)
        w, h = block.size(boxed)
        if (w <= right - left and h <= bottom - top) or px <= 6:
            return block
        # Width and height scale with the size: jump close, then step down the last pixels.
        px = max(6, min(px - 1, int(px * min((right - left) / w, (bottom - top) / h))))


def fit_block(text: str, font: FontSpec, slot: TextSlot, fmt: Format, boxed: bool) -> Block:
    """`text` at its slot's size when it fits; else shrunk (to MIN_SHRINK), else on two lines."""
    lines = text.split("\n")
    block = _largest(lines, font, slot.size_px, fmt, boxed)
    if len(lines) > 1 or block.px >= slot.size_px * MIN_SHRINK:
        return block
    pairs = [pair for pair in _breaks(text) if all(pair)]
    if not pairs:
        return block
    # The most even cut (the narrower widest line at the slot's size), made as large as fits.
    widest = [max(_block([line], font, slot.size_px).text_width for line in pair) for pair in pairs]
    two = _largest(list(pairs[widest.index(min(widest))]), font, slot.size_px, fmt, boxed)
    return two if two.px > block.px else block
