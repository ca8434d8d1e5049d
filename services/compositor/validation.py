"""A ComposeRequest checked field by field into a `ComposeSpec` (every refusal names its field)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from services.common.audio_choices import ALL_VOICE_IDS, DEFAULT_MUSIC_MODEL, MUSIC_MODELS, OFFLINE_VOICES
from services.common.contract import CTA, PRODUCT_NAME, VOICEOVER_SCRIPT, check_text, describe
from services.common.errors import InvalidArgument
from services.common.ids import check_id
from services.common.storage import key_from_uri
from services.common.unique import check_each_once
from services.compositor.fonts import FONTS, FontChoice, FontSpec, NoGlyph, choose_font
from services.compositor.layout import FORMATS

MAX_CLIPS = 8
MAX_VARIANTS = 6
CARD_S = (0.5, 3.0)
MAX_TRANSITION_S = 1.0
STILL_S = (0.5, 10.0)
_COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")
# The genre of an output that plays the user's own track (OutputSpec.music_upload).
UPLOAD = "upload"
GENRE_NAMES = {
    pb.MUSIC_GENRE_UPBEAT: "upbeat",
    pb.MUSIC_GENRE_CHILL: "chill",
    pb.MUSIC_GENRE_ENERGETIC: "energetic",
}


@dataclass(frozen=True)
class Overlay:
    product_name: str
    cta: str
    name_font: FontChoice
    cta_font: FontChoice
    font_id: str
    color: str  # "rrggbb", lower case
    # The brand's secondary colour ("rrggbb"): a button behind the CTA; None = no button.
    accent: str | None = None
    # Where it came from ("overlay" or "variants[2].overlay"), for notes about fonts.
    field: str = "overlay"

    @property
    def look(self) -> tuple[str, str, str, str, str | None]:
        """What decides the pixels (not which field the overlay came from)."""
        return (self.product_name, self.cta, self.font_id, self.color, self.accent)

    def fallback_notes(self) -> list[str]:
        notes = []
        for name, choice in (("product_name", self.name_font), ("cta", self.cta_font)):
            if choice.fell_back_for:
                chars = " ".join(f"U+{ord(c):04X}" for c in choice.fell_back_for[:8])
                more = "..." if len(choice.fell_back_for) > 8 else ""
                fonts = ", ".join(f.name for f in choice.fallbacks)
                notes.append(
                    f"{self.field}.{name}: font {self.font_id!r} lacks {chars}{more}; drawn in {fonts}"
                )
        return notes


@dataclass(frozen=True)
class OutputSpec:
    """One final of the call: a format with its texts and music."""

    variant_id: str  # "" when the request listed `formats` instead of variants
    format: int
    overlay: Overlay
    genre: str | None  # None = no music; UPLOAD = the user's own track
    # The model that makes the music (audio_choices.MUSIC_MODELS), when there is music.
    music_model: str = DEFAULT_MUSIC_MODEL
    # The storage key of the user's own track, when it plays instead of a made one.
    music_upload: str | None = None

    @property
    def track(self) -> tuple[str, str] | None:
        """(genre, model) of its music, or (UPLOAD, key) for an uploaded track: outputs asking for
        the same one share one track."""
        if self.music_upload:
            return (UPLOAD, self.music_upload)
        return (self.genre, self.music_model) if self.genre else None


@dataclass(frozen=True)
class StillSpec:
    """A preview's still in place of a clip: the image and the camera move planned for it."""

    key: str
    movement: int  # common_pb2.CameraMovement
    intensity: float
    duration_s: float


@dataclass(frozen=True)
class VoiceSpec:
    script: str
    voice: str
    speed: float
    # How the captions are drawn (the caption font; glyphs checked like the drawn texts).
    font: FontChoice


CAPTION_STYLES = {pb.CAPTION_STYLE_PHRASE: "phrase", pb.CAPTION_STYLE_HIGHLIGHT: "highlight"}
# The offline engine's voices, the default first (a compositor passes its engine's own).
VOICES = tuple(v.id for v in OFFLINE_VOICES)
SPEED = (0.7, 1.5)


