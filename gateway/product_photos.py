"""Users' own product photos: decoded and checked with Pillow, then re-encoded as a clean PNG.

Only PNG, JPEG and WebP are accepted, recognised by their content (never by name or declared type).
The pixel count is read from the header and refused before any pixel is decoded, so a decompression
bomb costs nothing; EXIF orientation is applied to the pixels, colours are converted to sRGB, and
re-encoding writes no metadata at all (EXIF with GPS, XMP, comments and ICC profiles are gone).
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP")
# Content signatures, to tell "a PNG we cannot decode" (damaged) from "not an image we take".
MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
MIN_SIDE = 64
# Stored photos are bounded: the clips are 1024x576 and the final video 1080p, so more is waste.
MAX_STORED_SIDE = 4096
_SRGB = ImageCms.createProfile("sRGB")


class PhotoRejected(Exception):
    """A file that is not a usable product photo; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class CleanPhoto:
    png: bytes
    width: int
    height: int
    # What arrived: its format and size before orientation and downscaling.
    source_format: str
    source_width: int
    source_height: int


def display_name(filename: str | None, index: int) -> str:
    """The file's name as shown in messages: printable, at most 80 characters."""
    name = "".join(c for c in (filename or "") if unicodedata.category(c)[0] != "C").strip()
    name = name[:77] + "..." if len(name) > 80 else name
    return f'files[{index}] "{name}"' if name else f"files[{index}]"


def _sniff(data: bytes) -> str | None:
    for magic, fmt in MAGIC.items():
        if data.startswith(magic):
            return fmt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _to_srgb(im: Image.Image) -> Image.Image:
    """Pixels in sRGB (RGB or RGBA), whatever mode and embedded colour profile they came with."""
    has_alpha = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    icc = im.info.get("icc_profile")
    if im.mode == "CMYK" and not icc:
        return im.convert("RGB")
    im = im.convert("RGBA" if has_alpha else "RGB")
    if icc:
        try:
            src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(im, src, _SRGB, outputMode=im.mode)
            if converted is not None:
                im = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unusable profile: keep the pixels as they are
    return im


def clean_photo(data: bytes, label: str, *, max_bytes: int, max_pixels: int) -> CleanPhoto:
    """Check one uploaded file and return its pixels as a metadata-free PNG, or raise PhotoRejected."""
    if not data:
        raise PhotoRejected(422, f"{label}: is empty")
    if len(data) > max_bytes:
        raise PhotoRejected(
            413, f"{label}: is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:g} MB per photo"
        )
    sniffed = _sniff(data)
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; a bomb must never reach load().
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as opened:
                width, height = opened.size
                if width * height > max_pixels:
                    raise PhotoRejected(
                        422,
                        f"{label}: is {width}x{height} ({width * height / 1e6:.1f} megapixels); "
                        f"the limit is {max_pixels / 1e6:g} megapixels",
                    )
                if min(width, height) < MIN_SIDE:
                    raise PhotoRejected(
                        422, f"{label}: is {width}x{height}; a photo needs at least {MIN_SIDE} pixels a side"
                    )
                source_format = opened.format or "?"
                opened.load()  # decode every pixel now: a damaged file fails here, not in a later stage
                im = ImageOps.exif_transpose(opened)
                im = _to_srgb(im)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected(422, f"{label}: has too many pixels to decode safely") from None
    except UnidentifiedImageError:
        if sniffed is not None:
            raise PhotoRejected(422, f"{label}: looks like {sniffed} but cannot be decoded") from None
        raise PhotoRejected(415, f"{label}: is not a PNG, JPEG or WebP image") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise PhotoRejected(422, f"{label}: is damaged or truncated and cannot be decoded") from None
    im.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif=, icc_profile= or pnginfo=: the PNG carries pixels only.
    im.save(out, "PNG", compress_level=6)
    return CleanPhoto(out.getvalue(), im.width, im.height, source_format, width, height)
