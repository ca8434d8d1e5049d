"""Anything else: a rounded box product with a lid seam and a brand mark."""

from __future__ import annotations

from services.image_gen.render.design import Design, logo_mark
from services.image_gen.render.model import Model
from services.image_gen.render.painter import Part
from services.image_gen.render.palette import Colors, mix, scale
from services.image_gen.render.shapes import rrect

CX = 500.0


def draw(pose: str, d: Design, c: Colors, materials: tuple[str, ...]) -> Model:
    w = (300 if pose != "side" else 180) * d.stretch
    if pose == "top":
        parts = [
            Part([rrect(CX - 300, 200, CX + 300, 800, 70)], c.primary, "plastic", bulge=60),
            Part(logo_mark(d.logo, CX, 500, 180), c.secondary, "plastic", bulge=6),
        ]
        return Model(parts, ground=None, focus=(CX, 500))
    top = 380 - 60 * (d.height - 1)
    parts = [
        # The lid's top face, seen slightly from above.
        Part(
            [rrect(CX - w, top - 70, CX + w, top + 40, 60)],
            mix(c.primary, (1, 1, 1), 0.15),
            "plastic",
            bulge=40,
        ),
        Part([rrect(CX - w, top, CX + w, 860, 60)], c.primary, "plastic", "cyl", bulge=40),
        Part(
            [rrect(CX - w + 4, top + 120, CX + w - 4, top + 132, 4)],
            scale(c.primary, 0.7),
            "matte",
            "flat",
            cast=0,
        ),
    ]
    if pose == "front":
        parts.append(Part(logo_mark(d.logo, CX, top + 300, 160), c.secondary, "plastic", bulge=6))
    for i in range(d.stripes if pose != "back" else 0):
        parts.append(
            Part([rrect(CX - w + 4, 760 - 30 * i, CX + w - 4, 772 - 30 * i, 3)], c.accent, "plastic", "flat")
        )
    return Model(parts, ground=860, focus=(CX, top + 200))


HERO_POSE = "front"
DETAIL_POSE = "front"
