"""Backdrops for the offline engine: the product still as a framed print over a drawn setting.

Each setting is drawn with numpy at the canvas size, deterministic from the request seed
(surfaces from services/common/textures.py). The cover-cropped still becomes a card about 62%
of the canvas height, centred slightly above the middle, with a soft drop shadow and a thin light
border; the camera move then plays over the whole canvas.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

import numpy as np
from PIL import Image, ImageFilter

from services.common.textures import F32, blur, concrete, marble, stretched_noise, wood

Setting = Literal["marble", "wood", "concrete", "beach", "studio"]

PRINT_HEIGHT = 0.62  # of the canvas height
PRINT_CENTRE_Y = 0.46  # of the canvas height: slightly above the middle
_BORDER = (0.96, 0.95, 0.92)


def _vertical(h: int, w: int, top: tuple[float, ...], bottom: tuple[float, ...]) -> np.ndarray:
    t = np.linspace(0, 1, h, dtype=F32)[:, None, None]
    band = np.array(top, F32) * (1 - t) + np.array(bottom, F32) * t
    return np.broadcast_to(band, (h, w, 3)).copy()


def _beach(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Sky, a band of sea with long ripples, then sand with a fine speckle."""
    sky_end, sea_end = int(h * 0.42), int(h * 0.58)
    img = np.empty((h, w, 3), F32)
    img[:sky_end] = _vertical(sky_end, w, (0.55, 0.74, 0.92), (0.86, 0.92, 0.96))
    ripples = stretched_noise(rng, sea_end - sky_end, w, 4, 40)[..., None]
    img[sky_end:sea_end] = _vertical(sea_end - sky_end, w, (0.16, 0.45, 0.62), (0.36, 0.66, 0.72))
    img[sky_end:sea_end] *= 1 + 0.06 * ripples
    speckle = blur(rng.standard_normal((h - sea_end, w)).astype(F32), 0.8)[..., None]
    dunes = stretched_noise(rng, h - sea_end, w, 5, 3)[..., None]
    img[sea_end:] = _vertical(h - sea_end, w, (0.93, 0.85, 0.68), (0.84, 0.72, 0.52))
    img[sea_end:] *= 1 + 0.04 * speckle + 0.03 * dunes
    # Foam where the sea meets the sand.
    img[sea_end - 3 : sea_end + 2] = np.array((0.95, 0.96, 0.95), F32)
    return np.clip(img, 0, 1)


def _studio(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A seamless sweep: a wall darkening towards the top, a bright floor, a soft vignette."""
    tint = np.array((0.0, 0.0, 0.0), F32) + rng.uniform(-0.03, 0.03, 3).astype(F32)
    img = _vertical(h, w, tuple(np.array((0.62, 0.62, 0.64), F32) + tint), (0.93, 0.92, 0.9))
    yy, xx = np.mgrid[0:h, 0:w].astype(F32)
    vignette = 1 - 0.22 * (((xx - w / 2) / (w / 2)) ** 2 + ((yy - h * 0.6) / h) ** 2)
    return np.clip(img * vignette[..., None], 0, 1)


def draw_backdrop(setting: Setting, width: int, height: int, seed: int) -> np.ndarray:
    """(height, width, 3) float32 RGB in 0..1."""
    rng = np.random.default_rng([seed, get_args(Setting).index(setting)])
    if setting == "marble":
        return marble(height, width, rng)
    if setting == "wood":
        return wood(height, width, rng, (0.55, 0.36, 0.2))
    if setting == "concrete":
        return concrete(height, width, rng)
    if setting == "beach":
        return _beach(height, width, rng)
    return _studio(height, width, rng)


def frame_on_backdrop(path: Path, setting: Setting, seed: int) -> None:
    """Rewrite the canvas PNG: the still as a bordered, shadowed card over the setting."""
    still = Image.open(path).convert("RGB")
    w, h = still.size
    ph = round(h * PRINT_HEIGHT)
    pw = round(ph * w / h)
    border = max(2, round(h * 0.008))
    card = np.full((ph + 2 * border, pw + 2 * border, 3), _BORDER, F32)
    card[border:-border, border:-border] = (
        np.asarray(still.resize((pw, ph), Image.Resampling.LANCZOS), dtype=F32) / 255.0
    )
    ch, cw = card.shape[:2]
    x0, y0 = (w - cw) // 2, round(h * PRINT_CENTRE_Y - ch / 2)

    out = draw_backdrop(setting, w, h, seed)
    # Soft drop shadow, falling down and to the right of the card.
    shadow = Image.new("L", (w, h), 0)
    off = round(h * 0.02)
    shadow.paste(255, (x0 + off, y0 + off, x0 + off + cw, y0 + off + ch))
    soft = np.asarray(shadow.filter(ImageFilter.GaussianBlur(h * 0.02)), dtype=F32) / 255.0
    out = out * (1 - 0.45 * soft)[..., None]
    out[y0 : y0 + ch, x0 : x0 + cw] = card
    Image.fromarray(np.round(np.clip(out, 0, 1) * 255).astype(np.uint8), "RGB").save(path, compress_level=1)
