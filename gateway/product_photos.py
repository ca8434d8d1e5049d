"""Users' own product photos: decoded with bounded memory (libvips), then re-encoded as a clean PNG.

Only PNG, JPEG and WebP are accepted, recognised by their content (never by name or declared type).
The pixel count is read from the header and refused before any pixel is decoded, so a decompression
bomb costs nothing. The photo is then shrunk while it is decoded: JPEG and WebP decode at a reduced
scale, PNG is streamed a few lines at a time, so a 7000x7000 photo never exists in memory as a whole
(with Pillow one took ~550 MB of the gateway's 512 Mi). EXIF orientation is applied to the pixels,
colours are converted to sRGB, and re-encoding writes no metadata at all (EXIF with GPS, XMP,
comments and ICC profiles are gone).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import unicodedata
from dataclasses import dataclass

import pyvips

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP")
# Content signatures: only these are handed to a decoder (libvips reads many more formats).
MAGIC = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
MIN_SIDE = 64
# Stored photos are bounded: the clips are 1024x576 and the final video 1080p, so more is waste.
MAX_STORED_SIDE = 4096
# No operation cache: an upload's pixels must not outlive its request.
pyvips.cache_set_max(0)
_LIBC_NAME = ctypes.util.find_library("c")
_LIBC = ctypes.CDLL(_LIBC_NAME) if _LIBC_NAME else None


def give_memory_back() -> None:
    """Hand the pages a decode freed back to the system: glibc keeps them in its per-thread arenas
    otherwise, and the gateway's RSS would stay up for good after one large photo."""
    trim = getattr(_LIBC, "malloc_trim", None)  # glibc only; elsewhere a no-op
    if trim is not None:
        trim(0)


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


def _srgb8(im: pyvips.Image) -> pyvips.Image:
    """8-bit sRGB, with its alpha when it has one (grey, 16-bit and CMYK come out the same)."""
    if im.interpretation != "srgb" or im.format != "uchar" or im.bands not in (3, 4):
        im = im.colourspace("srgb")
    return im if im.format == "uchar" else im.cast("uchar")


def clean_photo(data: bytes, label: str, *, max_bytes: int, max_pixels: int) -> CleanPhoto:
    """Check one uploaded file and return its pixels as a metadata-free PNG, or raise PhotoRejected."""
    if not data:
        raise PhotoRejected(422, f"{label}: is empty")
    if len(data) > max_bytes:
        raise PhotoRejected(
            413, f"{label}: is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:g} MB per photo"
        )
    source_format = _sniff(data)
    if source_format is None:
        raise PhotoRejected(415, f"{label}: is not a PNG, JPEG or WebP image")
    try:
        header = pyvips.Image.new_from_buffer(data, "", access="sequential")  # the header only
        width, height = header.width, header.height
    except pyvips.Error:
        raise PhotoRejected(422, f"{label}: looks like {source_format} but cannot be decoded") from None
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
    try:
        # Shrink-on-load, EXIF rotation, the embedded profile to sRGB; every pixel is decoded here
        # (a damaged file fails now, not in a later stage). fail_on: truncated data is an error.
        im = pyvips.Image.thumbnail_buffer(
            data,
            MAX_STORED_SIDE,
            height=MAX_STORED_SIDE,
            size="down",
            export_profile="srgb",
            option_string="fail_on=truncated",
        )
        im = _srgb8(im)
        # keep="none": the PNG carries pixels only (no EXIF, XMP, ICC or text chunks).
        png = im.write_to_buffer(".png", compression=6, keep="none")
    except pyvips.Error:
        raise PhotoRejected(422, f"{label}: is damaged or truncated and cannot be decoded") from None
    return CleanPhoto(png, im.width, im.height, source_format, width, height)
