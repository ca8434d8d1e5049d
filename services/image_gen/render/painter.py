"""Painting shaded parts: each part is an anti-aliased mask lit like a rounded physical object.

A part's height field is its blurred mask (a soft dome that rounds off `bulge` units in from the
edge), or a cylinder across its width; normals from that height, a key and a fill light, Blinn
specular and a little edge occlusion make flat outlines read as moulded, stitched, polished things.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image, ImageDraw

from services.image_gen.render.palette import RGB
from services.image_gen.render.shapes import Poly
from services.image_gen.render.textures import F32, blur, surface

SUPERSAMPLE = 3

_KEY = np.array([-0.5, -0.62, 0.6], F32) / np.linalg.norm([-0.5, -0.62, 0.6])
_FILL = np.array([0.75, -0.05, 0.65], F32) / np.linalg.norm([0.75, -0.05, 0.65])
_HALF = (_KEY + np.array([0, 0, 1], F32)) / np.linalg.norm(_KEY + np.array([0, 0, 1], F32))
_AMBIENT, _KD, _KF = 0.36, 0.82, 0.18
_NORM = _AMBIENT + _KD * _KEY[2] + _KF * _FILL[2]  # a surface facing the camera keeps its colour

# material -> (specular strength, shininess, metallic)
_SPEC = {
    "matte": (0.05, 6.0, False),
    "fabric": (0.02, 4.0, False),
    "knit": (0.02, 4.0, False),
    "suede": (0.02, 4.0, False),
    "mesh": (0.05, 8.0, False),
    "rubber": (0.08, 10.0, False),
    "leather": (0.2, 22.0, False),
    "plastic": (0.35, 40.0, False),
    "ceramic": (0.55, 70.0, False),
    "gloss": (0.65, 90.0, False),
    "glass": (0.8, 120.0, False),
    "metal": (0.9, 28.0, True),
}


@dataclass
class Part:
    fill: list[Poly]
    color: RGB
    material: str = "matte"
    form: str = "dome"  # dome | cyl | flat
    bulge: float = 30.0  # units from the edge over which the surface rounds off
    cut: list[Poly] = field(default_factory=list)
    strokes: list[tuple[Poly, float]] = field(default_factory=list)  # open lines, width in units
    opacity: float = 1.0
    # Cylinder axis extent in units (x0, x1); defaults to the part's own width.
    span: tuple[float, float] | None = None
    texture: float = 1.0
    # How dark a shadow the part casts onto what is already painted beneath it.
    cast: float = 0.35

    def map_points(self, fn: Callable[[Poly], Poly]) -> Part:
        """A copy with `fn` (an outline -> outline transform) applied to every polygon in `fill` and
        every line in `strokes`, stroke widths kept. `cut` is left as is (not transformed), as are
        `span` and the other fields: the views that move, mirror, turn or squash a whole product
        only do so to parts without holes or a set cylinder span."""
        return replace(
            self,
            fill=[fn(poly) for poly in self.fill],
            strokes=[(fn(line), w) for line, w in self.strokes],
        )


@dataclass
class Frame:
    """Product units -> pixels."""

    scale: float
    tx: float
    ty: float

    def px(self, x: float, y: float) -> tuple[float, float]:
        return x * self.scale + self.tx, y * self.scale + self.ty


class Painter:
    def __init__(
        self,
        size: int,
        frame: Frame,
        seed: int,
        texture_boost: float = 1.0,
        light_span: tuple[float, float] | None = None,
    ) -> None:
        self.size = size
        # Pixel rows over which the key light falls off from the top of the product to its base.
        self.light_span = light_span or (0.0, float(size))
        self.frame = frame
        self.seed = seed
        self.texture_boost = texture_boost
        self.rgb = np.zeros((size, size, 3), F32)  # premultiplied
        self.alpha = np.zeros((size, size), F32)

    def _bbox(self, part: Part, pad: float) -> tuple[int, int, int, int] | None:
        f = self.frame
        pts = [f.px(x, y) for poly in part.fill for x, y in poly]
        for line, width in part.strokes:
            w = width * f.scale / 2
            for x, y in line:
                px, py = f.px(x, y)
                pts += [(px - w, py - w), (px + w, py + w)]
        if not pts:
            return None
        x0 = max(0, math.floor(min(p[0] for p in pts) - pad))
        y0 = max(0, math.floor(min(p[1] for p in pts) - pad))
        x1 = min(self.size, math.ceil(max(p[0] for p in pts) + pad))
        y1 = min(self.size, math.ceil(max(p[1] for p in pts) + pad))
        return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None

    def _mask(self, part: Part, box: tuple[int, int, int, int]) -> np.ndarray:
        x0, y0, x1, y1 = box
        ss, f = SUPERSAMPLE, self.frame
        img = Image.new("L", ((x1 - x0) * ss, (y1 - y0) * ss), 0)
        draw = ImageDraw.Draw(img)

        def local(poly: Poly) -> list[tuple[float, float]]:
            return [((x * f.scale + f.tx - x0) * ss, (y * f.scale + f.ty - y0) * ss) for x, y in poly]

        for poly in part.fill:
            draw.polygon(local(poly), fill=255)
        for line, width in part.strokes:
            w = max(1, round(width * f.scale * ss))
            draw.line(local(line), fill=255, width=w, joint="curve")
            for end in (line[0], line[-1]):  # round caps
                cx, cy = local([end])[0]
                draw.ellipse((cx - w / 2, cy - w / 2, cx + w / 2, cy + w / 2), fill=255)
        for poly in part.cut:
            draw.polygon(local(poly), fill=0)
        img = img.reduce(ss)
        return np.asarray(img, dtype=F32) / 255.0

    def paint(self, part: Part) -> None:
        bulge_px = max(1.0, part.bulge * self.frame.scale)
        pad = bulge_px * 1.5 + 3 if part.form != "flat" else 3
        box = self._bbox(part, pad)
        if box is None:
            return
        x0, y0, x1, y1 = box
        m = self._mask(part, box)
        if not m.any():
            return
        h, w = m.shape
        spec_k, shininess, metallic = _SPEC.get(part.material, _SPEC["matte"])
        albedo, bump = surface(
            part.material,
            h,
            w,
            ox=x0,
            oy=y0,
            ppu=self.frame.scale,
            seed=self.seed,
            strength=part.texture * self.texture_boost,
        )

        if part.form == "flat":
            height = m
            nx = np.zeros_like(m)
            ny = np.zeros_like(m)
        else:
            height = blur(m, bulge_px / 2)
            gy, gx = np.gradient(height)
            k = bulge_px * 1.1
            nx, ny = -gx * k, -gy * k
        if part.form == "cyl":
            if part.span is not None:
                ax0, _ = self.frame.px(part.span[0], 0)
                ax1, _ = self.frame.px(part.span[1], 0)
            else:
                cols = np.nonzero(m.max(axis=0) > 0.5)[0]
                ax0, ax1 = (x0 + cols[0], x0 + cols[-1] + 1) if cols.size else (x0, x1)
            u = np.clip((np.arange(x0, x1, dtype=F32) + 0.5 - ax0) / max(1.0, ax1 - ax0) * 2 - 1, -0.98, 0.98)
            cyl_nx = np.broadcast_to(u / np.sqrt(1 - u * u + 1e-3) * 0.9, m.shape)
            nx, ny = cyl_nx + nx * 0.15, ny * 0.7
        if part.material in ("mesh", "leather", "fabric", "knit", "suede"):
            by, bx = np.gradient(bump)
            nx, ny = nx - bx * 1.2, ny - by * 1.2

        inv = 1.0 / np.sqrt(nx * nx + ny * ny + 1.0)
        nxn, nyn, nzn = nx * inv, ny * inv, inv
        key = np.clip(nxn * _KEY[0] + nyn * _KEY[1] + nzn * _KEY[2], 0, 1)
        fill = np.clip(nxn * _FILL[0] + nyn * _FILL[1] + nzn * _FILL[2], 0, 1)
        light = (_AMBIENT + _KD * key + _KF * fill) / _NORM
        half = np.clip(nxn * _HALF[0] + nyn * _HALF[1] + nzn * _HALF[2], 0, 1)
        spec = spec_k * half**shininess
        # A broad softbox sheen on top of the sharp highlight.
        spec = spec + spec_k * 0.25 * half ** (shininess / 6)
        if part.form != "flat":
            occlusion = 0.8 + 0.2 * np.clip((height - 0.5) * 2.2, 0, 1)
        else:
            occlusion = np.ones_like(m)

        top, bottom = self.light_span
        rows = (np.arange(y0, y1, dtype=F32) - top) / max(1.0, bottom - top)
        light = light * (1.08 - 0.16 * np.clip(rows, 0, 1))[:, None]
        color = np.array(part.color, F32)
        if metallic:
            # Metal shows its environment: dark where it faces away, bright bands towards the lights.
            env = 0.3 + 1.05 * key**2.2 + 0.35 * fill**3
            shade = (albedo * env * occlusion)[..., None] * color
            tint = 0.55 * color + 0.45
            rgb = shade + (spec[..., None] * tint)
        else:
            rgb = (albedo * light * occlusion)[..., None] * color + spec[..., None] * 0.95
        rgb = np.clip(rgb, 0, 1)

        a = (m * part.opacity)[..., None]
        region = self.rgb[y0:y1, x0:x1]
        if part.cast > 0:
            self._cast_shadow(m, region, part.cast)
        region *= 1 - a
        region += rgb * a
        al = self.alpha[y0:y1, x0:x1]
        al *= 1 - a[..., 0]
        al += a[..., 0]

    def _cast_shadow(self, m: np.ndarray, region: np.ndarray, strength: float) -> None:
        """Soft shadow of a part on the layer below it (key light from the upper left)."""
        s = self.frame.scale
        dx, dy = max(1, round(4 * s)), max(1, round(6 * s))
        shadow = blur(m, 5 * s)
        shadow = np.roll(shadow, (dy, dx), axis=(0, 1))
        shadow[:dy] = 0
        shadow[:, :dx] = 0
        region *= (1 - strength * shadow)[..., None]
