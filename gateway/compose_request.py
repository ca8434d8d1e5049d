"""The compositor's ComposeRequest for a saved compose plan, and the request's field names in the
API's words, so that the route can ask the compositor to check the very request the stage sends."""

from __future__ import annotations

from typing import Any

from google.protobuf.json_format import ParseDict

from adreel.v1 import common_pb2, compositor_pb2
from gateway.stage_store import FORMATS, GENRES

# The compositor's field names, as the API's bodies call them.
_BODY_FIELDS = {
    "overlay.": "text_overlay.",
    "intro_s": "intro_duration",
    "outro_s": "outro_duration",
    "transition_s": "transition_duration",
    "music.": "audio.",
    "captions:": "captions.style:",
    "logo.": "brand_logo.",
}
_CAPTIONS = {
    "none": compositor_pb2.CAPTION_STYLE_UNSPECIFIED,
    "phrase": compositor_pb2.CAPTION_STYLE_PHRASE,
    "highlight": compositor_pb2.CAPTION_STYLE_HIGHLIGHT,
}


def music_message(music: dict[str, Any]) -> compositor_pb2.Music:
    """A plan's music (AudioConfig's fields, with `upload_uri` when it plays an uploaded track)."""
    # Plans saved before the music model was a choice have none: the compositor's default.
    upload = common_pb2.AssetRef(uri=music["upload_uri"]) if music.get("upload_uri") else None
    return compositor_pb2.Music(
        enabled=music["enabled"], genre=GENRES[music["genre"]], model=music.get("model", ""), upload=upload
    )


def compose_request(
    session_id: str, plan: dict[str, Any], clips: list[dict[str, Any]]
) -> compositor_pb2.ComposeRequest:
    """`clips`: each clip's stored AssetRef (as a dict), in playing order."""
    voice = plan.get("voiceover") or {}  # plans saved before voiceovers have none
    return compositor_pb2.ComposeRequest(
        session_id=session_id,
        item_id=plan["item_id"],
        clips=[ParseDict(c, common_pb2.AssetRef()) for c in clips],
        intro_s=plan["intro_s"],
        outro_s=plan["outro_s"],
        overlay=ParseDict(plan["overlay"], compositor_pb2.TextOverlay()),
        music=music_message(plan["music"]),
        formats=[FORMATS[f] for f in plan["formats"]],
        transition_s=plan["transition_s"],
        # Every final as a variant of the one call (plans saved before variants had none).
        variants=[
            compositor_pb2.ComposeVariant(
                variant_id=v["variant_id"],
                format=FORMATS[v["format"]],
                overlay=ParseDict(v["overlay"], compositor_pb2.TextOverlay()),
                music=music_message(v["music"]),
            )
            for v in plan.get("finals", [])
        ],
        voiceover=compositor_pb2.Voiceover(
            script=voice.get("script") or "", voice=voice.get("voice") or "", speed=voice.get("speed", 1.0)
        )
        if voice
        else None,
        captions=_CAPTIONS[plan.get("captions") or "none"],
        logo=_logo(plan["logo"]) if plan.get("logo") else None,
    )


def _logo(logo: dict[str, str]) -> compositor_pb2.BrandLogo:
    """The brand kit's logo, copied under the session's keys when the compose was asked for."""
    corner = compositor_pb2.LogoCorner.Value(f"LOGO_CORNER_{logo['corner'].upper()}")
    return compositor_pb2.BrandLogo(image=common_pb2.AssetRef(uri=logo["uri"]), corner=corner)


def body_field(details: str, formats: int = 0) -> str:
    """A compositor refusal ("overlay.cta: ...", "variants[3].overlay.cta: ...") in the body's words.

    The plan's finals are its `formats` (which use the body's own text_overlay) then the body's
    variants, so the compositor's variants[k] is the body's variants[k - formats].
    """
    if details.startswith("variants["):
        index, _, rest = details.removeprefix("variants[").partition("]")
        if index.isdigit():
            k = int(index)
            if k >= formats:
                return f"variants[{k - formats}]" + rest.replace(".overlay.", ".text_overlay.", 1)
            details = rest.removeprefix(".")
    for ours, theirs in _BODY_FIELDS.items():
        if details.startswith(ours):
            return theirs + details.removeprefix(ours)
    return details
