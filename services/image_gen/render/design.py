"""The seed's design decisions: what makes one session's product the same product in every view."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

from services.image_gen.render.shapes import Poly, ellipse, rotate, spline

LOGOS = ("swoosh", "chevron", "ring", "bolt", "triangle", "stripes")


@dataclass(frozen=True)
class Design:
    seed: int
    logo: str
    stripes: int  # 0-3 accent stripes
    variant: int  # which shape family of the category (jar or pump bottle, mug or tumbler...)
    stretch: float  # proportion jitter, ~0.92-1.08
    height: float  # second proportion jitter
    accent_swap: bool  # accents in the accent colour instead of the secondary one
    hue_jitter: float
    scene: int  # lifestyle set
    prop_side: int  # -1 or 1: which side the props stand on

    @classmethod
    def from_seed(cls, seed: int, category: str) -> Design:
        # random.Random with an int seed is stable across processes and runs (unlike hash()).
        rnd = random.Random(seed * 1_000_003 + zlib.crc32(category.encode()))
        return cls(
            seed=seed,
            logo=rnd.choice(LOGOS),
            stripes=rnd.randint(0, 3),
            variant=rnd.randint(0, 5),
            stretch=rnd.uniform(0.92, 1.08),
            height=rnd.uniform(0.92, 1.08),
            accent_swap=rnd.random() < 0.4,
            hue_jitter=rnd.uniform(-0.06, 0.06),
            scene=rnd.randint(0, 5),
            prop_side=rnd.choice((-1, 1)),
        )


def logo_mark(kind: str, cx: float, cy: float, size: float, angle: float = 0.0) -> list[Poly]:
    """A brand mark as polygons (never text), `size` units wide."""
    s = size / 2
    if kind == "swoosh":
        top = [(cx - s, cy + s * 0.1), (cx - s * 0.3, cy + s * 0.45), (cx + s, cy - s * 0.5)]
        bottom = [(cx + s, cy - s * 0.42), (cx - s * 0.25, cy + s * 0.62), (cx - s * 0.95, cy + s * 0.3)]
        polys = [spline(top, closed=False) + spline(bottom, closed=False)]
    elif kind == "chevron":
        t = s * 0.32
        polys = [
            [
                (cx - s, cy - s * 0.5),
                (cx, cy + s * 0.3),
                (cx + s, cy - s * 0.5),
                (cx + s, cy - s * 0.5 + t),
                (cx, cy + s * 0.3 + t),
                (cx - s, cy - s * 0.5 + t),
            ]
        ]
    elif kind == "ring":
        outer = ellipse(cx, cy, s * 0.75, s * 0.75)
        inner = ellipse(cx, cy, s * 0.48, s * 0.48)
        polys = [outer + inner[::-1] + [inner[0], outer[0]], ellipse(cx, cy, s * 0.2, s * 0.2)]
    elif kind == "bolt":
        polys = [
            [
                (cx + s * 0.2, cy - s),
                (cx - s * 0.55, cy + s * 0.12),
                (cx - s * 0.02, cy + s * 0.12),
                (cx - s * 0.25, cy + s),
                (cx + s * 0.6, cy - s * 0.2),
                (cx + s * 0.05, cy - s * 0.2),
            ]
        ]
    elif kind == "triangle":
        polys = [[(cx, cy - s * 0.8), (cx + s * 0.9, cy + s * 0.7), (cx - s * 0.9, cy + s * 0.7)]]
    else:  # stripes
        w = s * 0.28
        polys = [
            [
                (cx + dx - w / 2, cy - s * 0.8),
                (cx + dx + w / 2, cy - s * 0.8),
                (cx + dx + w, cy + s * 0.8),
                (cx + dx, cy + s * 0.8),
            ]
            for dx in (-s * 0.6, 0.0, s * 0.6)
        ]
    return [rotate(p, cx, cy, angle) for p in polys] if angle else polys
