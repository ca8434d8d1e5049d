"""A tote / handbag: tapered body, gusset, two handles, flap or pocket, metal hardware."""

from __future__ import annotations

from services.image_gen.render.design import Design, logo_mark
from services.image_gen.render.model import Model, pick_material
from services.image_gen.render.painter import Part
from services.image_gen.render.palette import Colors, mix, scale
from services.image_gen.render.shapes import arc, ellipse, rrect, spline

MATERIALS = {
    "leather": "leather",
    "canvas": "fabric",
    "cotton": "fabric",
    "suede": "suede",
    "nylon": "fabric",
}
CX = 500.0


def draw(pose: str, d: Design, c: Colors, materials: tuple[str, ...]) -> Model:
    mat = pick_material(materials, "leather", MATERIALS)
    trim = c.accent if d.accent_swap else c.secondary
    metal = (0.85, 0.7, 0.38) if d.variant % 2 else (0.8, 0.8, 0.82)
    half = (300 if pose != "side" else 110) * d.stretch
    top, bottom = 380.0, 880.0
    if pose == "top":
        parts = [
            Part([rrect(CX - 320, 380, CX + 320, 620, 60)], c.primary, mat, bulge=60),
            Part([rrect(CX - 290, 470, CX + 290, 530, 24)], scale(c.primary, 0.45), "suede", bulge=20),
            Part(
                [],
                trim,
                "leather",
                bulge=10,
                strokes=[(arc(CX, 470, 160, 90, 3.3, 6.1), 30), (arc(CX, 530, 160, 90, 0.2, 2.95), 30)],
            ),
        ]
        return Model(parts, ground=None, focus=(CX, 500))
    taper = 40 if pose != "side" else 20
    body = spline(
        [
            (CX - half + taper, top),
            (CX + half - taper, top),
            (CX + half, bottom - 40),
            (CX + half - 20, bottom),
            (CX - half + 20, bottom),
            (CX - half, bottom - 40),
        ]
    )
    handle_w = half * 0.55 if pose != "side" else 20
    parts = [
        Part(
            [],
            scale(trim, 0.85),
            "leather",
            bulge=10,
            strokes=[(arc(CX + 18, top + 10, handle_w, 240, 3.2, 6.22), 28)],
        ),
        Part([body], c.primary, mat, bulge=70),
        Part([], trim, "leather", bulge=10, strokes=[(arc(CX, top + 10, handle_w, 260, 3.2, 6.22), 30)]),
    ]
    for sx in (-1, 1):
        if pose != "side":
            parts.append(Part([ellipse(CX + sx * handle_w, top + 24, 14, 14)], metal, "metal", bulge=6))
    if pose == "front":
        flap = spline(
            [
                (CX - half + taper + 10, top + 8),
                (CX + half - taper - 10, top + 8),
                (CX + half - 50, top + 210),
                (CX, top + 250),
                (CX - half + 50, top + 210),
            ]
        )
        parts += [
            Part([flap], mix(c.primary, trim, 0.15) if d.variant < 3 else c.primary, mat, bulge=30, cast=0.5),
            Part(logo_mark(d.logo, CX, top + 180, 70), metal, "metal", bulge=5),
        ]
    elif pose == "back":
        parts.append(
            Part(
                [rrect(CX - half * 0.6, top + 120, CX + half * 0.6, top + 340, 20)],
                scale(c.primary, 0.95),
                mat,
                bulge=20,
                cast=0.4,
            )
        )
    else:
        parts.append(
            Part(
                [],
                scale(c.primary, 0.8),
                "fabric",
                "flat",
                strokes=[([(CX, top + 30), (CX, bottom - 20)], 6)],
            )
        )
    for i in range(d.stripes):
        y = bottom - 140 - 40 * i
        parts.append(
            Part([rrect(CX - half + 12, y, CX + half - 12, y + 16, 4)], trim, "fabric", "flat", cast=0.2)
        )
    return Model(parts, ground=bottom, focus=(CX, top + 160))


HERO_POSE = "front"
DETAIL_POSE = "front"
