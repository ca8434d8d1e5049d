"""A sneaker: sole unit, upper, toe cap, heel counter and tab, eyestay, laces, side mark."""

from __future__ import annotations

import itertools
import math

from services.image_gen.render.design import Design, logo_mark
from services.image_gen.render.model import Model, pick_material
from services.image_gen.render.painter import Part
from services.image_gen.render.palette import CHARCOAL, Colors, lightness, mix, scale
from services.image_gen.render.shapes import Poly, Pt, ellipse, lerp_pt, mirror_x, move, rrect, spline

UPPER_MATERIALS = {"leather": "leather", "suede": "suede", "knit": "knit", "canvas": "fabric", "mesh": "mesh"}


class _Look:
    def __init__(self, d: Design, c: Colors, materials: tuple[str, ...]) -> None:
        self.upper = c.primary
        self.trim = c.accent if d.accent_swap else c.secondary
        self.sole = c.secondary if lightness(c.secondary) > 0.6 else mix(c.secondary, (1, 1, 1), 0.85)
        self.outsole = scale(self.sole, 0.55) if d.variant % 2 else mix(CHARCOAL, self.sole, 0.25)
        self.laces = c.secondary
        self.eyestay = (
            scale(c.primary, 0.86) if lightness(c.primary) > 0.35 else mix(c.primary, (1, 1, 1), 0.2)
        )
        self.lining = mix(CHARCOAL, c.primary, 0.25)
        self.stitch = scale(c.primary, 0.7)
        self.mark = c.secondary if lightness(c.secondary) < 0.9 or lightness(c.primary) < 0.7 else c.accent
        self.material = pick_material(materials, "mesh", UPPER_MATERIALS)


def _dashes(line: Poly, dash: float = 9, gap: float = 7) -> list[tuple[Poly, float]]:
    """Stitching: short strokes along a polyline."""
    out: list[tuple[Poly, float]] = []
    acc, on = 0.0, True
    for a, b in itertools.pairwise(line):
        seg = math.dist(a, b)
        t = 0.0
        while t < seg:
            step = min((dash if on else gap) - acc, seg - t)
            if on:
                out.append(([lerp_pt(a, b, t / seg), lerp_pt(a, b, (t + step) / seg)], 2.6))
            t += step
            acc += step
            if acc >= (dash if on else gap) - 1e-6:
                acc, on = 0.0, not on
    return out


def side(d: Design, c: Colors, materials: tuple[str, ...]) -> Model:
    """The lateral side, toe to the right: the sole unit, the upper and its overlays, the lacing,
    the side mark and the trim lines, each drawn over the one before."""
    k = _Look(d, c, materials)
    toe = 30 * (d.height - 1)  # toe spring
    parts = [
        _outsole(k, toe),
        *_upper(k, toe),
        *_overlays(d, k, toe),
        # Midsole last so it wraps the upper, as a cupsole does.
        _midsole(k, toe, sole_top=606 - 40 * (d.stretch - 1)),
        *_lacing(k),
        _side_mark(d, k),
        *_trim_lines(d, c, k, toe),
    ]
    return Model(parts, ground=704, focus=(560, 470))


def _outsole(k: _Look, toe: float) -> Part:
    """The tread under the midsole, curling up at the toe."""
    return Part(
        [
            spline(
                [
                    (100, 680),
                    (300, 712),
                    (600, 712),
                    (830, 694),
                    (926, 650 - toe),
                    (930, 636 - toe),
                    (830, 676),
                    (600, 694),
                    (300, 694),
                    (108, 660),
                ]
            )
        ],
        k.outsole,
        "rubber",
        bulge=8,
    )


def _upper(k: _Look, toe: float) -> list[Part]:
    """The upper (heel, collar, tongue, vamp, toe), the collar's lining and the tongue's pull tab."""
    return [
        Part(
            [
                spline(
                    [
                        (104, 628),
                        (74, 520),
                        (96, 402),
                        (150, 380),
                        (250, 420),
                        (338, 412),
                        (392, 352),
                        (440, 318),
                        (478, 334),
                        (560, 408),
                        (700, 468),
                        (850, 518),
                        (936, 586 - toe),
                        (934, 624 - toe),
                        (700, 640),
                        (400, 636),
                        (200, 634),
                    ]
                )
            ],
            k.upper,
            k.material,
            bulge=70,
        ),
        # Collar lining and padding.
        Part(
            [
                spline(
                    [
                        (104, 400),
                        (160, 386),
                        (252, 424),
                        (340, 416),
                        (388, 362),
                        (404, 372),
                        (356, 440),
                        (254, 452),
                        (150, 424),
                        (108, 428),
                    ]
                )
            ],
            k.lining,
            "fabric",
            bulge=14,
        ),
        # Tongue top with a pull tab.
        Part(
            [spline([(396, 350), (432, 300), (470, 296), (488, 330), (448, 352)])],
            k.upper,
            k.material,
            bulge=22,
        ),
        Part([rrect(444, 292, 466, 334, 8)], k.trim, "leather", bulge=6),
    ]


