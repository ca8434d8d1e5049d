"""Apparel: a t-shirt or a hoodie, on a ghost mannequin, and folded for the flat lay."""

from __future__ import annotations

from services.image_gen.render.design import Design, logo_mark
from services.image_gen.render.model import Model, pick_material
from services.image_gen.render.painter import Part
from services.image_gen.render.palette import Colors, scale
from services.image_gen.render.shapes import Poly, ellipse, mirror_x, rrect, spline, squash

CX = 500.0
MATERIALS = {"cotton": "fabric", "linen": "fabric", "knit": "knit", "wool": "knit", "fleece": "suede"}


def _shirt(d: Design, hoodie: bool) -> Poly:
    sleeve = 0.95 if hoodie else 0.55
    half = [
        (CX, 250),
        (CX - 90, 240),
        (CX - 210, 290),
        (CX - 330, 400 + 240 * sleeve),
        (CX - 250, 430 + 250 * sleeve),
        (CX - 200, 430),
        (CX - 200 * d.stretch, 900),
    ]
    right = mirror_x(half[::-1], CX)
    return spline(half + right[:-1], n=10)


def draw(pose: str, d: Design, c: Colors, materials: tuple[str, ...]) -> Model:
    hoodie = d.variant >= 4
    mat = pick_material(materials, "knit" if hoodie else "fabric", MATERIALS)
    rib = c.secondary if d.accent_swap else scale(c.primary, 0.88)
    if pose == "top":  # folded for a flat lay
        parts = [
            Part([rrect(280, 300, 720, 740, 30)], c.primary, mat, bulge=40),
            Part([ellipse(CX, 300, 90, 40)], rib, mat, bulge=16, cut=[ellipse(CX, 292, 66, 26)]),
            Part([rrect(300, 560, 700, 590, 10)], scale(c.primary, 0.9), mat, "flat", cast=0.3),
        ]
        if hoodie:
            parts.insert(1, Part([ellipse(CX, 340, 140, 90)], scale(c.primary, 0.95), mat, bulge=40))
        return Model(parts, ground=None, focus=(CX, 360))
    body = _shirt(d, hoodie)
    if pose == "side":
        body = squash(body, CX, 500, 0.45, 1.0)
    parts = [Part([body], c.primary, mat, bulge=60)]
    if hoodie:
        parts.append(
            Part(
                [ellipse(CX, 250 if pose != "back" else 300, 120, 90)], scale(c.primary, 0.92), mat, bulge=40
            )
        )
        if pose == "front":
            parts.append(
                Part(
                    [rrect(CX - 140, 640, CX + 140, 780, 30)], scale(c.primary, 0.95), mat, bulge=20, cast=0.5
                )
            )
    if pose != "side":
        neck = ellipse(CX, 252 if pose == "front" else 240, 92, 46 if pose == "front" else 24)
        parts.append(
            Part([neck], rib, mat, bulge=14, cut=[ellipse(CX, 246, 70, 30 if pose == "front" else 12)])
        )
    if pose == "front":
        parts.append(
            Part(
                logo_mark(d.logo, CX + (80 if d.variant % 2 else 0), 420, 110 if d.variant % 2 else 200),
                c.secondary,
                "matte",
                "flat",
                cast=0.1,
            )
        )
    parts.append(
        Part([rrect(CX - 200 * d.stretch, 870, CX + 200 * d.stretch, 900, 6)], rib, mat, bulge=8, cast=0.2)
    )
    if pose == "side":
        for p in parts[1:]:
            p.fill = [squash(poly, CX, 500, 0.45, 1.0) for poly in p.fill]
    return Model(parts, ground=None if pose == "top" else 900, focus=(CX, 420))


HERO_POSE = "front"
DETAIL_POSE = "front"
