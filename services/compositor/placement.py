"""Where the text over the clips goes: off the product, where the frames are empty.

The clips are sampled (a few frames, at a quarter of the output size, placed as the output places
them: cover-cropped, or fitted over their blurred fill). The product is what stands out from the
backdrop: pixels far from the frame's border colour, or busy with edges. The lower-third text takes
the first of its candidate heights whose box covers (almost) none of it; when every height covers
some, the one covering least, on a band opaque enough for its contrast.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter, ImageOps

from services.compositor.layout import Format, safe_box

SAMPLE = 4  # frames are analysed at 1/SAMPLE of the output size
# A text box may cover this share of product pixels and still count as clear of it.
CLEAR = 0.01


def product_mask(frame: np.ndarray) -> np.ndarray:
    """Pixels that belong to the product (or anything else standing out from the backdrop): a colour
    unlike the backdrop's (chroma, so a studio backdrop's light falloff is not mistaken for it), or
    edges, grown a little so that a flat area between two edges counts too."""
    ycc = np.asarray(Image.fromarray(frame).convert("YCbCr"), dtype=np.float32)
    chroma = ycc[..., 1:]
    border = np.concatenate([chroma[0], chroma[-1], chroma[:, 0], chroma[:, -1]])
    coloured = np.linalg.norm(chroma - np.median(border, axis=0), axis=-1) > 14
    grey = ycc[..., 0]
    edges = np.zeros(grey.shape, bool)
    edges[1:-1, 1:-1] = (
        np.abs(grey[2:, 1:-1] - grey[:-2, 1:-1]) + np.abs(grey[1:-1, 2:] - grey[1:-1, :-2])
    ) > 36
    grown = Image.fromarray(edges.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(7))
    return coloured | (np.asarray(grown) > 0)


def as_output(frame: Image.Image, fmt: Format) -> tuple[np.ndarray, np.ndarray]:
    """`frame` as the output shows it, at 1/SAMPLE size (RGB uint8), and where its product is.

    A clip fitted over its blurred fill keeps its product inside the clip: the fill is never masked.
    """
    w, h = max(2, fmt.width // SAMPLE), max(2, fmt.height // SAMPLE)
    rgb = frame.convert("RGB")
    if fmt.fills_by_crop(frame.width, frame.height):
        out = np.asarray(ImageOps.fit(rgb, (w, h), Image.Resampling.BILINEAR))
        return out, product_mask(out)
    fill = ImageOps.fit(rgb, (w, h), Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(4))
    fill = fill.point(lambda v: round(v * 0.85))
    fg = ImageOps.contain(rgb, (w, h), Image.Resampling.BILINEAR)
    x, y = (w - fg.width) // 2, (h - fg.height) // 2
    fill.paste(fg, (x, y))
    mask = np.zeros((h, w), bool)
    mask[y : y + fg.height, x : x + fg.width] = product_mask(np.asarray(fg))
    return np.asarray(fill), mask


def _window(fmt: Format, size: tuple[int, int], y_center: float) -> tuple[int, int, int, int]:
    """The text image's (left, top, right, bottom) in output pixels, kept inside the safe area."""
    w, h = size
    _, top, _, bottom = safe_box(fmt)
    y = round(fmt.height * y_center - h / 2)
    y = max(top, min(y, bottom - h))
    x = (fmt.width - w) // 2
    return x, y, x + w, y + h


def region(frames: list[np.ndarray], box: tuple[int, int, int, int]) -> np.ndarray:
    """The pixels of every sampled frame under `box` (output pixels), as an (n, 3) array."""
    x0, y0, x1, y1 = (v // SAMPLE for v in box)
    parts = [f[y0 : max(y0 + 1, y1), x0 : max(x0 + 1, x1)].reshape(-1, 3) for f in frames]
    return np.concatenate(parts) if parts else np.zeros((0, 3), np.uint8)


def clear_position(
    fmt: Format, size: tuple[int, int], candidates: tuple[float, ...], masks: list[np.ndarray]
) -> tuple[tuple[int, int, int, int], float]:
    """The text box at the first candidate height clear of the product, else at the least covering
    one; and the share of product pixels it covers there."""
    best: tuple[tuple[int, int, int, int], float] | None = None
    for y_center in candidates:
        box = _window(fmt, size, y_center)
        x0, y0, x1, y1 = (v // SAMPLE for v in box)
        covered = max((float(m[y0:y1, x0:x1].mean()) for m in masks if y1 > y0 and x1 > x0), default=0.0)
        if covered <= CLEAR:
            return box, covered
        if best is None or covered < best[1]:
            best = (box, covered)
    assert best is not None
    return best


def fixed_position(fmt: Format, size: tuple[int, int], y_center: float) -> tuple[int, int, int, int]:
    return _window(fmt, size, y_center)
