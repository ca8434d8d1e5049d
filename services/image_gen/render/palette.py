"""Colours: parsing "#rrggbb", shades, and the backdrop that sets the product off."""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass

RGB = tuple[float, float, float]  # 0-1 floats

HEX_RE = re.compile(r"#[0-9a-fA-F]{6}")

# What a product looks like when the parser found no colour at all.
DEFAULT_PRIMARY = {
    "footwear": "#f2f2f0",
    "watch": "#c9c9cc",
    "skincare": "#f4f1ec",
    "bag": "#8a5a3b",
    "electronics": "#2a2b2f",
    "drinkware": "#e9e6df",
    "apparel": "#3b4a6b",
    "other": "#d9d4cc",
}


def parse_hex(value: str) -> RGB:
    if not HEX_RE.fullmatch(value):
        raise ValueError(f"not a #rrggbb colour: {value!r}")
    return (int(value[1:3], 16) / 255, int(value[3:5], 16) / 255, int(value[5:7], 16) / 255)


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def scale(c: RGB, f: float) -> RGB:
    return (min(1.0, c[0] * f), min(1.0, c[1] * f), min(1.0, c[2] * f))


def lightness(c: RGB) -> float:
    return colorsys.rgb_to_hls(*c)[1]


def luma(c: RGB) -> float:
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def hls(h: float, light: float, sat: float) -> RGB:
    return colorsys.hls_to_rgb(h % 1.0, max(0.0, min(1.0, light)), max(0.0, min(1.0, sat)))


WHITE: RGB = (0.96, 0.955, 0.94)
CHARCOAL: RGB = (0.16, 0.16, 0.18)
RUBBER: RGB = (0.2, 0.19, 0.19)
STEEL: RGB = (0.78, 0.79, 0.81)


@dataclass(frozen=True)
class Colors:
    primary: RGB
    secondary: RGB
    accent: RGB
    # Backdrop: wall at the top, sweep/floor at the bottom.
    wall: RGB
    floor: RGB
    dark_set: bool


def colors_for(palette: tuple[str, ...], category: str, hue_jitter: float) -> Colors:
    hexes = list(palette) or [DEFAULT_PRIMARY.get(category, DEFAULT_PRIMARY["other"])]
    primary = parse_hex(hexes[0])
    lp = lightness(primary)
    secondary = parse_hex(hexes[1]) if len(hexes) > 1 else CHARCOAL if lp > 0.75 else WHITE
    if len(hexes) > 2:
        accent = parse_hex(hexes[2])
    else:
        # A deeper tone of the primary reads as a designed accent, not a random colour.
        accent = scale(primary, 0.72) if lp > 0.25 else mix(primary, WHITE, 0.35)

    h, _, s = colorsys.rgb_to_hls(*primary)
    # Warm neutral drifting towards the product's hue; grey products get a seed-chosen tint.
    hue = (h if s > 0.12 else 0.08) + hue_jitter
    dark_set = category in ("watch", "electronics") and lp > 0.3
    if dark_set:
        wall, floor = hls(hue, 0.2, 0.1), hls(hue, 0.13, 0.1)
    elif lp > 0.7 or (luma(primary) > 0.62):
        # Light product: a mid-tone set so white and pastel bodies keep their edges.
        # Saturated pastels sit best on a near-neutral of the opposite hue; whites on a tinted one.
        tint = (hue + 0.5, 0.07) if s > 0.3 else (hue, 0.14)
        wall, floor = hls(tint[0], 0.64, tint[1]), hls(tint[0], 0.56, tint[1])
    else:
        wall, floor = hls(hue, 0.9, 0.14), hls(hue, 0.82, 0.12)
    return Colors(primary, secondary, accent, wall, floor, dark_set)