def _overlays(d: Design, k: _Look, toe: float) -> list[Part]:
    """Leather stitched over the upper: heel counter, heel tab and toe cap."""
    return [
        Part(
            [spline([(100, 632), (72, 530), (90, 440), (150, 452), (200, 540), (214, 630)])],
            k.trim,
            "leather",
            bulge=30,
        ),
        Part([rrect(90, 368, 132, 446, 14)], k.trim, "leather", bulge=10),
        # Toe cap.
        Part(
            [spline([(762, 636), (752, 566), (790, 514), (862, 526), (936, 588 - toe), (934, 626 - toe)])],
            k.trim if d.variant % 3 else mix(k.upper, (1, 1, 1), 0.35),
            "leather",
            bulge=34,
        ),
    ]


def _midsole(k: _Look, toe: float, sole_top: float) -> Part:
    """The cupsole wrapping the upper's base, thicker at the heel."""
    return Part(
        [
            spline(
                [
                    (96, 630),
                    (92, 682),
                    (300, 700),
                    (600, 700),
                    (822, 684),
                    (918, 646 - toe),
                    (950, 604 - toe),
                    (880, 598 - toe / 2),
                    (700, sole_top + 10),
                    (450, sole_top + 4),
                    (250, sole_top),
                    (104, 586),
                ]
            )
        ],
        k.sole,
        "rubber",
        bulge=26,
    )


def _lacing(k: _Look) -> list[Part]:
    """The eyestay band along the lace line, its eyelets and the crossed laces."""
    lace_a, lace_b = (404, 372), (700, 488)
    eyestay = [lerp_pt(lace_a, lace_b, t) for t in (0, 0.5, 1)]
    eyelets = [lerp_pt(lace_a, lace_b, 0.08 + 0.84 * i / 5) for i in range(6)]
    lace_strokes = [([(x - 26, y - 14), (x + 22, y + 18)], 15.0) for x, y in eyelets] + [
        ([(x - 20, y + 16), (x + 28, y - 12)], 13.0) for x, y in eyelets[:-1]
    ]
    return [
        Part([], k.eyestay, "leather", bulge=10, strokes=[(spline(eyestay, closed=False), 46)]),
        Part([ellipse(x + 6, y + 12, 7, 7) for x, y in eyelets], scale(k.lining, 0.8), "metal", "flat"),
        Part([], k.laces, "fabric", bulge=6, strokes=lace_strokes),
    ]


def _side_mark(d: Design, k: _Look) -> Part:
    """The brand's mark on the quarter, shaped by the seed."""
    return Part(
        logo_mark(d.logo, 500 + 20 * d.stretch, 552, 270, -0.2 if d.logo == "swoosh" else -0.1),
        k.mark,
        "leather",
        bulge=10,
    )


def _trim_lines(d: Design, c: Colors, k: _Look, toe: float) -> list[Part]:
    """Stripes along the midsole (as many as the design has) and the stitching of the overlays."""
    parts = []
    stripes = [
        ([(160 + 40 * i, 654 + 9 * i), (860 - 30 * i, 648 + 9 * i - toe / 2)], 5.0) for i in range(d.stripes)
    ]
    if stripes:
        parts.append(Part([], c.accent, "rubber", "flat", strokes=stripes))
    stitching = _dashes(spline([(762, 630), (752, 566), (790, 514), (862, 526)], closed=False))
    stitching += _dashes(spline([(214, 626), (200, 540), (150, 452), (92, 444)], closed=False))
    parts.append(Part([], k.stitch, "fabric", "flat", strokes=stitching))
    return parts


def _front_one(cx: float, d: Design, k: _Look, c: Colors) -> list[Part]:
    w = 165 * d.stretch

    def sym(pts: list[Pt]) -> Poly:
        return spline(pts + [(2 * cx - x, y) for x, y in reversed(pts)])

    return [
        Part([rrect(cx - w - 4, 664, cx + w + 4, 706, 20)], k.outsole, "rubber", bulge=8),
        Part([rrect(cx - w - 8, 612, cx + w + 8, 690, 36)], k.sole, "rubber", bulge=24),
        Part([sym([(cx - 70, 330), (cx - 105, 380), (cx - 125, 460)])], k.lining, "fabric", bulge=20),
        Part(
            [sym([(cx - w + 6, 636), (cx - w - 4, 540), (cx - 120, 450), (cx - 60, 424)])],
            k.upper,
            k.material,
            bulge=80,
        ),
        Part([rrect(cx - 58, 290, cx + 58, 470, 40)], k.upper, k.material, bulge=30),
        Part([rrect(cx - 18, 280, cx + 18, 326, 10)], k.trim, "leather", bulge=8),
        Part([sym([(cx - w + 8, 640), (cx - w + 2, 586), (cx - 80, 548)])], k.trim, "leather", bulge=40),
        Part(
            [],
            k.laces,
            "fabric",
            bulge=6,
            strokes=[([(cx - 68, y + 10), (cx + 68, y - 10)], 15.0) for y in (372, 410, 448)]
            + [([(cx - 68, y - 10), (cx + 68, y + 10)], 13.0) for y in (390, 428, 466)],
        ),
    ]


