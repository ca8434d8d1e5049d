"""Lifestyle sets: a room, a bathroom counter or the outdoors, with props, slightly out of focus."""

from __future__ import annotations

import numpy as np

from services.common.textures import concrete, marble, wood
from services.image_gen.render.design import Design
from services.image_gen.render.painter import Frame, Painter, Part
from services.image_gen.render.palette import RGB, Colors, hls, mix
from services.image_gen.render.shapes import ellipse, rrect, spline
from services.image_gen.render.textures import F32, blur

HORIZON = 0.64

SCENES = {
    "footwear": ("street", "room"),
    "watch": ("desk", "room"),
    "skincare": ("bath", "room"),
    "bag": ("room", "street"),
    "electronics": ("desk", "room"),
    "drinkware": ("desk", "room"),
    "apparel": ("room", "street"),
    "other": ("room", "desk"),
}


def _vertical(size: int, top: RGB, bottom: RGB, y0: int, y1: int) -> np.ndarray:
    t = np.linspace(0, 1, y1 - y0, dtype=F32)[:, None, None]
    band = np.array(top, F32) * (1 - t) + np.array(bottom, F32) * t
    return np.broadcast_to(band, (y1 - y0, size, 3)).copy()


def _wall_and_floor(size: int, wall: RGB, floor: np.ndarray) -> np.ndarray:
    h = int(size * HORIZON)
    img = np.empty((size, size, 3), F32)
    img[:h] = _vertical(size, mix(wall, (1, 1, 1), 0.08), wall, 0, h)
    img[h:] = floor
    return img


def _wood(size: int, rng: np.random.Generator, hue: float) -> np.ndarray:
    return wood(size - int(size * HORIZON), size, rng, hls(0.07 + hue * 0.2, 0.46, 0.38))


def _window_light(img: np.ndarray) -> None:
    """Two soft diagonal beams of sunlight across the wall."""
    size = img.shape[0]
    h = int(size * HORIZON)
    ys, xs = np.mgrid[0:h, 0:size].astype(F32)
    d = (xs + ys * 0.55) / size
    beams = sum(np.exp(-(((d - c) / 0.07) ** 4)) for c in (0.38, 0.62))
    img[:h] *= (0.92 + 0.16 * beams)[..., None]


def _plant(cx: float, base: float, pot: RGB, leaf: RGB, tall: float) -> list[Part]:
    parts = [
        Part(
            [spline([(cx - 70, base - 150), (cx + 70, base - 150), (cx + 55, base), (cx - 55, base)])],
            pot,
            "ceramic",
            "cyl",
            bulge=20,
        )
    ]
    for i, ang in enumerate((-0.9, -0.5, -0.15, 0.2, 0.55, 0.95)):
        length = tall * (0.75 + 0.25 * ((i * 37) % 5) / 4)
        tip = (cx + np.sin(ang) * length, base - 150 - np.cos(ang) * length)
        mid = (cx + np.sin(ang) * length * 0.5, base - 150 - np.cos(ang) * length * 0.5)
        w = 34 + 6 * (i % 3)
        perp = (np.cos(ang) * w, np.sin(ang) * w)
        leaf_poly = spline(
            [
                (cx, base - 140),
                (mid[0] + perp[0], mid[1] + perp[1]),
                tip,
                (mid[0] - perp[0], mid[1] - perp[1]),
            ]
        )
        parts.append(Part([leaf_poly], mix(leaf, (0, 0, 0), 0.12 * (i % 2)), "plastic", bulge=18))
    return parts


