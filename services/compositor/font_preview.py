"""The font picker's preview: the user's own text drawn in each font by the render's own code
(shaping, per-cluster fallback), so what the picker shows is what the ad will show."""

from __future__ import annotations

import io
import re

from adreel.v1 import compositor_pb2 as pb
from services.common.contract import PRODUCT_NAME, check_text, describe
from services.common.errors import InvalidArgument
from services.compositor.contrast import rgb, shade
from services.compositor.fonts import FONTS, NoGlyph, choose_font
from services.compositor.shaping import shape_line
from services.compositor.text_image import Block, Style, render

SIZE_PX = (16, 128)
DEFAULT_SIZE_PX = 64
_COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")


def previews(req: pb.RenderTextPreviewRequest) -> pb.RenderTextPreviewResponse:
    text = check_text(PRODUCT_NAME, req.text, "text")
    color = req.color or "#ffffff"
    if not _COLOR_RE.fullmatch(color):
        raise InvalidArgument("color", f'must be "#rrggbb", got {req.color!r}')
    size = req.size_px or DEFAULT_SIZE_PX
    if not SIZE_PX[0] <= size <= SIZE_PX[1]:
        raise InvalidArgument("size_px", f"must be {SIZE_PX[0]}-{SIZE_PX[1]}, got {size}")
    ids = list(req.fonts) or list(FONTS)
    for i, font_id in enumerate(ids):
        if font_id not in FONTS:
            raise InvalidArgument(f"fonts[{i}]", f"unknown font {font_id!r}; one of {', '.join(FONTS)}")
    hexa = color[1:].lower()
    style = Style(rgb(hexa), shade(hexa))
    out = pb.RenderTextPreviewResponse()
    for font_id in ids:
        font = FONTS[font_id]
        try:
            choice = choose_font(text, font)
        except NoGlyph as exc:
            chars = ", ".join(describe(c) for c in exc.chars)
            raise InvalidArgument("text", f"no bundled font can draw {chars}") from None
        lines = text.split("\n")
        first = shape_line(lines[0], font, size)
        block = Block((first, *(shape_line(line, font, size, first.rtl) for line in lines[1:])), size)
        image = render(block, style, boxed=False)
        png = io.BytesIO()
        image.save(png, format="PNG", optimize=False, compress_level=6)
        out.previews.add(
            font=font_id,
            png=png.getvalue(),
            width=image.width,
            height=image.height,
            fallback_fonts=[f.name for f in choice.fallbacks],
        )
    return out
