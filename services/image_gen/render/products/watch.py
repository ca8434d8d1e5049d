"""A wristwatch: case, bezel, dial with indices and hands, crown, lugs, leather strap."""

from __future__ import annotations

import math

from services.image_gen.render.design import Design, logo_mark
from services.image_gen.render.model import Model, pick_material
from services.image_gen.render.painter import Part
from services.image_gen.render.palette import CHARCOAL, RGB, Colors, lightness, mix, scale
from services.image_gen.render.shapes import Poly, ellipse, rotate, rrect, spline, squash

CX, CY = 500.0, 500.0
STRAP_MATERIALS = {
    "leather": "leather",
    "suede": "suede",
    "rubber": "rubber",
    "silicone": "rubber",
    "nylon": "fabric",
    "canvas": "fabric",
    "steel": "metal",
    "metal": "metal",
}


def _dial_color(d: Design, c: Colors, has_accent: bool) -> RGB:
    if has_accent:
        return c.accent
    return (0.95, 0.93, 0.87) if d.variant < 3 else mix(CHARCOAL, c.secondary, 0.35)


def _hand(length: float, width: float, angle: float, tail: float = 0.12) -> Poly:
    pts = spline(
        [
            (CX - width / 2, CY),
            (CX - width * 0.35, CY - length * 0.6),
            (CX, CY - length),
            (CX + width * 0.35, CY - length * 0.6),
            (CX + width / 2, CY),
            (CX, CY + length * tail),
        ]
    )
    return rotate(pts, CX, CY, angle)


class _Look:
    """The face's sizes and colours, from the design: what every part of it reads."""

    def __init__(self, d: Design, c: Colors, materials: tuple[str, ...], has_accent: bool) -> None:
        self.r = 190 * d.stretch  # the case's radius
        self.sw = self.r * 0.5  # strap half width at the lugs
        self.metal = c.primary
        self.strap = c.secondary
        self.strap_mat = pick_material(materials, "leather", STRAP_MATERIALS)
        self.dial = _dial_color(d, c, has_accent)
        self.ink = CHARCOAL if lightness(self.dial) > 0.5 else (0.9, 0.88, 0.84)
        self.hands = self.metal if abs(lightness(self.metal) - lightness(self.dial)) > 0.15 else self.ink
        self.stitch = mix(self.strap, (0.95, 0.92, 0.85), 0.55)
        self.seconds = c.accent if has_accent else (0.75, 0.12, 0.1)


def _face(d: Design, c: Colors, materials: tuple[str, ...], has_accent: bool) -> list[Part]:
    """The watch from the front, back to top: strap, lugs, case and dial, the dial's marks, the
    hands and the glare on the crystal."""
    k = _Look(d, c, materials, has_accent)
    return [*_strap(k), *_lugs(k), *_case(k), *_dial_marks(d, k), *_hands(k), _glare(k.r)]


def _strap(k: _Look) -> list[Part]:
    """The two strap ends, the holes, the keeper and the stitching along both edges."""
    r, sw = k.r, k.sw
    return [
        Part(
            [
                spline(
                    [
                        (CX - sw, CY - r * 0.7),
                        (CX - sw * 0.9, CY - 420),
                        (CX, CY - 440),
                        (CX + sw * 0.9, CY - 420),
                        (CX + sw, CY - r * 0.7),
                    ]
                )
            ],
            k.strap,
            k.strap_mat,
            bulge=28,
        ),
        Part(
            [
                spline(
                    [
                        (CX - sw, CY + r * 0.7),
                        (CX - sw * 0.9, CY + 430),
                        (CX, CY + 450),
                        (CX + sw * 0.9, CY + 430),
                        (CX + sw, CY + r * 0.7),
                    ]
                )
            ],
            k.strap,
            k.strap_mat,
            bulge=28,
        ),
        Part(
            [ellipse(CX, CY + 290 + 44 * i, 7, 9) for i in range(4)],
            scale(k.strap, 0.35),
            "matte",
            "flat",
            cast=0,
        ),
        Part(
            [rrect(CX - sw - 8, CY + 330, CX + sw + 8, CY + 362, 10)],
            scale(k.strap, 0.9),
            k.strap_mat,
            bulge=10,
        ),
        Part(
            [],
            k.stitch,
            "fabric",
            "flat",
            cast=0,
            strokes=[
                ([(x, y0 + 16 * i), (x, y0 + 16 * i + 8)], 3.0)
                for x in (CX - sw + 14, CX + sw - 14)
                for y0 in (CY - 420, CY + r)
                for i in range(14)
            ],
        ),
    ]


