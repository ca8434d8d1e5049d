"""Skincare: a pump bottle, a dropper bottle or a cream jar, with cap, collar and label."""

from __future__ import annotations

from services.image_gen.render.design import Design, logo_mark
from services.image_gen.render.model import Model
from services.image_gen.render.painter import Part
from services.image_gen.render.palette import CHARCOAL, Colors, lightness, mix, scale
from services.image_gen.render.shapes import ellipse, rrect, spline

CX = 500.0


def _kind(d: Design) -> str:
    return ("pump", "pump", "pump", "dropper", "dropper", "jar")[d.variant]


def _label(box: tuple[float, float, float, float], c: Colors, d: Design, back: bool) -> list[Part]:
    x0, y0, x1, y1 = box
    paper = (
        mix(c.primary, (0.93, 0.9, 0.84), 0.5)
        if lightness(c.primary) > 0.8
        else mix(c.primary, (1, 1, 1), 0.75)
    )
    ink = c.secondary if abs(lightness(c.secondary) - lightness(paper)) > 0.3 else CHARCOAL
    cx, w = (x0 + x1) / 2, x1 - x0
    parts = [Part([rrect(x0, y0, x1, y1, 6)], paper, "matte", "flat", cast=0.15)]
    if back:
        rules = [
            ([(x0 + w * 0.12, y), (x1 - w * (0.12 + 0.2 * (i % 3 == 2)), y)], 5.0)
            for i, y in enumerate(range(int(y0 + 30), int(y1 - 20), 18))
        ]
    else:
        mark = logo_mark(d.logo, cx, y0 + (y1 - y0) * 0.33, w * 0.3)
        parts.append(Part(mark, ink, "matte", "flat", cast=0))
        rules = [
            ([(cx - w * 0.3, y0 + (y1 - y0) * 0.66), (cx + w * 0.3, y0 + (y1 - y0) * 0.66)], 9.0),
            ([(cx - w * 0.2, y0 + (y1 - y0) * 0.78), (cx + w * 0.2, y0 + (y1 - y0) * 0.78)], 5.0),
        ]
    parts.append(Part([], ink, "matte", "flat", cast=0, strokes=rules))
    return parts


def _bottle(d: Design, c: Colors, pose: str) -> list[Part]:
    kind = _kind(d)
    half = (120 if kind == "pump" else 100) * d.stretch * (0.72 if pose == "side" else 1.0)
    top = 380 if kind == "pump" else 470
    body_mat = "gloss" if d.variant % 2 == 0 else "plastic"
    trim_mat = "metal" if d.variant in (1, 4) else "plastic"
    # A dark secondary reads as black plastic; as metal it becomes a champagne collar instead.
    trim = (0.86, 0.76, 0.56) if trim_mat == "metal" and lightness(c.secondary) < 0.3 else c.secondary
    parts = [
        Part(
            [
                spline(
                    [
                        (CX - half * 0.5, top - 30),
                        (CX - half, top + 40),
                        (CX - half, 900),
                        (CX - half + 30, 920),
                        (CX + half - 30, 920),
                        (CX + half, 900),
                        (CX + half, top + 40),
                        (CX + half * 0.5, top - 30),
                    ]
                )
            ],
            c.primary,
            body_mat,
            "cyl",
            bulge=30,
        ),
        Part([rrect(CX - 46, top - 80, CX + 46, top - 10, 10)], trim, trim_mat, "cyl", bulge=10),
    ]
    if pose != "side":
        parts += _label((CX - half + 18, top + 170, CX + half - 18, top + 380), c, d, pose == "back")
    else:
        parts += _label((CX - half + 10, top + 170, CX + half * 0.3, top + 380), c, d, False)[:1]
    if kind == "pump":
        dx = {"back": -1, "side": 0}.get(pose, 1)
        parts += [
            Part([rrect(CX - 14, top - 160, CX + 14, top - 70, 6)], trim, trim_mat, "cyl", bulge=6),
            Part([rrect(CX - 44, top - 200, CX + 44, top - 140, 14)], trim, trim_mat, "cyl", bulge=12),
        ]
        if dx:
            parts.append(
                Part(
                    [rrect(min(CX, CX + dx * 110), top - 196, max(CX, CX + dx * 110), top - 172, 10)],
                    trim,
                    trim_mat,
                    bulge=8,
                )
            )
        else:
            parts.append(Part([ellipse(CX, top - 180, 14, 12)], scale(trim, 0.4), "matte", bulge=6))
    else:
        parts += [
            Part([rrect(CX - 40, top - 100, CX + 40, top - 70, 8)], trim, trim_mat, "cyl", bulge=6),
            Part(
                [
                    spline(
                        [
                            (CX - 36, top - 100),
                            (CX - 42, top - 170),
                            (CX, top - 215),
                            (CX + 42, top - 170),
                            (CX + 36, top - 100),
                        ]
                    )
                ],
                mix(trim, CHARCOAL, 0.5),
                "rubber",
                "cyl",
                bulge=20,
            ),
        ]
    return parts


def _jar(d: Design, c: Colors, pose: str) -> list[Part]:
    trim = c.secondary if lightness(c.primary) < 0.8 else mix(CHARCOAL, c.primary, 0.15)
    return [
        Part([rrect(250, 600, 750, 900, 50)], c.primary, "gloss", "cyl", bulge=30),
        Part([rrect(240, 470, 760, 610, 24)], trim, "metal" if d.variant % 2 else "plastic", "cyl", bulge=14),
        *(_label((300, 680, 700, 840), c, d, pose == "back") if pose != "side" else []),
    ]


def draw(pose: str, d: Design, c: Colors, materials: tuple[str, ...]) -> Model:
    kind = _kind(d)
    if pose == "top":
        trim = c.secondary if lightness(c.primary) < 0.8 else CHARCOAL
        if kind == "jar":
            parts = [
                Part([ellipse(CX, 500, 260, 260)], trim, "metal" if d.variant % 2 else "plastic", bulge=40),
                Part(logo_mark(d.logo, CX, 500, 130), scale(trim, 0.8), "matte", bulge=4),
            ]
        else:
            r = 120 * d.stretch if kind == "pump" else 100 * d.stretch
            parts = [
                Part([ellipse(CX, 500, r, r)], c.primary, "gloss", bulge=r * 0.6),
                Part([ellipse(CX, 500, 46, 46)], trim, "plastic", bulge=14),
            ]
            if kind == "pump":
                parts += [
                    Part([rrect(CX, 488, CX + 150, 512, 10)], trim, "plastic", bulge=8),
                    Part([ellipse(CX, 500, 44, 44)], scale(trim, 1.1), "plastic", bulge=16),
                ]
            else:
                parts.append(Part([ellipse(CX, 500, 38, 38)], mix(trim, CHARCOAL, 0.5), "rubber", bulge=20))
        return Model(parts, ground=None, focus=(CX, 500))
    parts = _jar(d, c, pose) if kind == "jar" else _bottle(d, c, pose)
    focus = (CX, 560) if kind != "jar" else (CX, 620)
    return Model(parts, ground=920 if kind != "jar" else 900, focus=focus)


HERO_POSE = "front"
DETAIL_POSE = "front"