def _voice(
    req: pb.ComposeRequest, overlay: Overlay, voices: tuple[str, ...]
) -> tuple[VoiceSpec | None, str | None]:
    style = req.captions
    if style != pb.CAPTION_STYLE_UNSPECIFIED and style not in CAPTION_STYLES:
        raise InvalidArgument("captions", f"unknown caption style {style}")
    if not req.voiceover.script:
        if style != pb.CAPTION_STYLE_UNSPECIFIED:
            raise InvalidArgument("captions", "need a voiceover script to caption")
        return None, None
    script = check_text(VOICEOVER_SCRIPT, req.voiceover.script, "voiceover.script")
    voice = req.voiceover.voice or voices[0]
    if voice not in voices:
        known = "another engine's voice" if voice in ALL_VOICE_IDS else "unknown voice"
        raise InvalidArgument(
            "voiceover.voice", f"{known} {voice!r}; this compositor speaks {', '.join(voices)}"
        )
    speed = req.voiceover.speed or 1.0
    if not SPEED[0] <= speed <= SPEED[1]:
        raise InvalidArgument("voiceover.speed", f"must be {SPEED[0]:g}-{SPEED[1]:g}, got {speed:g}")
    font = _font_for(" ".join(script.split()), "voiceover.script", overlay.name_font.font)
    return VoiceSpec(script, voice, speed, font), CAPTION_STYLES.get(style)


@dataclass(frozen=True)
class LogoSpec:
    key: str
    corner: int  # pb.LogoCorner, specified


def _logo(req: pb.ComposeRequest) -> LogoSpec | None:
    if not req.HasField("logo"):
        return None
    key = key_from_uri(req.logo.image.uri, "logo.image.uri")
    if req.logo.corner not in pb.LogoCorner.values() or req.logo.corner == pb.LOGO_CORNER_UNSPECIFIED:
        raise InvalidArgument("logo.corner", "must be top_left, top_right, bottom_left or bottom_right")
    return LogoSpec(key, req.logo.corner)


@dataclass(frozen=True)
class ComposeSpec:
    session_id: str
    item_id: str
    clip_keys: tuple[str, ...]
    intro_s: float
    outro_s: float
    # The request's own overlay and music: the defaults of every output (and the music seed).
    overlay: Overlay
    genre: str | None  # None = no music
    transition_s: float
    # Every output in order: one per format, or one per variant when the request named variants.
    outputs: tuple[OutputSpec, ...]
    # The model of the request's own music (variants may name others).
    music_model: str = DEFAULT_MUSIC_MODEL
    # A free 480p animatic (one output); it may play stills instead of clips.
    preview: bool = False
    stills: tuple[StillSpec, ...] = ()
    voice: VoiceSpec | None = None
    # "phrase" / "highlight" (captions.py), None = no captions; only with a voice.
    captions: str | None = None
    logo: LogoSpec | None = None

    @property
    def product_name(self) -> str:
        return self.overlay.product_name

    @property
    def color(self) -> str:
        return self.overlay.color

    @property
    def formats(self) -> tuple[int, ...]:
        return tuple(o.format for o in self.outputs)

    @property
    def tracks(self) -> tuple[tuple[str, str], ...]:
        """Each distinct (genre, model) used, in first-use order (one track is made for each)."""
        return tuple(dict.fromkeys(o.track for o in self.outputs if o.track))

    def fallback_notes(self) -> list[str]:
        overlays = dict.fromkeys(o.overlay for o in self.outputs)
        return [note for ov in overlays for note in ov.fallback_notes()]


def _seconds(value: float, field: str, low: float, high: float) -> float:
    if not low <= value <= high:
        raise InvalidArgument(field, f"must be {low:g}-{high:g} seconds, got {value:g}")
    return value


def _font_for(text: str, field: str, wanted: FontSpec) -> FontChoice:
    try:
        return choose_font(text, wanted)
    except NoGlyph as exc:
        chars = ", ".join(describe(c) for c in exc.chars)
        raise InvalidArgument(field, f"no bundled font can draw {chars}") from None