def _lugs(k: _Look) -> list[Part]:
    """The four lugs holding the strap, angled out from the case."""
    r, sw = k.r, k.sw
    parts = []
    for sx in (-1, 1):
        for sy in (-1, 1):
            lug = rrect(
                CX + sx * (sw - 2) - 22,
                CY + sy * r * 0.62 - 60,
                CX + sx * (sw - 2) + 22,
                CY + sy * r * 0.62 + 60,
                18,
            )
            parts.append(
                Part(
                    [rotate(lug, CX + sx * sw, CY + sy * r * 0.62, sx * sy * 0.25)],
                    k.metal,
                    "metal",
                    bulge=14,
                )
            )
    return parts


def _case(k: _Look) -> list[Part]:
    """The crown at 3, the case, the bezel and the dial."""
    r, metal = k.r, k.metal
    return [
        Part([rrect(CX + r - 10, CY - 26, CX + r + 40, CY + 26, 10)], metal, "metal", "cyl", bulge=10),
        Part([ellipse(CX, CY, r, r)], metal, "metal", bulge=34),
        Part([ellipse(CX, CY, r * 0.87, r * 0.87)], scale(metal, 0.9), "metal", bulge=10),
        Part([ellipse(CX, CY, r * 0.8, r * 0.8)], k.dial, "matte", bulge=60, cast=0.5),
    ]


def _dial_marks(d: Design, k: _Look) -> list[Part]:
    """The minute track, the hour indices (bars, or dots for round and triangular logos), the
    logo and, when the design has stripes, a date window at 3."""
    r = k.r
    ticks = []
    for i in range(60):
        a = i * math.pi / 30
        r0, r1 = r * (0.72 if i % 5 else 0.7), r * 0.77
        ticks.append(
            (
                [
                    (CX + r0 * math.sin(a), CY - r0 * math.cos(a)),
                    (CX + r1 * math.sin(a), CY - r1 * math.cos(a)),
                ],
                2.0 if i % 5 else 0.1,
            )
        )
    indices: list[Poly] = []
    for i in range(12):
        a = i * math.pi / 6
        if d.logo in ("ring", "triangle") and i % 3:
            indices.append(ellipse(CX + r * 0.6 * math.sin(a), CY - r * 0.6 * math.cos(a), 9, 9))
            continue
        w = 16 if i % 3 == 0 else 9
        bar = rrect(CX - w / 2, CY - r * 0.68, CX + w / 2, CY - r * (0.5 if i % 3 == 0 else 0.55), 3)
        indices.append(rotate(bar, CX, CY, a))
    parts = [
        Part([], k.ink, "matte", "flat", cast=0, strokes=[t for t in ticks if t[1] > 1]),
        Part(indices, k.hands, "metal", bulge=4),
        Part(logo_mark(d.logo, CX, CY - r * 0.32, 34), k.hands, "metal", bulge=3, cast=0.2),
    ]
    if d.stripes:
        parts.append(
            Part(
                [rrect(CX + r * 0.36, CY - 13, CX + r * 0.5, CY + 13, 3)],
                (0.97, 0.96, 0.93),
                "matte",
                "flat",
                cast=0.5,
            )
        )
    return parts


