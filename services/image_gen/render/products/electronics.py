"""Electronics: over-ear headphones, or a cylindrical speaker with a mesh grille."""

from __future__ import annotations

from services.image_gen.render.design import Design, logo_mark
from services.image_gen.render.model import Model
from services.image_gen.render.painter import Part
from services.image_gen.render.palette import CHARCOAL, Colors, mix, scale
from services.image_gen.render.shapes import arc, ellipse, rrect

CX = 500.0


def _headphones(pose: str, d: Design, c: Colors) -> list[Part]:
    trim = c.secondary
    cushion = mix(CHARCOAL, c.primary, 0.15)
    metal = (0.78, 0.79, 0.81)
    if pose == "side":
        return [
            Part([], c.primary, "plastic", bulge=12, strokes=[(arc(CX, 520, 200, 330, 3.5, 5.9), 44)]),
            Part([ellipse(CX, 640, 170, 210)], c.primary, "plastic", bulge=50),
            Part([ellipse(CX, 640, 120, 160)], scale(c.primary, 0.9), "plastic", bulge=30),
            Part(logo_mark(d.logo, CX, 640, 110), trim, "metal", bulge=5),
        ]
    spread = 270 * d.stretch
    cups = []
    for sx in (-1, 1):
        x = CX + sx * spread
        cups += [
            Part([rrect(x - 12, 330, x + 12, 470, 8)], metal, "metal", "cyl", bulge=6),
            Part([ellipse(x - sx * 30, 600, 62, 150)], cushion, "leather", bulge=40),
            Part([ellipse(x + sx * 8, 600, 92, 160)], c.primary, "plastic", "cyl", bulge=40),
            Part(logo_mark(d.logo, x + sx * 14, 600, 70), trim, "metal", bulge=5)
            if pose == "front"
            else Part([ellipse(x + sx * 8, 600, 40, 70)], scale(c.primary, 0.85), "plastic", bulge=20),
        ]
    band = Part([], c.primary, "plastic", bulge=14, strokes=[(arc(CX, 420, spread, 300, 3.3, 6.12), 50)])
    pad = Part([], cushion, "leather", bulge=10, strokes=[(arc(CX, 424, spread * 0.7, 290, 3.75, 5.67), 34)])
    return [band, pad, *cups]


def _speaker(pose: str, d: Design, c: Colors) -> list[Part]:
    if pose == "top":
        return [
            Part([ellipse(CX, 500, 230, 230)], c.primary, "rubber", bulge=30),
            Part([ellipse(CX, 500, 180, 180)], scale(c.primary, 0.85), "rubber", bulge=20),
            Part(logo_mark(d.logo, CX, 500, 90), c.secondary, "plastic", bulge=4),
        ]
    parts = [
        Part([rrect(CX - 190, 260, CX + 190, 900, 70)], c.primary, "mesh", "cyl", bulge=30, texture=1.6),
        Part([rrect(CX - 190, 230, CX + 190, 300, 30)], scale(c.primary, 0.8), "rubber", "cyl", bulge=14),
    ]
    if pose != "back":
        parts.append(Part(logo_mark(d.logo, CX, 560, 120), c.secondary, "plastic", bulge=5))
    return parts


def draw(pose: str, d: Design, c: Colors, materials: tuple[str, ...]) -> Model:
    if d.variant < 4:
        if pose == "top":
            parts = _headphones("front", d, c)
            return Model(parts, ground=None, focus=(CX + 270, 600))
        parts = _headphones(pose, d, c)
        return Model(parts, ground=780 if pose != "side" else 850, focus=(CX + 270 * d.stretch, 560))
    return Model(_speaker(pose, d, c), ground=None if pose == "top" else 900, focus=(CX, 500))


HERO_POSE = "front"
DETAIL_POSE = "front"
