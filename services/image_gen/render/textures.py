"""Material surfaces: albedo variation and bump for mesh, leather, brushed metal, fabric...

Textures are laid out in product units (`ppu` pixels per unit), so the macro view shows the
same weave or grain magnified rather than a finer pattern.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from services.common.textures import F32, blur

# blur (services/common/textures.py) is re-exported for the render modules.
__all__ = ["F32", "blur", "hash_material", "surface"]


def _noise(rng: np.random.Generator, h: int, w: int, blur_px: float) -> np.ndarray:
    n = rng.standard_normal((h, w)).astype(F32)
    if blur_px > 0.4:
        small = max(1.0, blur_px)
        # Blurring via downsample + bicubic upsample is much cheaper than a wide Gaussian.
        sh, sw = max(2, int(h / small)), max(2, int(w / small))
        base = rng.standard_normal((sh, sw)).astype(F32)
        up = Image.fromarray(base).resize((w, h), Image.Resampling.BICUBIC)
        n = np.asarray(up, dtype=F32)
    return n / (float(n.std()) + 1e-6)


def _grid(h: int, w: int, ox: int, oy: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[oy : oy + h, ox : ox + w]
    return xs.astype(F32), ys.astype(F32)


def surface(
    material: str, h: int, w: int, *, ox: int, oy: int, ppu: float, seed: int, strength: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """(albedo multiplier around 1, bump height) for a region whose top-left is at pixel (ox, oy)."""
    rng = np.random.default_rng((seed * 7919 + hash_material(material)) & 0xFFFFFFFF)
    one = np.ones((h, w), F32)
    zero = np.zeros((h, w), F32)
    if material == "mesh":
        period = 7.0 * ppu
        xs, ys = _grid(h, w, ox, oy)
        row = np.floor(ys / (period * 0.866))
        xx = (xs + (row % 2) * period / 2) % period - period / 2
        yy = ys % (period * 0.866) - period * 0.433
        hole = np.clip(1.0 - np.sqrt(xx * xx + yy * yy) / (period * 0.3), 0, 1)
        hole = hole * hole * (3 - 2 * hole)
        return one - 0.32 * strength * hole, -hole * strength
    if material == "leather":
        grain = _noise(rng, h, w, 4.0 * ppu) * 0.8 + _noise(rng, h, w, 2.0 * ppu) * 0.2
        return one + 0.025 * strength * grain, grain * 0.035 * ppu * strength
    if material == "suede":
        n = _noise(rng, h, w, 0.8 * ppu)
        return one + 0.05 * strength * n, n * 0.04 * ppu * strength
    if material == "metal":
        # Brushed: streaks along x, made by stretching per-row noise.
        cols = max(2, w // max(2, int(60 * ppu)))
        base = rng.standard_normal((h, cols)).astype(F32)
        streak = np.asarray(Image.fromarray(base).resize((w, h), Image.Resampling.BILINEAR))
        return one + 0.05 * strength * streak, zero
    if material == "fabric":
        period = 3.2 * ppu
        xs, ys = _grid(h, w, ox, oy)
        weave = np.sin(xs * (2 * np.pi / period)) * np.sin(ys * (2 * np.pi / period))
        n = _noise(rng, h, w, 6 * ppu)
        return one + strength * (0.05 * weave + 0.03 * n), weave * 0.35 * strength
    if material == "knit":
        period = 5.0 * ppu
        xs, ys = _grid(h, w, ox, oy)
        v = np.abs(((xs / period) % 1.0) - 0.5) * 2
        loops = np.sin(ys * (2 * np.pi / period) + v * 2.5)
        return one + 0.06 * strength * loops, loops * 0.4 * strength
    if material in ("rubber", "matte", "ceramic", "plastic"):
        n = _noise(rng, h, w, 0.6 * ppu)
        return one + 0.012 * strength * n, zero
    return one, zero


def hash_material(material: str) -> int:
    return sum((i + 1) * ord(c) for i, c in enumerate(material))
