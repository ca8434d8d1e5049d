"""The finals of one compose call: one per requested format, then one per variant (another format,
CTA, font, colour or music), all made by a single Compose call to the compositor.

Each final gets a variant id (its storage key suffix) and a label the web app shows. Everything a
caller can get wrong is refused here with a 422 naming the field, before any agent is called.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, status

from gateway.brand_kits import BRAND_FONT
from gateway.schemas import AudioConfig, ComposeFinalVideoRequest, Font

MAX_FINALS = 6
# The base finals' ids are the compositor's format tags, so their storage keys stay as before.
FORMAT_TAGS = {"16:9": "16x9", "9:16": "9x16", "1:1": "1x1"}


def _refuse(message: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, message)


def _label(final: dict[str, Any], base: dict[str, Any], font_names: dict[str, str]) -> str:
    """What sets this final apart from the request's own texts and music, e.g. '9:16 · CTA "Buy"'."""
    parts = [final["format"]]
    ov, base_ov = final["overlay"], base["overlay"]
    if ov["product_name"] != base_ov["product_name"]:
        parts.append(f'name "{ov["product_name"]}"')
    if ov["cta"] != base_ov["cta"]:
        parts.append(f'CTA "{ov["cta"]}"')
    if ov["font"] != base_ov["font"]:
        parts.append(font_names.get(ov["font"], ov["font"]))
    if ov["color"] != base_ov["color"]:
        parts.append(ov["color"])
    music = final["music"]
    if music != base["music"]:
        by = f" by {music['model']}" if music["model"] != base["music"]["model"] else ""
        made = "own track" if music.get("source") == "upload" else f"{music['genre']} music{by}"
        parts.append(made if music["enabled"] else "no music")
    return " · ".join(parts)


def _music(audio: AudioConfig) -> dict[str, Any]:
    # Without music the genre and model change nothing, so they must not make two finals differ.
    return audio.model_dump() if audio.enabled else AudioConfig().model_dump()


def plan_finals(
    body: ComposeFinalVideoRequest,
    overlay: dict[str, Any],
    fonts: list[Font],
    resolve_font: Callable[[str, list[Font]], str | None],
    brand_font: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The compose plan's finals, in order (the first is the session's `final_video`).

    `overlay` is the request's text_overlay as the plan stores it (stripped, font resolved);
    `brand_font` is the brand kit's font file, which a variant asks for with font "brand".
    """
    total = len(dict.fromkeys(body.formats)) + len(body.variants)
    if total > MAX_FINALS:
        raise _refuse(f"variants: at most {MAX_FINALS} finals per compose (formats + variants), got {total}")
    music = _music(body.audio)
    finals = [
        {"variant_id": FORMAT_TAGS[f], "format": f, "overlay": overlay, "music": music}
        for f in dict.fromkeys(body.formats)
    ]
    taken = {f["variant_id"] for f in finals} | {v.variant_id for v in body.variants if v.variant_id}
    auto = (f"v{n}" for n in range(1, 100) if f"v{n}" not in taken)
    for i, v in enumerate(body.variants):
        field = f"variants[{i}]"
        if v.variant_id is not None and v.variant_id in (f["variant_id"] for f in finals):
            raise _refuse(f"{field}.variant_id: repeats {v.variant_id!r}")
        ov = dict(overlay)
        if v.text_overlay is not None:
            given = v.text_overlay.model_dump(exclude_none=True)
            if given.get("font") == BRAND_FONT:
                if brand_font is None:
                    raise _refuse(f"{field}.text_overlay.font: brand needs a brand kit with a font")
                given["font"] = resolve_font("default", fonts)
                ov["font_file"] = brand_font
            elif "font" in given:
                font = resolve_font(given["font"], fonts)
                if font is None:
                    valid = ", ".join(f"{f.id} ({f.name})" for f in fonts)
                    raise _refuse(f"{field}.text_overlay.font: unknown; one of {valid}, or brand")
                given["font"] = font
                ov.pop("font_file", None)  # a font the variant picks wins over the kit's
            for key in ("product_name", "cta"):
                if key in given:
                    given[key] = given[key].strip()
            if "color" in given:
                given["color"] = given["color"].lower()
            ov |= given
        final = {
            "variant_id": v.variant_id or next(auto),
            "format": v.format,
            "overlay": ov,
            "music": _music(v.audio) if v.audio is not None else music,
        }
        for other in finals:
            if all(final[k] == other[k] for k in ("format", "overlay", "music")):
                raise _refuse(f"{field}: makes the same video as final {other['variant_id']!r}")
        finals.append(final)
    names = {f.id: f.name for f in fonts}
    base = {"overlay": overlay, "music": music}
    for final in finals:
        final["label"] = _label(final, base, names)
    return finals
