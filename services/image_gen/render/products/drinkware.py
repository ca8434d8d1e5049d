"""Drinkware: a ceramic mug with a handle, or an insulated tumbler with a lid."""

from __future__ import annotations

from services.image_gen.render.design import Design, logo_mark
from services.image_gen.render.model import Model
from services.image_gen.render.painter import Part
from services.image_gen.render.palette import Colors, mix, scale
from services.image_gen.render.shapes import ellipse, rrect, spline

CX = 500.0


def draw(pose: str, d: Design, c: Colors, materials: tuple[str, ...]) -> Model:
    trim = c.secondary
    if d.variant < 3:  # mug
        r = 200 * d.stretch
        if pose == "top":
            parts = [
                Part(
                    [],
                    c.primary,
                    "ceramic",
                    bulge=12,
                    strokes=[
                        (
                            spline(
                                [
                                    (CX + r - 10, 440),
                                    (CX + r + 110, 450),
                                    (CX + r + 110, 550),
                                    (CX + r - 10, 560),
                                ],
                                closed=False,
                            ),
                            46,
                        )
                    ],
                ),
                Part([ellipse(CX, 500, r, r)], c.primary, "ceramic", bulge=24),
                Part([ellipse(CX, 500, r - 22, r - 22)], (0.3, 0.17, 0.1), "gloss", bulge=60, cast=0.6),
            ]
            return Model(parts, ground=None, focus=(CX, 500))
        side = {"front": 1, "back": -1}.get(pose, 0)
        parts = []
        handle = Part(
            [],
            c.primary,
            "ceramic",
            bulge=12,
            strokes=[
                (
                    spline(
                        [
                            (CX + side * (r - 20), 460),
                            (CX + side * (r + 110), 480),
                            (CX + side * (r + 110), 640),
                            (CX + side * (r - 20), 700),
                        ],
                        closed=False,
                    ),
                    44,
                )
            ],
        )
        if side:
            parts.append(handle)
        parts += [
            Part([rrect(CX - r, 400, CX + r, 860, 40)], c.primary, "ceramic", "cyl", bulge=24),
            Part([ellipse(CX, 404, r - 4, 34)], scale(c.primary, 0.75), "ceramic", "flat", cast=0),
        ]
        if side == 1 or d.stripes:
            parts.append(Part(logo_mark(d.logo, CX - 20 * side, 620, 120), trim, "ceramic", "flat", cast=0.1))
        if not side:
            parts.append(
                Part([rrect(CX - 22, 470, CX + 22, 690, 20)], scale(c.primary, 0.95), "ceramic", bulge=14)
            )
        return Model(parts, ground=860, focus=(CX + 80, 560))
    r = 130 * d.stretch
    lid = trim
    if pose == "top":
        parts = [
            Part([ellipse(CX, 500, r + 20, r + 20)], lid, "plastic", bulge=30),
            Part([ellipse(CX + 40, 500, 26, 26)], scale(lid, 0.5), "plastic", bulge=10),
        ]
        return Model(parts, ground=None, focus=(CX, 500))
    parts = [
        Part(
            [spline([(CX - r - 10, 300), (CX + r + 10, 300), (CX + r - 30, 910), (CX - r + 30, 910)])],
            c.primary,
            "metal" if "steel" in " ".join(materials) else "plastic",
            "cyl",
            bulge=20,
        ),
        Part([rrect(CX - r - 18, 220, CX + r + 18, 310, 20)], lid, "plastic", "cyl", bulge=14),
        Part([rrect(CX - 30, 190, CX + 30, 230, 10)], mix(lid, (0, 0, 0), 0.2), "plastic", bulge=8),
    ]
    if pose != "back":
        parts.append(Part(logo_mark(d.logo, CX, 560, 110), trim, "plastic", "flat", cast=0.1))
    return Model(parts, ground=910, focus=(CX, 320))


HERO_POSE = "front"
DETAIL_POSE = "front"
