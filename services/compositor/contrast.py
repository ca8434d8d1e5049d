"""Text legibility in WCAG terms: relative luminance, contrast ratio, and how opaque a box behind the
text must be for the text to keep at least 4.5:1 against whatever the frame shows there."""

from __future__ import annotations

import numpy as np

MIN_CONTRAST = 4.5
BLACK, WHITE = (0, 0, 0), (255, 255, 255)


def _linear(rgb: np.ndarray) -> np.ndarray:
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def luminance(rgb: np.ndarray | tuple[int, int, int]) -> np.ndarray:
    """WCAG relative luminance (0 black - 1 white) of one colour or of an (..., 3) array of them."""
    lin = _linear(np.asarray(rgb))
    return lin[..., 0] * 0.2126 + lin[..., 1] * 0.7152 + lin[..., 2] * 0.0722


def ratio(l1: float, l2: float) -> float:
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def rgb(color: str) -> tuple[int, int, int]:
    """ "rrggbb" -> (r, g, b)."""
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def is_dark(color: str) -> bool:
    """Text that reads better on white than on black (it gets a light card and a white shade)."""
    lum = float(luminance(rgb(color)))
    return ratio(lum, 1.0) > ratio(lum, 0.0)


def shade(color: str) -> tuple[int, int, int]:
    """The shadow and box colour of a text: whichever of black and white contrasts more with it.
    One of the two always reaches 4.58:1 or more, so a box of it can always bring 4.5:1."""
    return WHITE if is_dark(color) else BLACK


def box_alpha(color: str, background: np.ndarray, floor: float = 0.0) -> float:
    """The least opacity (>= floor) of a box of `shade(color)` behind the text such that the text
    keeps MIN_CONTRAST over (nearly) every pixel of `background` ((..., 3) uint8), 0 if none is needed.

    Luminance is linear in linear light, so the blend's luminance is a*L(shade) + (1-a)*L(pixel).
    The brightest (or darkest) 1% of pixels are ignored: a stray highlight is not the background.
    """
    text = float(luminance(rgb(color)))
    lum = luminance(background.reshape(-1, 3)) if background.size else np.zeros(1)
    if shade(color) == BLACK:
        worst = float(np.percentile(lum, 99))
        most = (text + 0.05) / MIN_CONTRAST - 0.05  # the brightest a background may be
        need = 0.0 if worst <= most else 1 - most / worst
    else:
        worst = float(np.percentile(lum, 1))
        least = MIN_CONTRAST * (text + 0.05) - 0.05  # the darkest a background may be
        need = 0.0 if worst >= least else (least - worst) / (1 - worst)
    need = min(1.0, need + 0.02) if need > 0 else 0.0  # a margin for video compression
    return max(floor, need)


def on_button(color: str, button: str) -> str:
    """The text colour on a solid button of `button`: the text's own when it keeps MIN_CONTRAST
    there, else black or white, whichever reads better (both "rrggbb")."""
    if ratio(float(luminance(rgb(color))), float(luminance(rgb(button)))) >= MIN_CONTRAST:
        return color
    return "ffffff" if is_dark(button) else "000000"
