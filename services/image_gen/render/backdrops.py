"""Studio sets: a seamless sweep for standing products, a lit surface for flat lays."""

from __future__ import annotations

import numpy as np

from services.image_gen.render.palette import Colors
from services.image_gen.render.textures import F32, blur


def _smoothstep(e0: float, e1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - e0) / (e1 - e0), 0, 1)
    return t * t * (3 - 2 * t)


def _coords(size: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:size, 0:size].astype(F32)
    return xs / size, ys / size


def sweep(size: int, c: Colors, ground: float) -> np.ndarray:
    """Wall curving into floor with no horizon line, a light pool behind the product."""
    u, v = _coords(size)
    t = _smoothstep(ground - 0.3, ground + 0.05, v)[..., None]
    base = np.array(c.wall, F32) * (1 - t) + np.array(c.floor, F32) * t
    pool = np.exp(-(((u - 0.5) / 0.42) ** 2 + ((v - ground + 0.3) / 0.38) ** 2))
    floor_pool = np.exp(-(((u - 0.5) / 0.45) ** 2 + ((v - ground) / 0.12) ** 2))
    light = 0.86 + 0.22 * pool + 0.1 * floor_pool
    return np.clip(base * light[..., None], 0, 1)


def surface(size: int, c: Colors, seed: int) -> np.ndarray:
    """A tabletop seen from above (flat lay): soft light falloff and a faint paper tooth."""
    u, v = _coords(size)
    rng = np.random.default_rng(seed)
    tooth = blur(rng.standard_normal((size, size)).astype(F32), 1.2) * 0.03
    pool = np.exp(-(((u - 0.42) / 0.6) ** 2 + ((v - 0.38) / 0.6) ** 2))
    light = 0.84 + 0.2 * pool + tooth
    base = np.array(c.floor, F32) * 0.5 + np.array(c.wall, F32) * 0.5
    return np.clip(base * light[..., None], 0, 1)


def ellipse_mask(size: int, cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    ys, xs = np.mgrid[0:size, 0:size].astype(F32)
    d = ((xs - cx) / max(rx, 1.0)) ** 2 + ((ys - cy) / max(ry, 1.0)) ** 2
    return np.clip(1.5 - d, 0, 1).astype(F32)
