"""Brand fonts: a kit's TrueType/OpenType upload, fetched from the session's keys and drawn like a
bundled font (the bundled fallbacks still draw what it lacks).

The gateway checked the font when the kit took it; this agent does not trust that and checks again
with fontTools. Each font is kept once per process under its content digest, so a re-render reads
it from disk instead of storage, and a changed font is a new file.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import struct
import tempfile
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

from adreel.v1 import compositor_pb2 as pb
from services.common.errors import InvalidArgument, NotFound
from services.common.storage import ObjectStore, key_from_uri
from services.compositor.fonts import FontSpec

MAX_BYTES = 2_000_000  # as the gateway's brand-kit limit
CACHE_DIR = Path(tempfile.gettempdir()) / "adreel-brand-fonts"


def _overlays(req: pb.ComposeRequest) -> list[tuple[str, pb.TextOverlay]]:
    variants = [
        (f"variants[{i}].overlay", v.overlay) for i, v in enumerate(req.variants) if v.HasField("overlay")
    ]
    return [("overlay", req.overlay), *variants]


def _install(data: bytes, field: str) -> FontSpec:
    """The font as a FontSpec over a cached file, or INVALID_ARGUMENT naming `field`."""
    if len(data) > MAX_BYTES:
        raise InvalidArgument(field, f"is larger than {MAX_BYTES // 1_000_000} MB")
    try:
        with TTFont(io.BytesIO(data), lazy=False) as font:
            family = font["name"].getBestFamilyName() or "Brand font"
            has_letters = all(ord(c) in (font.getBestCmap() or {}) for c in "AZaz09")
    except (TTLibError, KeyError, AssertionError, ValueError, struct.error) as exc:
        raise InvalidArgument(
            field, f"is not a readable TrueType or OpenType font ({type(exc).__name__})"
        ) from None
    if not has_letters:
        raise InvalidArgument(field, "does not draw the Latin letters and digits")
    digest = hashlib.sha256(data).hexdigest()[:24]
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"{digest}.font"
    if not path.exists():
        partial = path.with_suffix(f".{digest[:6]}.part")
        partial.write_bytes(data)
        partial.replace(path)  # atomic: a concurrent render never reads half a font
    return FontSpec(f"brand-{digest[:12]}", family, path.name, source=str(path))


async def load_brand_fonts(req: pb.ComposeRequest, store: ObjectStore) -> dict[str, FontSpec]:
    """Every brand font the request's overlays name, by its URI."""
    fonts: dict[str, FontSpec] = {}
    for where, overlay in _overlays(req):
        uri = overlay.font_file.uri
        if not overlay.HasField("font_file") or uri in fonts:
            continue
        field = f"{where}.font_file.uri"
        key = key_from_uri(uri, field)
        try:
            data = await store.get_bytes(key)
        except NotFound:
            raise InvalidArgument(field, "no such stored font") from None
        fonts[uri] = await asyncio.to_thread(_install, data, field)
    return fonts
