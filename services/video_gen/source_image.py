"""Source stills: refused when they are not a usable image, cover-cropped to the clip's 16:9."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from services.common.errors import InvalidArgument

MAX_PIXELS = 50_000_000
MIN_SIDE = 16


def check_image(path: Path, field: str) -> tuple[int, int]:
    """Width and height of a decodable still of sane size.

    The size is checked from the header before any pixel is decoded (no decompression bombs);
    then the pixels are decoded once, so a truncated file fails here as bad input.
    """
    try:
        with Image.open(path) as im:
            width, height = im.size
            if im.format not in {"PNG", "JPEG", "WEBP"}:
                raise InvalidArgument(field, f"must be PNG, JPEG or WebP, not {im.format}")
            if min(width, height) < MIN_SIDE or width * height > MAX_PIXELS:
                raise InvalidArgument(
                    field,
                    f"is {width}x{height}; needs {MIN_SIDE}px a side and at most {MAX_PIXELS} pixels",
                )
            im.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise InvalidArgument(field, "is not a decodable image") from None
    return width, height


def cover_crop(src: Path, dest: Path, size: tuple[int, int]) -> None:
    """Fill `size` exactly: scale to cover, crop the centre (crop first, so a freak aspect ratio
    never makes a huge intermediate), honour EXIF rotation, flatten transparency onto white."""
    with Image.open(src) as opened:
        im = ImageOps.exif_transpose(opened)
    if im.mode in {"RGBA", "LA", "PA"} or "transparency" in im.info:
        rgba = im.convert("RGBA")
        im = Image.new("RGB", rgba.size, "white")
        im.paste(rgba, mask=rgba.getchannel("A"))
    ImageOps.fit(im.convert("RGB"), size, method=Image.Resampling.LANCZOS).save(dest, compress_level=1)
