"""Backgrounds of the intro and outro cards: a blurred, toned-down still of a clip (so the card
belongs to the ad), under a soft vertical gradient that keeps the text legible."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageFilter, ImageOps


def still_of(path: Path, at_fraction: float = 0.5) -> Image.Image:
    """One frame of a clip, from about `at_fraction` of its length (the first frame if seeking fails)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration and stream.time_base and at_fraction > 0:
            try:
                container.seek(int(stream.duration * at_fraction), stream=stream, backward=True)
            except av.error.FFmpegError:
                container.seek(0)
        for frame in container.decode(stream):
            return frame.to_image().convert("RGB")
    raise ValueError(f"{path.name} has no video frames")


def card_background(still: Image.Image, width: int, height: int, dark_text: bool) -> Image.Image:
    # Blur at a quarter size: the same look for a sixteenth of the work.
    small = ImageOps.fit(still, (max(1, width // 4), max(1, height // 4)), Image.Resampling.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(radius=max(6, width // 90)))
    rgb = np.asarray(small.resize((width, height), Image.Resampling.BICUBIC), dtype=np.float32)
    # Stronger toning in the middle third, where the text sits.
    y = np.linspace(-1.0, 1.0, height, dtype=np.float32)[:, None, None]
    weight = 0.55 + 0.2 * (1 - y**2)
    tone = 245.0 if dark_text else 12.0  # light card under dark text, dark card under light text
    out = rgb * (1 - weight) + tone * weight
    return Image.fromarray(out.clip(0, 255).astype(np.uint8), "RGB")


def write_card(still: Image.Image, width: int, height: int, dark_text: bool, path: Path) -> Path:
    card_background(still, width, height, dark_text).save(path, compress_level=1)
    return path
