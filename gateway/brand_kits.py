"""Brand kits: a user's name, colours, default CTA, logo and font (the rows; files in object storage).

The logo is checked like a product photo (gateway/product_photos.py: content sniffed, pixel count
from the header, decoded in full, re-encoded as a metadata-free PNG that keeps its alpha) but only
PNG and WebP are taken: a logo needs transparency, which JPEG cannot carry. A font is checked with
fontTools: TrueType or OpenType by content, size-limited, every table a renderer needs present
and parseable, Latin letters mapped, and not marked "restricted licence embedding".
"""

from __future__ import annotations

import hashlib
import io
import struct
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from fontTools.ttLib import TTFont, TTLibError
from sqlalchemy import DateTime, String, func
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.mixins import UserOwned
from gateway.db.models import Base
from gateway.product_photos import CleanPhoto, PhotoRejected, _sniff, clean_photo
from services.common.storage import ObjectStore

LOGO_MAX_BYTES = 5_000_000
LOGO_MAX_PIXELS = 16_000_000
FONT_MAX_BYTES = 2_000_000
FONT_MAGIC = {b"\x00\x01\x00\x00": "ttf", b"true": "ttf", b"OTTO": "otf"}
# text_overlay.font naming the brand kit's own font (the kit's font is also the default).
BRAND_FONT = "brand"
# OS/2 fsType bit 1: the font's licence forbids embedding it anywhere (a burned-in ad included).
_RESTRICTED_EMBEDDING = 0x0002


class BrandKit(UserOwned, Base):
    __tablename__ = "brand_kits"

    name: Mapped[str] = mapped_column(String(100))
    primary_color: Mapped[str] = mapped_column(String(7))
    secondary_color: Mapped[str] = mapped_column(String(7))
    default_cta: Mapped[str | None] = mapped_column(String(100))
    logo_key: Mapped[str | None] = mapped_column(String(300))
    font_key: Mapped[str | None] = mapped_column(String(300))
    font_family: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def clean_logo(data: bytes) -> CleanPhoto:
    """The logo as a clean PNG, or PhotoRejected naming `logo`."""
    if data and _sniff(data) == "JPEG":
        raise PhotoRejected(415, "logo: is a JPEG; a logo must be PNG or WebP (transparency)")
    return clean_photo(data, "logo", max_bytes=LOGO_MAX_BYTES, max_pixels=LOGO_MAX_PIXELS)


@dataclass(frozen=True)
class CheckedFont:
    data: bytes
    kind: str  # "ttf" or "otf"
    family: str


def _family(font: TTFont) -> str:
    name = font["name"].getBestFamilyName() or "Untitled"
    printable = "".join(c for c in str(name) if unicodedata.category(c)[0] not in "CZ" or c == " ")
    return printable.strip()[:100] or "Untitled"


def check_font(data: bytes) -> CheckedFont:
    """A usable TTF/OTF, or PhotoRejected naming `font` (with the HTTP status to answer)."""
    if not data:
        raise PhotoRejected(422, "font: is empty")
    if len(data) > FONT_MAX_BYTES:  # the route reads one byte past the limit, no more
        raise PhotoRejected(413, f"font: is larger than the limit of {FONT_MAX_BYTES / 1e6:g} MB")
    kind = FONT_MAGIC.get(data[:4])
    if kind is None:
        raise PhotoRejected(415, "font: is not a TrueType (.ttf) or OpenType (.otf) font")
    try:
        font = TTFont(io.BytesIO(data), lazy=False)
        outlines = "glyf" if "glyf" in font else "CFF " if "CFF " in font else "CFF2"
        for table in ("head", "cmap", "name", "hmtx", outlines):
            font[table]  # parse it now: a damaged table fails here, not in a render
        cmap = font.getBestCmap() or {}
        family = _family(font)
        fs_type = font["OS/2"].fsType if "OS/2" in font else 0
    except (TTLibError, KeyError, AssertionError, ValueError, IndexError, struct.error) as exc:
        raise PhotoRejected(422, f"font: is damaged and cannot be read ({type(exc).__name__})") from None
    if not all(ord(c) in cmap for c in "AZaz09"):
        raise PhotoRejected(422, "font: does not draw the Latin letters and digits")
    if fs_type & 0x000F == _RESTRICTED_EMBEDDING:
        raise PhotoRejected(422, "font: its licence forbids embedding (OS/2 fsType: restricted)")
    return CheckedFont(data, kind, family)


async def session_copy(store: ObjectStore, session_id: str, key: str, name: str, mime: str) -> str:
    """A kit's file copied under the session's keys (agents read only those); the digest in the
    name keeps a replayed compose from reusing an earlier file of the same kit. Returns its URI."""
    data = await store.get_bytes(key)
    ext = key.rsplit(".", 1)[-1]
    copy = f"sessions/{session_id}/brand/{name}-{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
    return (await store.put_bytes(copy, data, mime)).uri


async def kit_overlay(
    store: ObjectStore, session_id: str, kit: BrandKit, overlay: dict[str, str], given: set[str]
) -> dict[str, object]:
    """The compose's text overlay styled by the kit: its colour and font unless the request chose
    others, its default CTA when the request has none, its secondary colour as the CTA's button."""
    out: dict[str, object] = dict(overlay)
    if "color" not in given:
        out["color"] = kit.primary_color.lower()
    if not out.get("cta") and kit.default_cta:
        out["cta"] = kit.default_cta
    out["accent_color"] = kit.secondary_color.lower()
    if "font" not in given and (font := await kit_font(store, session_id, kit)) is not None:
        out["font_file"] = font
    return out


async def kit_font(store: ObjectStore, session_id: str, kit: BrandKit) -> dict[str, str] | None:
    """The kit's font copied under the session's keys, as a compose overlay's `font_file`."""
    if not kit.font_key:
        return None
    return {"uri": await session_copy(store, session_id, kit.font_key, "font", "font/" + kit.font_key[-3:])}