def _props(scene: str, c: Colors, d: Design, side: float) -> list[Part]:
    """Props in a 1000-unit frame; `side` is the x centre of the prop group."""
    floor = 1000 * HORIZON + 150
    soft = mix(c.secondary, (0.85, 0.83, 0.8), 0.6)
    if scene == "bath":
        return [
            Part([rrect(side - 150, floor - 110, side + 110, floor, 50)], soft, "fabric", "cyl", bulge=40),
            Part([ellipse(side - 20, floor - 55, 52, 52)], mix(soft, (0, 0, 0), 0.08), "fabric", bulge=40),
            Part([ellipse(side + 150, floor - 28, 34, 28)], (0.55, 0.53, 0.5), "matte", bulge=20),
            Part([ellipse(side + 200, floor - 20, 22, 19)], (0.4, 0.39, 0.37), "matte", bulge=14),
        ]
    if scene == "street":
        return [
            Part(
                [rrect(side - 120, floor - 220, side + 120, floor, 6)], (0.66, 0.64, 0.6), "matte", bulge=14
            ),
            Part(
                [rrect(side - 120, floor - 236, side + 120, floor - 212, 6)],
                (0.72, 0.7, 0.66),
                "matte",
                bulge=8,
            ),
        ]
    pot = hls(0.08 + d.hue_jitter, 0.78, 0.12) if d.scene % 2 else hls(0.05, 0.52, 0.42)
    parts = _plant(side, floor, pot, hls(0.3 + d.hue_jitter, 0.3, 0.38), 230)
    if scene == "desk":
        parts = [
            Part(
                [rrect(side + 60, floor - 56, side + 300, floor - 2, 4)],
                hls(0.6, 0.3, 0.25),
                "matte",
                bulge=8,
            ),
            Part(
                [rrect(side + 80, floor - 100, side + 290, floor - 56, 4)],
                hls(0.05, 0.55, 0.3),
                "matte",
                bulge=8,
            ),
            *parts,
        ]
    return parts


def scene_backdrop(size: int, category: str, c: Colors, d: Design, prop_x: float) -> tuple[np.ndarray, str]:
    """The set with its props, softened like a background at f/2.8."""
    options = SCENES.get(category, SCENES["other"])
    scene = options[d.scene % len(options)]
    rng = np.random.default_rng(d.seed + 17)
    h = int(size * HORIZON)
    if scene == "street":
        img = np.empty((size, size, 3), F32)
        img[:h] = _vertical(size, hls(0.58 + d.hue_jitter, 0.72, 0.45), hls(0.09, 0.86, 0.5), 0, h)
        xs = np.arange(size, dtype=F32) / size
        ridge = (HORIZON - 0.08 - 0.05 * np.sin(xs * 5.5 + d.seed % 7) - 0.03 * np.sin(xs * 13 + 1)) * size
        ys = np.arange(h, dtype=F32)[:, None]
        hills = np.clip((ys - ridge[None, :]) / 3, 0, 1)[..., None]
        img[:h] = img[:h] * (1 - hills * 0.35) + np.array(hls(0.4, 0.5, 0.18), F32) * hills * 0.35
        img[h:] = concrete(size - h, size, rng)
    elif scene == "bath":
        img = _wall_and_floor(size, mix(c.wall, (0.92, 0.92, 0.9), 0.6), marble(size - h, size, rng))
        tile = int(size * 0.11)
        img[:h:1, ::tile] *= 0.9
        img[:h:tile] *= 0.9
    elif scene == "desk":
        img = _wall_and_floor(size, mix(c.wall, (0.85, 0.82, 0.78), 0.4), _wood(size, rng, d.hue_jitter))
        _window_light(img)
    else:
        img = _wall_and_floor(size, mix(c.wall, (0.93, 0.9, 0.86), 0.5), _wood(size, rng, d.hue_jitter))
        _window_light(img)
    # The edge of the surface catches a little light.
    img[h : h + 3] *= 1.12
    painter = Painter(size, Frame(size / 1000, 0, 0), d.seed)
    for part in _props(scene, c, d, prop_x):
        painter.paint(part)
    img = img * (1 - painter.alpha[..., None]) + painter.rgb
    return np.clip(blur(img, size / 400), 0, 1), scene
