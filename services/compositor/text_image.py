"""A text block drawn once into a transparent RGBA image: shaped lines centred on each other, a soft
shadow and, when asked, a box behind them. FFmpeg overlays the image on every frame of its window,
so shaping and rasterising happen once per text, not once per frame."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image, ImageDraw

from services.compositor.shaping import Line, Run


@dataclass(frozen=True)
class Style:
    color: tuple[int, int, int]
    # The colour of the shadow and box: black under light text, white under dark text.
    shade: tuple[int, int, int]
    shadow_alpha: float = 0.55
    # 0 = no box; otherwise the box's opacity (raised until the text has its contrast).
    box_alpha: float = 0.0
    # The box's colour when it is not the shade: a brand's button behind the CTA.
    box_color: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class Block:
    lines: tuple[Line, ...]
    px: int

    @property
    def gap(self) -> float:
        return round(self.px * 0.15)

    @property
    def ascent(self) -> float:
        return max(line.ascent for line in self.lines)

    @property
    def descent(self) -> float:
        return max(line.descent for line in self.lines)

    @property
    def text_width(self) -> float:
        return max(line.width for line in self.lines)

    @property
    def text_height(self) -> float:
        n = len(self.lines)
        return n * (self.ascent + self.descent) + (n - 1) * self.gap

    def padding(self, boxed: bool) -> tuple[int, int]:
        """(horizontal, vertical) room around the text: the box's margin, or the shadow's."""
        if boxed:
            return round(self.px * 0.55), round(self.px * 0.3)
        shadow = self.shadow_offset
        return shadow + 2, shadow + 2

    @property
    def shadow_offset(self) -> int:
        return max(2, round(3 * self.px / 100))

    def size(self, boxed: bool) -> tuple[int, int]:
        ph, pv = self.padding(boxed)
        return math.ceil(self.text_width) + 2 * ph, math.ceil(self.text_height) + 2 * pv


def _draw_run(layer: Image.Image, run: Run, x: float, baseline: float, color: tuple[int, int, int]) -> None:
    if not run.font.bitmap:
        draw = ImageDraw.Draw(layer)
        draw.text(
            (x, baseline),
            run.text,
            font=run.pil,
            fill=(*color, 255),
            anchor="ls",
            direction=run.direction,
            language=run.lang,
            embedded_color=True,
        )
        return
    # A colour bitmap font: drawn at its strike into an image of its own, scaled, then laid on.
    font = run.pil
    ascent, descent = font.getmetrics()
    width = math.ceil(font.getlength(run.text, direction=run.direction)) + 2
    strike = Image.new("RGBA", (max(1, width), ascent + descent), (0, 0, 0, 0))
    ImageDraw.Draw(strike).text(
        (0, ascent), run.text, font=font, anchor="ls", direction=run.direction, embedded_color=True
    )
    size = (max(1, round(strike.width * run.scale)), max(1, round(strike.height * run.scale)))
    scaled = strike.resize(size, Image.Resampling.LANCZOS)
    layer.alpha_composite(scaled, (round(x), round(baseline - ascent * run.scale)))


def render(block: Block, style: Style, boxed: bool) -> Image.Image:
    """The block as an RGBA image of `block.size(boxed)`: box, shadow, then the text."""
    width, height = block.size(boxed)
    ph, pv = block.padding(boxed)
    text = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    y = pv + block.ascent
    for line in block.lines:
        x = ph + (block.text_width - line.width) / 2
        for run in line.runs:
            _draw_run(text, run, x, y, style.color)
            x += run.advance
        y += block.ascent + block.descent + block.gap
    out = Image.new("RGBA", (width, height), (*style.shade, 0))
    if boxed and style.box_alpha > 0:
        box = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        radius = round(block.px * 0.18)
        fill = (*(style.box_color or style.shade), round(255 * style.box_alpha))
        ImageDraw.Draw(box).rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, fill=fill)
        out.alpha_composite(box)
    if style.shadow_alpha > 0:
        alpha = text.getchannel("A").point(lambda a: round(a * style.shadow_alpha))
        shadow = Image.new("RGBA", (width, height), (*style.shade, 0))
        shadow.putalpha(alpha)
        d = block.shadow_offset
        out.alpha_composite(shadow.crop((0, 0, width - d, height - d)), (d, d))
    out.alpha_composite(text)
    return out
