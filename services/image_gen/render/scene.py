"""Composing a shot: set, product placement per view, shadows, reflection, lens and grade."""

from __future__ import annotations

import numpy as np
from PIL import Image

from services.image_gen.render.backdrops import ellipse_mask, surface, sweep
from services.image_gen.render.design import Design
from services.image_gen.render.lifestyle import scene_backdrop
from services.image_gen.render.painter import Frame, Painter
from services.image_gen.render.palette import colors_for
from services.image_gen.render.products import drawing
from services.image_gen.render.spec import RenderSpec
from services.image_gen.render.textures import F32, blur

GROUND = 0.8  # where standing products meet the floor, as a fraction of the height


def _fit(bounds: tuple[float, float, float, float], size: int, width: float, height: float) -> float:
    x0, y0, x1, y1 = bounds
    return min(width * size / (x1 - x0), height * size / (y1 - y0))


def _contact_shadow(size: int, left: float, right: float, ground: float, strength: float) -> np.ndarray:
    """Soft ambient shadow plus a tight dark core where the product meets the floor."""
    w = max(right - left, 1.0)
    cx = (left + right) / 2
    wide = blur(ellipse_mask(size, cx + w * 0.04, ground, w * 0.55, w * 0.06), w * 0.05)
    core = blur(ellipse_mask(size, cx, ground, w * 0.47, w * 0.018), w * 0.012)
    return np.clip(wide * 0.45 + core * 0.55, 0, 1) * strength


def render(spec: RenderSpec) -> Image.Image:
    size = spec.size
    design = Design.from_seed(spec.seed, spec.category)
    colors = colors_for(spec.palette, spec.category, design.hue_jitter)
    product = drawing(spec.category)
    pose = {"detail": product.DETAIL_POSE, "lifestyle": product.HERO_POSE}.get(spec.view, spec.view)
    model = product.draw(pose, design, colors, spec.materials)
    bounds = model.bounds()
    bx0, by0, bx1, by1 = bounds
    cx_units = (bx0 + bx1) / 2
    standing = model.ground is not None

    if standing:
        s = _fit(bounds, size, 0.7, 0.58)
        ground_px = GROUND * size
    else:
        s = _fit(bounds, size, 0.74, 0.74)
        ground_px = 0.0
    texture_boost = 1.0
    if spec.view == "detail":
        s *= 2.6
        texture_boost = 1.7
        frame = Frame(s, size * 0.5 - model.focus[0] * s, size * 0.52 - model.focus[1] * s)
    elif spec.view == "lifestyle":
        s *= 0.9
        ground_px = 0.87 * size
        x = size * (0.5 - 0.1 * design.prop_side)
        frame = Frame(s, x - cx_units * s, ground_px - (model.ground or by1) * s)
    elif standing:
        # Centre the product a little below the middle; the floor is wherever its base lands.
        ty = size * 0.55 - (by0 + by1) / 2 * s
        ground_px = min(0.86 * size, (model.ground or by1) * s + ty)
        frame = Frame(s, size / 2 - cx_units * s, ground_px - (model.ground or by1) * s)
    else:
        frame = Frame(s, size / 2 - cx_units * s, size / 2 - (by0 + by1) / 2 * s)
    if spec.view == "detail" and standing:
        ground_px = (model.ground or by1) * s + frame.ty

    if spec.view == "lifestyle":
        prop_x = 500 + 330 * design.prop_side
        bg, _ = scene_backdrop(size, spec.category, colors, design, prop_x)
    elif standing:
        bg = sweep(size, colors, ground_px / size)
    else:
        bg = surface(size, colors, spec.seed)

    painter = Painter(size, frame, spec.seed, texture_boost, (by0 * s + frame.ty, by1 * s + frame.ty))
    for part in model.parts:
        painter.paint(part)
    rgb, alpha = painter.rgb, painter.alpha

    left, right = bx0 * s + frame.tx, bx1 * s + frame.tx
    if standing:
        shadow = _contact_shadow(size, left, right, ground_px, 0.62)
        bg = bg * (1 - shadow[..., None])
        if spec.view not in {"lifestyle", "detail"}:
            bg = _reflect(bg, rgb, alpha, int(ground_px))
    else:
        drop = np.roll(blur(alpha, size * 0.014), (int(size * 0.016), int(size * 0.012)), axis=(0, 1))
        bg = bg * (1 - 0.42 * drop[..., None])

    img = bg * (1 - alpha[..., None]) + rgb
    if spec.view == "detail":
        img = _depth_of_field(img, size)
    img = _grade(img, spec.seed)
    return Image.fromarray(img)


def _reflect(bg: np.ndarray, rgb: np.ndarray, alpha: np.ndarray, ground: int) -> np.ndarray:
    """A faint mirror image on the glossy studio floor, fading with distance."""
    size = bg.shape[0]
    depth = min(ground, size - ground)
    if depth <= 0:
        return bg
    refl_rgb = rgb[ground - depth : ground][::-1]
    refl_a = alpha[ground - depth : ground][::-1]
    fade = (0.16 * np.exp(-np.arange(depth, dtype=F32) / (0.05 * size)))[:, None]
    out = bg.copy()
    region = out[ground : ground + depth]
    region *= 1 - (refl_a * fade)[..., None]
    region += refl_rgb * fade[..., None]
    return out


def _depth_of_field(img: np.ndarray, size: int) -> np.ndarray:
    """Macro lens: sharp at the focus, soft towards the edges of the frame."""
    soft = blur(img, size / 160)
    ys, xs = np.mgrid[0:size, 0:size].astype(F32)
    d = np.sqrt((xs / size - 0.5) ** 2 + (ys / size - 0.52) ** 2)
    t = np.clip((d - 0.2) / 0.3, 0, 1)[..., None]
    return img * (1 - t) + soft * t


def _grade(img: np.ndarray, seed: int) -> np.ndarray:
    """Lens vignette and a little sensor grain (which also hides gradient banding)."""
    size = img.shape[0]
    ys, xs = np.mgrid[0:size, 0:size].astype(F32)
    r2 = ((xs / size - 0.5) ** 2 + (ys / size - 0.5) ** 2) * 2
    img = img * (1 - 0.2 * r2)[..., None]
    grain = np.random.default_rng(seed).standard_normal((size, size), dtype=F32)[..., None] * 0.008
    return (np.clip(img + grain, 0, 1) * 255 + 0.5).astype(np.uint8)