def _color(value: str, field: str) -> str:
    if not _COLOR_RE.fullmatch(value):
        raise InvalidArgument(field, f'must be "#rrggbb", got {value!r}')
    return value[1:].lower()


def _overlay(ov: pb.TextOverlay, field: str, brand_fonts: Mapping[str, FontSpec]) -> Overlay:
    name = check_text(PRODUCT_NAME, ov.product_name, f"{field}.product_name")
    cta = check_text(CTA, ov.cta, f"{field}.cta")
    if ov.HasField("font_file"):
        font = brand_fonts.get(ov.font_file.uri)
        if font is None:  # the server loads every font the request names before parsing it
            raise InvalidArgument(f"{field}.font_file.uri", "was not loaded")
    elif ov.font in FONTS:
        font = FONTS[ov.font]
    else:
        raise InvalidArgument(f"{field}.font", f"unknown font {ov.font!r}; one of {', '.join(FONTS)}")
    return Overlay(
        product_name=name,
        cta=cta,
        name_font=_font_for(name, f"{field}.product_name", font),
        cta_font=_font_for(cta, f"{field}.cta", font),
        font_id=font.id,
        color=_color(ov.color, f"{field}.color"),
        accent=_color(ov.accent_color, f"{field}.accent_color") if ov.accent_color else None,
        field=field,
    )


def _genre(music: pb.Music, field: str) -> str | None:
    if not music.enabled:
        return None
    if music.HasField("upload"):
        return UPLOAD
    genre = GENRE_NAMES.get(music.genre)
    if genre is None:
        raise InvalidArgument(f"{field}.genre", "must be UPBEAT, CHILL or ENERGETIC when music is enabled")
    return genre


def _music_model(music: pb.Music, field: str) -> str:
    model = music.model or DEFAULT_MUSIC_MODEL
    if model not in MUSIC_MODELS:
        raise InvalidArgument(
            f"{field}.model", f"unknown music model {model!r}; one of {', '.join(MUSIC_MODELS)}"
        )
    return model


def _upload(music: pb.Music, field: str, session_id: str) -> str | None:
    """The key of the user's own track when the music is on and names one: the session's own."""
    if not music.enabled or not music.HasField("upload"):
        return None
    field = f"{field}.upload.uri"
    key = key_from_uri(music.upload.uri, field)
    if not key.startswith(f"sessions/{session_id}/music/"):
        raise InvalidArgument(field, "must be a track uploaded to this session (its music/ keys)")
    return key


def _check_format(value: int, field: str) -> int:
    if value not in FORMATS:
        raise InvalidArgument(field, "must be LANDSCAPE_16_9, PORTRAIT_9_16 or SQUARE_1_1")
    return value


def _variants(
    req: pb.ComposeRequest, overlay: Overlay, genre: str | None, brand_fonts: Mapping[str, FontSpec]
) -> tuple[OutputSpec, ...]:
    if len(req.variants) > MAX_VARIANTS:
        raise InvalidArgument(
            "variants", f"must hold at most {MAX_VARIANTS} variants, got {len(req.variants)}"
        )
    music_model = _music_model(req.music, "music")
    upload = _upload(req.music, "music", sid := req.session_id)
    outputs: list[OutputSpec] = []
    ids: set[str] = set()
    for i, v in enumerate(req.variants):
        field = f"variants[{i}]"
        variant_id = check_id(v.variant_id, f"{field}.variant_id")
        if variant_id in ids:
            raise InvalidArgument(f"{field}.variant_id", f"repeats {variant_id!r}")
        ids.add(variant_id)
        out = OutputSpec(
            variant_id=variant_id,
            format=_check_format(v.format, f"{field}.format"),
            overlay=_overlay(v.overlay, f"{field}.overlay", brand_fonts)
            if v.HasField("overlay")
            else overlay,
            genre=_genre(v.music, f"{field}.music") if v.HasField("music") else genre,
            music_model=_music_model(v.music, f"{field}.music") if v.HasField("music") else music_model,
            music_upload=_upload(v.music, f"{field}.music", sid) if v.HasField("music") else upload,
        )
        for j, other in enumerate(outputs):
            # Same pixels and sound twice would only cost a second encode.
            if (other.format, other.track, other.overlay.look) == (out.format, out.track, out.overlay.look):
                raise InvalidArgument(field, f"makes the same video as variants[{j}] ({other.variant_id!r})")
        outputs.append(out)
    return tuple(outputs)


