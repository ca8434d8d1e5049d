"""Per output format: frame size, how a clip is fitted into it, and where each text goes and how big.

Sizes are in pixels of the short side (1080 for every format). Text is shrunk to fit 86% of the
frame width, measured with the same font file FFmpeg draws with.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from PIL import ImageFont

from adreel.v1 import compositor_pb2 as pb

MAX_TEXT_WIDTH = 0.86


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


@cache
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def fit_size(text: str, font_path: Path, slot: TextSlot, frame_width: int) -> int:
    """The slot's size, shrunk so the widest line fits MAX_TEXT_WIDTH of the frame."""
    font = _font(font_path, slot.size_px)
    widest = max(font.getlength(line) for line in text.split("\n"))
    limit = MAX_TEXT_WIDTH * frame_width
    if widest <= limit:
        return slot.size_px
    return max(12, int(slot.size_px * limit / widest))
