"""A ComposeRequest checked field by field into a `ComposeSpec` (every refusal names its field)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from adreel.v1 import compositor_pb2 as pb
from services.common.errors import InvalidArgument
from services.common.ids import check_id
from services.common.storage import key_from_uri
from services.compositor.fonts import FONTS, FontChoice, NoGlyph, choose_font
from services.compositor.layout import FORMATS
from services.compositor.text import clean_text

MAX_CLIPS = 8
CARD_S = (0.5, 3.0)
MAX_TRANSITION_S = 1.0
_COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")
GENRE_NAMES = {
    pb.MUSIC_GENRE_UPBEAT: "upbeat",
    pb.MUSIC_GENRE_CHILL: "chill",
    pb.MUSIC_GENRE_ENERGETIC: "energetic",
}


@dataclass(frozen=True)
class ComposeSpec:
    session_id: str
    item_id: str
    clip_keys: tuple[str, ...]
    intro_s: float
    outro_s: float
    product_name: str
    cta: str
    name_font: FontChoice
    cta_font: FontChoice
    font_id: str
    color: str  # "rrggbb", lower case
    formats: tuple[int, ...]
    transition_s: float
    genre: str | None  # None = no music

    def fallback_notes(self) -> list[str]:
        notes = []
        for field, choice in (("overlay.product_name", self.name_font), ("overlay.cta", self.cta_font)):
            if choice.fell_back_for:
                chars = " ".join(f"U+{ord(c):04X}" for c in choice.fell_back_for)
                notes.append(f"{field}: font {self.font_id!r} lacks {chars}; drawn in {choice.font.name}")
        return notes


def _seconds(value: float, field: str, low: float, high: float) -> float:
    if not low <= value <= high:
        raise InvalidArgument(field, f"must be {low:g}-{high:g} seconds, got {value:g}")
    return value


def _font_for(text: str, field: str, wanted_id: str) -> FontChoice:
    try:
        return choose_font(text, FONTS[wanted_id])
    except NoGlyph as exc:
        raise InvalidArgument(field, f"no bundled font can draw {exc}") from None


def parse_request(req: pb.ComposeRequest) -> ComposeSpec:
    session_id = check_id(req.session_id, "session_id")
    item_id = check_id(req.item_id, "item_id")
    if not 1 <= len(req.clips) <= MAX_CLIPS:
        raise InvalidArgument("clips", f"must hold 1-{MAX_CLIPS} clips, got {len(req.clips)}")
    keys = tuple(key_from_uri(c.uri, f"clips[{i}].uri") for i, c in enumerate(req.clips))
    intro_s = _seconds(req.intro_s, "intro_s", *CARD_S)
    outro_s = _seconds(req.outro_s, "outro_s", *CARD_S)
    transition_s = _seconds(req.transition_s, "transition_s", 0.0, MAX_TRANSITION_S)
    if transition_s >= min(intro_s, outro_s):
        raise InvalidArgument("transition_s", "must be shorter than the intro and outro cards")

    ov = req.overlay
    name = clean_text(ov.product_name, "overlay.product_name", 50)
    cta = clean_text(ov.cta, "overlay.cta", 30)
    if ov.font not in FONTS:
        raise InvalidArgument("overlay.font", f"unknown font {ov.font!r}; one of {', '.join(FONTS)}")
    if not _COLOR_RE.fullmatch(ov.color):
        raise InvalidArgument("overlay.color", f'must be "#rrggbb", got {ov.color!r}')

    formats = tuple(req.formats) or (pb.OUTPUT_FORMAT_LANDSCAPE_16_9,)
    seen: set[int] = set()
    for i, f in enumerate(formats):
        if f not in FORMATS:
            raise InvalidArgument(f"formats[{i}]", "must be LANDSCAPE_16_9, PORTRAIT_9_16 or SQUARE_1_1")
        if f in seen:
            raise InvalidArgument(f"formats[{i}]", f"repeats {pb.OutputFormat.Name(f)}")
        seen.add(f)

    genre = None
    if req.music.enabled:
        genre = GENRE_NAMES.get(req.music.genre)
        if genre is None:
            raise InvalidArgument("music.genre", "must be UPBEAT, CHILL or ENERGETIC when music is enabled")

    return ComposeSpec(
        session_id=session_id,
        item_id=item_id,
        clip_keys=keys,
        intro_s=intro_s,
        outro_s=outro_s,
        product_name=name,
        cta=cta,
        name_font=_font_for(name, "overlay.product_name", ov.font),
        cta_font=_font_for(cta, "overlay.cta", ov.font),
        font_id=ov.font,
        color=ov.color[1:].lower(),
        formats=formats,
        transition_s=transition_s,
        genre=genre,
    )