def front(d: Design, c: Colors, materials: tuple[str, ...], back: bool = False) -> Model:
    k = _Look(d, c, materials)
    parts = _front_one(330, d, k, c) + [p for p in _front_one(690, d, k, c)]
    return Model(parts, ground=704, focus=(330, 520))


def back(d: Design, c: Colors, materials: tuple[str, ...]) -> Model:
    k = _Look(d, c, materials)
    parts: list[Part] = []
    for cx in (330, 690):
        w = 150 * d.stretch

        def sym(pts: list[Pt], cx: float = cx) -> Poly:
            return spline(pts + [(2 * cx - x, y) for x, y in reversed(pts)])

        parts += [
            Part([rrect(cx - w - 4, 664, cx + w + 4, 706, 20)], k.outsole, "rubber", bulge=8),
            Part([rrect(cx - w - 8, 606, cx + w + 8, 690, 30)], k.sole, "rubber", bulge=24),
            Part(
                [sym([(cx - w + 4, 636), (cx - w, 520), (cx - 118, 404), (cx - 70, 372)])],
                k.upper,
                k.material,
                bulge=80,
            ),
            Part([ellipse(cx, 392, 78, 26)], k.lining, "fabric", bulge=10),
            Part([sym([(cx - w + 6, 638), (cx - w + 2, 540), (cx - 40, 560)])], k.trim, "leather", bulge=40),
            Part([rrect(cx - 24, 328, cx + 24, 450, 14)], k.trim, "leather", bulge=12),
        ]
        if d.stripes:
            parts.append(Part([rrect(cx - 8, 460, cx + 8, 600, 4)], c.accent, "plastic", "flat"))
    return Model(parts, ground=704, focus=(330, 460))


def top(d: Design, c: Colors, materials: tuple[str, ...]) -> Model:
    k = _Look(d, c, materials)
    outline = [
        (80, 500),
        (120, 420),
        (300, 396),
        (520, 404),
        (760, 414),
        (900, 450),
        (952, 500),
        (900, 552),
        (760, 586),
        (520, 596),
        (300, 604),
        (120, 580),
    ]
    inner = [(x + (500 - x) * 0.05, y + (500 - y) * 0.12) for x, y in outline]
    parts = [
        Part([spline(outline)], k.sole, "rubber", bulge=20),
        Part([spline(inner)], k.upper, k.material, bulge=90),
        Part(
            [spline([(770, 430), (880, 456), (930, 500), (880, 546), (770, 570), (740, 500)])],
            k.trim,
            "leather",
            bulge=40,
        ),
        Part([ellipse(240, 500, 120, 74)], k.upper, "leather", bulge=30),
        Part([ellipse(244, 500, 96, 54)], k.lining, "fabric", bulge=30),
        Part([rrect(330, 462, 560, 538, 30)], k.upper, k.material, bulge=24),
        Part([rrect(90, 480, 128, 520, 12)], k.trim, "leather", bulge=8),
    ]
    xs = [380 + i * 46 for i in range(6)]
    parts.append(
        Part(
            [],
            k.trim,
            "leather",
            bulge=8,
            strokes=[([(xs[0], 452), (xs[-1] + 40, 470)], 30), ([(xs[0], 548), (xs[-1] + 40, 530)], 30)],
        )
    )
    parts.append(
        Part(
            [],
            k.laces,
            "fabric",
            bulge=6,
            strokes=[([(x, 452), (x + 40, 548)], 15.0) for x in xs]
            + [([(x, 548), (x + 40, 452)], 13.0) for x in xs],
        )
    )
    return Model(parts, ground=None, focus=(520, 500))


def draw(pose: str, d: Design, c: Colors, materials: tuple[str, ...]) -> Model:
    if pose == "front":
        return front(d, c, materials)
    if pose == "back":
        return back(d, c, materials)
    if pose == "top":
        # A flat lay shows the pair: the left shoe is the right one mirrored.
        right, left = top(d, c, materials), top(d, c, materials)
        right_parts = [p.map_points(lambda poly: move(poly, 0, 120)) for p in right.parts]
        left_parts = [p.map_points(lambda poly: [(x, 380 - (y - 500)) for x, y in poly]) for p in left.parts]
        return Model(left_parts + right_parts, ground=None, focus=(520, 620))
    model = side(d, c, materials)
    if d.variant % 2:  # mirror image: toe to the left, as many catalogues shoot the lateral side
        model.parts = [p.map_points(lambda poly: mirror_x(poly, 512)) for p in model.parts]
        model.focus = (1024 - model.focus[0], model.focus[1])
    return model


HERO_POSE = "side"
DETAIL_POSE = "side"
