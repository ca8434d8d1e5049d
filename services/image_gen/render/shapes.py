"""Outline builders in product units (a ~1000-unit box, y down): every shape is a polygon."""

from __future__ import annotations

import math
from collections.abc import Sequence

Pt = tuple[float, float]
Poly = list[Pt]


def ellipse(cx: float, cy: float, rx: float, ry: float, *, rot: float = 0.0, n: int = 96) -> Poly:
    c, s = math.cos(rot), math.sin(rot)
    out: Poly = []
    for i in range(n):
        a = 2 * math.pi * i / n
        x, y = rx * math.cos(a), ry * math.sin(a)
        out.append((cx + x * c - y * s, cy + x * s + y * c))
    return out


def arc(cx: float, cy: float, rx: float, ry: float, a0: float, a1: float, n: int = 48) -> Poly:  # noqa: PLR0917
    """Points along an ellipse from angle a0 to a1 (radians, y down so +90deg points down)."""
    return [
        (cx + rx * math.cos(a0 + (a1 - a0) * i / (n - 1)), cy + ry * math.sin(a0 + (a1 - a0) * i / (n - 1)))
        for i in range(n)
    ]


def rrect(x0: float, y0: float, x1: float, y1: float, r: float, *, n: int = 10) -> Poly:
    r = max(0.0, min(r, (x1 - x0) / 2, (y1 - y0) / 2))
    if r == 0:
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    out: Poly = []
    for cx, cy, a0 in (
        (x1 - r, y0 + r, -90),
        (x1 - r, y1 - r, 0),
        (x0 + r, y1 - r, 90),
        (x0 + r, y0 + r, 180),
    ):
        out += arc(cx, cy, r, r, math.radians(a0), math.radians(a0 + 90), n)
    return out


def spline(points: Sequence[Pt], closed: bool = True, n: int = 14) -> Poly:
    """A smooth Catmull-Rom curve through `points`: organic outlines from a few control points."""
    pts = list(points)
    count = len(pts)
    out: Poly = []
    segments = count if closed else count - 1
    for i in range(segments):
        p0 = pts[(i - 1) % count] if closed or i > 0 else pts[0]
        p1, p2 = pts[i], pts[(i + 1) % count]
        p3 = pts[(i + 2) % count] if closed or i + 2 < count else pts[-1]
        for k in range(n):
            t = k / n
            t2, t3 = t * t, t * t * t
            out.append(
                tuple(  # type: ignore[arg-type]
                    0.5
                    * (
                        2 * p1[j]
                        + (-p0[j] + p2[j]) * t
                        + (2 * p0[j] - 5 * p1[j] + 4 * p2[j] - p3[j]) * t2
                        + (-p0[j] + 3 * p1[j] - 3 * p2[j] + p3[j]) * t3
                    )
                    for j in range(2)
                )
            )
    if not closed:
        out.append(pts[-1])
    return out


def mirror_x(poly: Sequence[Pt], cx: float) -> Poly:
    return [(2 * cx - x, y) for x, y in poly]


def move(poly: Sequence[Pt], dx: float, dy: float) -> Poly:
    return [(x + dx, y + dy) for x, y in poly]


def rotate(poly: Sequence[Pt], cx: float, cy: float, angle: float) -> Poly:
    c, s = math.cos(angle), math.sin(angle)
    return [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in poly]


def squash(poly: Sequence[Pt], cx: float, cy: float, sx: float, sy: float) -> Poly:
    return [(cx + (x - cx) * sx, cy + (y - cy) * sy) for x, y in poly]


def lerp_pt(a: Pt, b: Pt, t: float) -> Pt:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def bounds(polys: Sequence[Sequence[Pt]]) -> tuple[float, float, float, float]:
    xs = [x for p in polys for x, _ in p]
    ys = [y for p in polys for _, y in p]
    return min(xs), min(ys), max(xs), max(ys)