def _still(shot: pb.StillShot, field: str) -> StillSpec:
    if shot.camera_movement not in common_pb2.CameraMovement.values():
        raise InvalidArgument(f"{field}.camera_movement", f"unknown movement {shot.camera_movement}")
    if not 0.0 <= shot.motion_intensity <= 1.0:
        raise InvalidArgument(f"{field}.motion_intensity", f"must be 0-1, got {shot.motion_intensity:g}")
    return StillSpec(
        key=key_from_uri(shot.image.uri, f"{field}.image.uri"),
        movement=shot.camera_movement,
        intensity=shot.motion_intensity,
        duration_s=_seconds(shot.duration_s, f"{field}.duration_s", *STILL_S),
    )


def _stills(req: pb.ComposeRequest) -> tuple[StillSpec, ...]:
    if not req.preview:
        raise InvalidArgument("stills", "only a preview can play stills; a final needs clips")
    if req.clips:
        raise InvalidArgument("stills", "give clips or stills, not both")
    if len(req.stills) > MAX_CLIPS:
        raise InvalidArgument("stills", f"must hold 1-{MAX_CLIPS} stills, got {len(req.stills)}")
    return tuple(_still(s, f"stills[{i}]") for i, s in enumerate(req.stills))


def parse_request(
    req: pb.ComposeRequest,
    brand_fonts: Mapping[str, FontSpec] | None = None,
    *,
    voices: tuple[str, ...] = VOICES,
) -> ComposeSpec:
    """The request checked; `brand_fonts` are the fonts its overlays' font_file name, loaded by
    brand_fonts.load_brand_fonts (by URI); `voices` the ids the compositor's engine speaks, its
    default first."""
    brand_fonts = brand_fonts or {}
    session_id = check_id(req.session_id, "session_id")
    item_id = check_id(req.item_id, "item_id")
    stills = _stills(req) if req.stills else ()
    if not stills and not 1 <= len(req.clips) <= MAX_CLIPS:
        raise InvalidArgument("clips", f"must hold 1-{MAX_CLIPS} clips, got {len(req.clips)}")
    keys = tuple(key_from_uri(c.uri, f"clips[{i}].uri") for i, c in enumerate(req.clips))
    intro_s = _seconds(req.intro_s, "intro_s", *CARD_S)
    outro_s = _seconds(req.outro_s, "outro_s", *CARD_S)
    transition_s = _seconds(req.transition_s, "transition_s", 0.0, MAX_TRANSITION_S)
    if transition_s >= min(intro_s, outro_s):
        raise InvalidArgument("transition_s", "must be shorter than the intro and outro cards")

    overlay = _overlay(req.overlay, "overlay", brand_fonts)
    genre = _genre(req.music, "music")
    music_model = _music_model(req.music, "music")
    voice, captions = _voice(req, overlay, voices)

    if req.variants:
        outputs = _variants(req, overlay, genre, brand_fonts)
    else:
        formats = tuple(req.formats) or (pb.OUTPUT_FORMAT_LANDSCAPE_16_9,)
        check_each_once(formats, lambda i: f"formats[{i}]", _check_format, pb.OutputFormat.Name)
        upload = _upload(req.music, "music", session_id)
        outputs = tuple(OutputSpec("", f, overlay, genre, music_model, upload) for f in formats)
    if req.preview and len(outputs) > 1:
        field = "variants" if req.variants else "formats"
        raise InvalidArgument(field, f"a preview renders one format, got {len(outputs)}")

    return ComposeSpec(
        session_id=session_id,
        item_id=item_id,
        clip_keys=keys,
        intro_s=intro_s,
        outro_s=outro_s,
        overlay=overlay,
        genre=genre,
        transition_s=transition_s,
        outputs=outputs,
        music_model=music_model,
        preview=req.preview,
        stills=stills,
        voice=voice,
        captions=captions,
        logo=_logo(req),
    )
