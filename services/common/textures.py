"""Procedural surfaces shared by the offline engines (numpy float32 RGB in 0..1, deterministic
for a given numpy Generator): a float Gaussian blur, stretched noise, wood, marble, concrete."""

from __future__ import annotations

import numpy as np
from PIL import Image

F32 = np.float32
RGB = tuple[float, float, float]


def _box(arr: np.ndarray, r: int, axis: int) -> np.ndarray:
    pad = [(0, 0)] * arr.ndim
    pad[axis] = (r + 1, r)
    c = np.cumsum(np.pad(arr, pad, mode="edge"), axis=axis, dtype=F32)
    hi = np.take(c, np.arange(2 * r + 1, c.shape[axis]), axis=axis)
    lo = np.take(c, np.arange(0, c.shape[axis] - 2 * r - 1), axis=axis)
    return (hi - lo) / (2 * r + 1)


def blur(arr: np.ndarray, sigma: float) -> np.ndarray:
    """Float Gaussian blur (three box passes per axis): Pillow's blur takes 8-bit images only,
    and 8 bits are too coarse for the height fields the shading differentiates."""
    if sigma < 0.5:
        return arr
    if sigma > 4 and arr.ndim == 2 and min(arr.shape) > 16:
        # Wide blurs are smooth: blur a downsampled copy and scale back up (bicubic keeps the
        # derivatives the shading takes smooth). Several times faster on large parts.
        f = min(int(sigma / 2), max(1, min(arr.shape) // 8))
        h, w = arr.shape
        small = np.asarray(
            Image.fromarray(arr.astype(F32)).resize((max(1, w // f), max(1, h // f)), Image.Resampling.BOX)
        )
        small = blur(small, sigma / f)
        return np.asarray(Image.fromarray(small).resize((w, h), Image.Resampling.BICUBIC), dtype=F32)
    r = max(1, round((np.sqrt(12 * sigma * sigma / 3 + 1) - 1) / 2))
    out = arr.astype(F32, copy=False)
    for axis in (0, 1):
        for _ in range(3):
            out = _box(out, r, axis)
    return out


def stretched_noise(rng: np.random.Generator, h: int, w: int, cols: int, rows: int) -> np.ndarray:
    """A rows x cols grid of normal noise scaled up to h x w (long streaks when rows >> cols)."""
    base = rng.standard_normal((rows, cols)).astype(F32)
    return np.asarray(Image.fromarray(base).resize((w, h), Image.Resampling.BICUBIC), dtype=F32)


def wood(h: int, w: int, rng: np.random.Generator, base: RGB) -> np.ndarray:
    """Horizontal grain bands around the base colour, darker towards the top (further away)."""
    grain = stretched_noise(rng, h, w, 6, 60) * 0.05 + stretched_noise(rng, h, w, 3, 200) * 0.03
    depth = np.linspace(0.82, 1.08, h, dtype=F32)[:, None]
    return np.clip(np.array(base, F32) * ((1 + grain) * depth)[..., None], 0, 1)


def marble(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    n = blur(rng.standard_normal((h, w)).astype(F32), 18)
    n = n / (n.std() + 1e-6)
    veins = (
        np.exp(-((n * 9.0) ** 2)) * 0.6 + np.exp(-((n * 3.0) ** 2)) * 0.15
    )  # thin dark lines where the smooth noise crosses zero
    base = np.array((0.93, 0.92, 0.9), F32)
    shade = np.linspace(0.9, 1.03, h, dtype=F32)[:, None]
    return np.clip(base * (shade - 0.12 * blur(veins, 1.0))[..., None], 0, 1)


def concrete(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    n = (
        blur(rng.standard_normal((h, w)).astype(F32), 1.5) * 0.12
        + blur(rng.standard_normal((h, w)).astype(F32), 25) * 0.6
    )
    base = np.array((0.62, 0.6, 0.57), F32)
    shade = np.linspace(0.85, 1.05, h, dtype=F32)[:, None]
    return np.clip(base * (shade + n * 0.08)[..., None], 0, 1)
