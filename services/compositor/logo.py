"""A brand logo in one corner of every frame: one more RGBA layer of the same FFmpeg run.

It goes through the texts' path (filtergraph.TextItem: one decoded PNG looped in memory and
overlaid), so a logo costs one small decode and one overlay per output, not another pass.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from adreel.v1 import compositor_pb2 as pb
from services.common.errors import InvalidArgument
from services.compositor.filtergraph import TextItem
from services.compositor.layout import Format
from services.compositor.timeline import Timeline, Window

FIELD = "logo.image"
MAX_PIXELS = 16_000_000
# Of the frame's short side: the logo fits a box this wide and this tall, this far from the edges.
MAX_W, MAX_H, MARGIN = 0.24, 0.12, 0.05


def load_logo(data: bytes) -> Image.Image:
    """The logo as RGBA, or INVALID_ARGUMENT naming logo.image (the gateway checked it already;
    this agent does not trust that)."""
    try:
        im = Image.open(io.BytesIO(data))
        if im.format not in ("PNG", "WEBP"):
            raise InvalidArgument(FIELD, f"must be PNG or WebP, not {im.format}")
        if im.width * im.height > MAX_PIXELS or min(im.size) < 8:
            raise InvalidArgument(FIELD, f"is {im.width}x{im.height}; not a usable logo size")
        return im.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidArgument(FIELD, "is not a decodable PNG or WebP image") from None


def logo_item(path: Path, logo: Image.Image, corner: int, fmt: Format, tl: Timeline) -> TextItem:
    """Scale the logo into its box, write it once for this format, place it in the corner."""
    short = min(fmt.width, fmt.height)
    scale = min(MAX_W * short / logo.width, MAX_H * short / logo.height)
    w, h = max(2, round(logo.width * scale)), max(2, round(logo.height * scale))
    w, h = w + w % 2, h + h % 2  # even: the frames are 4:2:0
    logo.resize((w, h), Image.LANCZOS).save(path, compress_level=1)
    margin = round(MARGIN * short)
    left = corner in (pb.LOGO_CORNER_TOP_LEFT, pb.LOGO_CORNER_BOTTOM_LEFT)
    top = corner in (pb.LOGO_CORNER_TOP_LEFT, pb.LOGO_CORNER_TOP_RIGHT)
    x = margin if left else fmt.width - margin - w
    y = margin if top else fmt.height - margin - h
    # The whole ad, cards included, with no fade: a brand mark stays put.
    return TextItem(path, x - x % 2, y - y % 2, Window(0.0, tl.duration_s + 1.0, 0.0, 0.0))