def _hands(k: _Look) -> list[Part]:
    """Hour and minute hands, the seconds hand and the pinion holding them."""
    r = k.r
    return [
        Part([_hand(r * 0.46, 20, math.radians(305))], k.hands, "metal", bulge=4, cast=0.6),
        Part([_hand(r * 0.7, 15, math.radians(60))], k.hands, "metal", bulge=4, cast=0.6),
        Part(
            [],
            k.seconds,
            "plastic",
            "flat",
            cast=0.5,
            strokes=[(rotate([(CX, CY + r * 0.16), (CX, CY - r * 0.74)], CX, CY, math.radians(200)), 3.5)],
        ),
        Part([ellipse(CX, CY, 11, 11)], k.hands, "metal", bulge=4),
    ]


def _glare(r: float) -> Part:
    """A faint reflection across the upper left of the crystal."""
    return Part(
        [
            spline(
                [
                    (CX - r * 0.7, CY - r * 0.15),
                    (CX - r * 0.45, CY - r * 0.6),
                    (CX + r * 0.05, CY - r * 0.78),
                    (CX - r * 0.4, CY - r * 0.5),
                ]
            )
        ],
        (1, 1, 1),
        "glass",
        "flat",
        opacity=0.18,
        cast=0,
    )


def draw(pose: str, d: Design, c: Colors, materials: tuple[str, ...], has_accent: bool = False) -> Model:
    r = 190 * d.stretch
    if pose == "back":
        metal = c.primary
        lining = mix(c.secondary, (0.9, 0.85, 0.78), 0.25)
        sw = r * 0.5
        parts = [
            Part([rrect(CX - sw, CY - 440, CX + sw, CY, 50)], lining, "suede", bulge=24),
            Part([rrect(CX - sw, CY, CX + sw, CY + 450, 50)], lining, "suede", bulge=24),
            Part([ellipse(CX, CY, r, r)], metal, "metal", bulge=30),
            Part([ellipse(CX, CY, r * 0.82, r * 0.82)], scale(metal, 0.92), "metal", "flat", bulge=4),
            Part([ellipse(CX, CY, r * 0.5, r * 0.5)], scale(metal, 0.85), "metal", bulge=20),
            Part(logo_mark(d.logo, CX, CY, r * 0.4), scale(metal, 0.7), "metal", bulge=3, cast=0.2),
            Part(
                [
                    ellipse(CX + r * 0.66 * math.cos(a), CY + r * 0.66 * math.sin(a), 9, 9)
                    for a in (0.6, 2.2, 3.8, 5.4)
                ],
                scale(metal, 0.6),
                "metal",
                bulge=5,
            ),
            Part([rrect(CX + r - 10, CY - 26, CX + r + 40, CY + 26, 10)], metal, "metal", "cyl", bulge=10),
        ]
        return Model(parts, ground=CY + 450, focus=(CX + r * 0.4, CY - r * 0.3))
    parts = _face(d, c, materials, has_accent)
    if pose == "top":
        parts = [p.map_points(lambda poly: rotate(poly, CX, CY, math.pi / 2)) for p in parts]
        return Model(parts, ground=None, focus=(CX, CY))
    if pose == "side":
        # Turned away: the face foreshortened, the case band and the strap loop behind it.
        band = Part([ellipse(CX - 34, CY, r * 0.5, r)], scale(c.primary, 0.8), "metal", "cyl", bulge=20)
        loop = [
            Part(
                [ellipse(CX - 100, CY, 220, 420)],
                c.secondary,
                "leather",
                bulge=30,
                cut=[ellipse(CX - 96, CY, 160, 366)],
            ),
        ]
        parts = [*loop, band, *(p.map_points(lambda poly: squash(poly, CX, CY, 0.5, 1.0)) for p in parts)]
        return Model(parts, ground=CY + 450, focus=(CX, CY - r * 0.4))
    return Model(parts, ground=CY + 450, focus=(CX + r * 0.45, CY - r * 0.35))


HERO_POSE = "front"
DETAIL_POSE = "front"
