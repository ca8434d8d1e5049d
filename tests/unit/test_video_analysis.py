"""The clip measures of tests/video_analysis.py checked on frames made here: the smoothness check flags
a pan stepped in whole pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from tests.video_analysis import ease, eased_smooth_errors, textured_image

FRAMES = 75  # a 2.5 s clip at 30 fps, as tests/integration/test_video_gen.py renders


def test_the_smoothness_check_catches_whole_pixel_steps(tmp_path: Path) -> None:
    """Control: the same eased pan, but positions rounded to whole pixels, must be flagged."""
    textured_image(tmp_path / "t.png")
    still = np.asarray(Image.open(tmp_path / "t.png").convert("L"), dtype=np.float64)
    n, travel = FRAMES - 1, 172
    frames = np.stack([still[300:588, 200 + round(travel * ease(k / n)) :][:, :512] for k in range(n + 1)])
    assert any("jitters" in p for p in eased_smooth_errors(frames))
