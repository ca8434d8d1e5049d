"""A soft highlight that sweeps once across the clip, like light gliding over a product.

It is an RGBA band made once per clip (numpy) and slid over the frame by FFmpeg's overlay; off
the frame at both ends of the clip, so first and last frames carry the camera move alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

BAND_WIDTH = 320
# Peak opacity of the white band: a sheen, not a flash.
PEAK_ALPHA = 0.10
# The band crosses the frame during this part of the clip.
SWEEP_START, SWEEP_END = 0.2, 0.85


def write_band(path: Path, height: int, seed: int) -> None:
    """A white band with a Gaussian opacity profile, slanted left or right by the seed."""
    slant = 0.25 if (seed >> 1) % 2 == 0 else -0.25
    x = np.arange(BAND_WIDTH, dtype=np.float32)[None, :]
    y = np.arange(height, dtype=np.float32)[:, None]
    centre = BAND_WIDTH / 2 + slant * (y - height / 2)
    alpha = PEAK_ALPHA * 255 * np.exp(-(((x - centre) / 48.0) ** 2))
    rgba = np.full((height, BAND_WIDTH, 4), 255, dtype=np.uint8)
    rgba[..., 3] = np.round(alpha).astype(np.uint8)
    Image.fromarray(rgba, "RGBA").save(path, compress_level=1)


def band_x_expression(width: int, duration_s: float) -> str:
    """Overlay x: linear across the frame between SWEEP_START and SWEEP_END, off-frame outside
    (overlay draws nothing there, so no enable= with its commas is needed)."""
    t0, t1 = SWEEP_START * duration_s, SWEEP_END * duration_s
    return f"(-{BAND_WIDTH}+{width + BAND_WIDTH}*(t-{t0:.4f})/{t1 - t0:.4f})"
