"""Where the text over the clips goes (off the product) and how opaque its box must be (4.5:1)."""

from __future__ import annotations

import numpy as np
import pytest

from adreel.v1 import compositor_pb2 as pb
from services.compositor import placement
from services.compositor.contrast import MIN_CONTRAST, box_alpha, luminance, ratio, rgb, shade
from services.compositor.layout import FORMATS

FMT = FORMATS[pb.OUTPUT_FORMAT_LANDSCAPE_16_9]


def _studio(product_top: float) -> np.ndarray:
    """A 1/4-size frame: a lit backdrop (bright in the middle, darker at the edges) with a pink
    product filling a third of the height from `product_top`."""
    h, w = FMT.height // placement.SAMPLE, FMT.width // placement.SAMPLE
    yy, xx = np.mgrid[0:h, 0:w]
    glow = 1 - 0.5 * np.hypot((xx - w / 2) / w, (yy - h / 2) / h)
    frame = (np.stack([glow * 170, glow * 180, glow * 170], axis=-1)).astype(np.uint8)
    y0 = int(product_top * h)
    frame[y0 : y0 + h // 3, w // 4 : 3 * w // 4] = (230, 80, 160)
    return frame


@pytest.mark.parametrize(("product_top", "expect_top"), [(0.6, True), (0.05, False)])
def test_text_over_the_clips_goes_where_the_product_is_not(product_top: float, expect_top: bool) -> None:
    mask = placement.product_mask(_studio(product_top))
    assert mask[: int(mask.shape[0] * 0.05)].mean() < 0.01, "the backdrop's light falloff is not product"
    heights = (0.85, 0.15, 0.72, 0.28)
    box, covered = placement.clear_position(FMT, (700, 120), heights, [mask])
    assert covered <= placement.CLEAR
    assert (box[1] < FMT.height / 2) == expect_top
    _, top, _, bottom = placement.safe_box(FMT)
    assert top <= box[1] and box[3] <= bottom


@pytest.mark.parametrize("color", ["ffffff", "ffcc00", "ff0000", "777777", "000000", "3366ff", "00ff00"])
def test_box_brings_every_text_colour_to_its_contrast(color: str) -> None:
    rng = np.random.default_rng(7)
    for background in (
        rng.integers(0, 256, (500, 3)),  # anything
        np.full((500, 3), int(color[:2], 16)),  # the text's own tone
        np.full((500, 3), 255 - int(color[:2], 16)),
    ):
        alpha = box_alpha(color, background.astype(np.uint8))
        text = float(luminance(rgb(color)))
        box = float(luminance(shade(color)))
        blended = alpha * box + (1 - alpha) * luminance(background.astype(np.uint8))
        ratios = np.array([ratio(text, float(b)) for b in blended])
        assert np.percentile(ratios, 1) >= MIN_CONTRAST, (color, alpha)


def test_no_box_where_the_background_already_contrasts() -> None:
    dark = np.full((100, 3), 20, np.uint8)
    assert box_alpha("ffffff", dark) == 0.0
    assert box_alpha("ffffff", dark, floor=0.45) == 0.45
