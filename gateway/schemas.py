"""The PRD's request and response models (section 5.1, 6.2), checked strictly at the edge.

Every string refuses NUL (PostgreSQL cannot store it) and every number is bounded, so nothing a
client sends can reach the database as a 500. No field anywhere in a body may hold a lone surrogate
or a non-finite number. Texts an agent receives follow services/common/contract.py, the rules that
agent enforces with the same code.
"""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from gateway.stages import SessionStage
from services.common import contract
from services.common.audio_choices import ALL_VOICE_IDS, DEFAULT_MUSIC_MODEL, MUSIC_MODELS


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _bcrypt_sized(value: str) -> str:
    if len(value.encode()) > 72:
        raise ValueError("must be at most 72 bytes in UTF-8")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
NonBlank = Annotated[str, AfterValidator(_no_nul), AfterValidator(_not_blank)]
ItemId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
Email = Annotated[str, Field(min_length=3, max_length=255, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")]
# bcrypt reads (and accepts) 72 bytes at most.
Password = Annotated[
    str, Field(min_length=6, max_length=72), AfterValidator(_no_nul), AfterValidator(_bcrypt_sized)
]


def _rule(rule: contract.TextRule) -> Any:
    """A field following `rule`: refused as the agent would refuse it, stored in canonical form."""
    return Annotated[str, Field(json_schema_extra=rule.json_schema()), AfterValidator(rule.clean)]


ProductText = _rule(contract.PRODUCT_TEXT)
StyleKeyword = _rule(contract.STYLE_KEYWORD)
SceneText = _rule(contract.SCENE_TEXT)
ImagePrompt = _rule(contract.IMAGE_PROMPT)
ShotPrompt = _rule(contract.SHOT_PROMPT)
ProductName = _rule(contract.PRODUCT_NAME)
CallToAction = _rule(contract.CTA)
VoiceoverScript = _rule(contract.VOICEOVER_SCRIPT)


def _unstorable(value: Any, path: str) -> str | None:
    """Where `value` holds what neither UTF-8 nor JSON can carry, and what it is."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = ord(value[exc.start])
            return f"{path or 'body'}: contains a lone surrogate U+{bad:04X}, which is not valid Unicode"
    elif isinstance(value, float) and not math.isfinite(value):
        return f"{path or 'body'}: must be a finite number, not {value}"
    elif isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if problem := _unstorable(key, sub) or _unstorable(item, sub):
                return problem
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if problem := _unstorable(item, f"{path}[{i}]"):
                return problem
    return None


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _storable(cls, data: Any) -> Any:
        # Anywhere in the body, free-form fields included: NaN and surrogates never reach storage.
        if problem := _unstorable(data, ""):
            raise ValueError(problem)
        return data


# ---------------------------------------------------------------- requests


class LoginRequest(Strict):
    email: Email
    password: Password


class DemoAccount(BaseModel):
    """The shared demo sign-in, where the deployment offers one."""

    email: str
    password: str


class CreateSessionRequest(Strict):
    # The PRD sends the user id; it must be the caller's own when given.
    user_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    # Completion webhook: stage events are POSTed here, signed with the secret in the response.
    webhook_url: str | None = Field(default=None, min_length=8, max_length=2048)


class GenerateImagesRequest(Strict):
    session_id: uuid.UUID
    product_prompt: ProductText
    num_images: int = Field(default=6, ge=4, le=8)
    style_keywords: list[StyleKeyword] = Field(default_factory=list, max_length=contract.MAX_STYLE_KEYWORDS)


class SaveApprovedImagesRequest(Strict):
    session_id: uuid.UUID
    approved_image_ids: list[ItemId] = Field(min_length=2, max_length=8)


# The image-to-video models a session may choose when clips run on Replicate (the video_gen agent's
# CHOICES); "" is the agent's default. Kept to the session, so regenerated clips use it too.
VideoModel = Literal["", "wan-2.2-fast", "kling-2.1", "seedance-lite", "seedance-pro", "veo-3.1-fast", "svd"]


class GenerateClipsRequest(Strict):
    session_id: uuid.UUID
    video_prompt: SceneText
    clip_duration: float = Field(default=3.0, ge=2.0, le=4.0)
    # Omitted or "": the agent's default model. Another model than the session's makes every clip anew.
    video_model: VideoModel = ""


class SaveApprovedClipsRequest(Strict):
    session_id: uuid.UUID
    approved_clip_ids: list[ItemId] = Field(min_length=1, max_length=8)
    # Playing order; a permutation of approved_clip_ids (their own order when omitted).
    clip_order: list[ItemId] | None = Field(default=None, max_length=8)


class TextOverlay(Strict):
    product_name: ProductName
    # Omitted: the brand kit's default CTA (a compose without a kit, or whose kit has none, needs one).
    cta: CallToAction | None = None
    # A compositor font id or name (GET /api/fonts); the PRD's "Montserrat-Bold" maps to the default.
    # "brand": the brand kit's uploaded font, which is also the default when the kit has one.
    font: Annotated[Text, Field(max_length=64)] = "Montserrat-Bold"
    color: str = Field(default="#FFFFFF", pattern=r"^#[0-9A-Fa-f]{6}$")


# The music models of the compositor's replicate engine (the local engine synthesises its own):
# "stable-audio-2.5", whose outputs may be used commercially, or "musicgen", opted into, whose weights
# are CC-BY-NC (non-commercial: not for ads). GET /api/engines lists their licences.
MusicModel = Literal[MUSIC_MODELS]


class AudioConfig(Strict):
    enabled: bool = False
    genre: Literal["upbeat", "chill", "energetic"] = "upbeat"
    model: MusicModel = DEFAULT_MUSIC_MODEL
    # "upload": the session's own track (POST /api/sessions/{id}/music, named by upload_id) plays
    # instead of the genre's; it is cut or repeated to the ad's length, and the cuts follow its beats.
    source: Literal["generated", "upload"] = "generated"
    upload_id: ItemId | None = None


OutputFormat = Literal["16:9", "9:16", "1:1"]
# Every engine's voices; the compositor refuses one its engine does not speak (GET /api/voices).
Voice = Literal[ALL_VOICE_IDS]


class VoiceoverConfig(Strict):
    """A spoken script over the ad; the music ducks under it. The free preview speaks it with the
    offline voice, or with the session's own take of an online voice once a final has paid for it."""

    enabled: bool = False
    # Needed when enabled (POST /api/sessions/{id}/voiceover-script suggests one).
    script: VoiceoverScript | None = None
    # Omitted: the compositor's default voice (the first of GET /api/voices).
    voice: Voice | None = None
    speed: float = Field(default=1.0, ge=0.7, le=1.5)


class CaptionsConfig(Strict):
    # Word-timed captions of the voiceover: a phrase at a time, or with the spoken word highlighted.
    style: Literal["none", "phrase", "highlight"] = "none"


class FinishingForm(Strict):
    """The finishing form's fields, as the final's compose and the quick preview both take them."""

    text_overlay: TextOverlay
    audio: AudioConfig = Field(default_factory=AudioConfig)
    intro_duration: float = Field(default=1.0, ge=0.5, le=3.0)
    outro_duration: float = Field(default=1.0, ge=0.5, le=3.0)
    # Extensions: extra aspect ratios (the first is the session's final video) and cross-fade length.
    formats: list[OutputFormat] = Field(default_factory=lambda: ["16:9"], min_length=1, max_length=3)
    transition_duration: float = Field(default=0.3, ge=0.0, le=1.0)
    # More finals from the same clips in the same compose call (after `formats`; 6 finals at most).
    variants: list[ComposeVariant] = Field(default_factory=list, max_length=6)
    voiceover: VoiceoverConfig = Field(default_factory=VoiceoverConfig)
    captions: CaptionsConfig = Field(default_factory=CaptionsConfig)
    # A brand kit of yours (/api/brand-kits): its primary colour and font draw the texts and
    # captions unless text_overlay gives others, its default CTA stands in for an omitted
    # text_overlay.cta, its secondary colour is the CTA's button; brand_logo puts its logo in
    # that corner of the whole ad.
    brand_kit_id: uuid.UUID | None = None
    brand_logo: Literal["none", "top_left", "top_right", "bottom_left", "bottom_right"] = "none"


class ComposeFinalVideoRequest(FinishingForm):
    session_id: uuid.UUID


class VariantOverlay(Strict):
    """What a variant changes of the request's text_overlay; an omitted field keeps its value."""

    product_name: ProductName | None = None
    cta: CallToAction | None = None
    font: Annotated[Text, Field(max_length=64)] | None = None
    color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")


class ComposeVariant(Strict):
    # Letters, digits, "-" and "_"; chosen by the gateway when omitted.
    variant_id: ItemId | None = None
    format: OutputFormat = "16:9"
    text_overlay: VariantOverlay | None = None
    # Replaces the request's audio for this final when given.
    audio: AudioConfig | None = None


CameraMovement = Literal[
    "static", "zoom_in", "zoom_out", "pan_left", "pan_right", "tilt_up", "tilt_down", "tracking", "orbit"
]
ShotSeconds = Annotated[float, Field(ge=2.0, le=4.0)]
Intensity = Annotated[float, Field(ge=0.0, le=1.0)]


class RegenerateImageRequest(Strict):
    """Either field or none: an omitted prompt keeps the image's own, an omitted seed draws a new one."""

    prompt: ImagePrompt | None = None
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1)


class PlanStoryboardRequest(Strict):
    video_prompt: SceneText
    clip_duration: float = Field(default=3.0, ge=2.0, le=4.0)


class ShotEdit(Strict):
    shot_id: ItemId
    scene_prompt: ShotPrompt | None = None
    camera_movement: CameraMovement | None = None
    motion_intensity: Intensity | None = None
    duration: ShotSeconds | None = None


class EditStoryboardRequest(Strict):
    shots: list[ShotEdit] = Field(min_length=1, max_length=8)


class RegenerateClipRequest(Strict):
    """What to change of the clip's shot; an omitted field keeps the shot's value."""

    scene_prompt: ShotPrompt | None = None
    camera_movement: CameraMovement | None = None
    motion_intensity: Intensity | None = None
    duration: ShotSeconds | None = None


class VoiceoverDraft(Strict):
    enabled: bool | None = None
    # As typed: bounded, checked against the script rules only when composing.
    script: Annotated[Text, Field(max_length=contract.VOICEOVER_SCRIPT.max_chars)] | None = None
    voice: Voice | None = None
    speed: float | None = Field(default=None, ge=0.7, le=1.5)


class CompositionDraft(Strict):
    """The finishing form as last edited: every field optional (it is saved while being typed), and
    bounded so a draft can always be submitted once complete."""

    text_overlay: dict[str, Annotated[Text, Field(max_length=64)]] | None = Field(default=None, max_length=8)
    audio: AudioConfig | None = None
    intro_duration: float | None = Field(default=None, ge=0.5, le=3.0)
    outro_duration: float | None = Field(default=None, ge=0.5, le=3.0)
    formats: list[OutputFormat] | None = Field(default=None, max_length=3)
    transition_duration: float | None = Field(default=None, ge=0.0, le=1.0)
    variants: list[dict[str, Any]] | None = Field(default=None, max_length=6)
    voiceover: VoiceoverDraft | None = None
    captions: CaptionsConfig | None = None
    brand_kit_id: uuid.UUID | None = None
    brand_logo: Literal["none", "top_left", "top_right", "bottom_left", "bottom_right"] | None = None


# ---------------------------------------------------------------- responses


class Shot(BaseModel):
    shot_id: str
    source_image_id: str
    scene_prompt: str
    camera_movement: str
    motion_intensity: float
    duration: float
    # The clip made from this very shot, once generated.
    clip_id: str | None = None


class Storyboard(BaseModel):
    video_prompt: str | None
    clip_duration: float
    shots: list[Shot]
    # What generating the shots' clips that don't exist yet is expected to cost (USD): on the session's
    # video model, and (online) on each model it may choose instead. Then the ad's length.
    quote_usd: float
    model_quotes_usd: dict[VideoModel, float] = {}
    estimated_duration: float


class CompositionDraftSaved(BaseModel):
    composition_draft: dict[str, Any]


class AuthResponse(BaseModel):
    success: bool = True
    user_id: int
    email: str
    session_token: str


class SessionCreated(BaseModel):
    session_id: str
    stage: SessionStage
    created_at: datetime
    # The webhook's whsec_ signing secret, returned only here (when webhook_url was given).
    webhook_secret: str | None = None


class Accepted(BaseModel):
    status: Literal["processing"] = "processing"
    estimated_duration: float
    message: str


class ApprovedImagesSaved(BaseModel):
    success: bool = True
    approved_count: int
    message: str = "Images saved to mood board"


class ApprovedClipsSaved(BaseModel):
    success: bool = True
    approved_count: int
    estimated_duration: float
    message: str = "Clips saved to mood board"


class ImageAsset(BaseModel):
    id: str
    url: str
    view_type: str
    seed: int
    cost: float
    width: int
    height: int
    created_at: datetime
    # "generated" by image_gen, or the user's own photo ("upload").
    source: Literal["generated", "upload"] = "generated"
    # The text it was made from (shown, edited and regenerated from); empty for uploads.
    prompt: str = ""
    # Which image this one was regenerated from, if any.
    replaces: str | None = None


class VideoAsset(BaseModel):
    id: str
    url: str
    source_image_id: str
    duration: float
    resolution: str
    fps: int
    cost: float
    created_at: datetime
    # The shot it was made from.
    scene_prompt: str = ""
    camera_movement: str = ""
    motion_intensity: float = 0.0
    # Made from an image no longer on the mood board.
    stale: bool = False


class FinalVideo(BaseModel):
    url: str
    duration: float
    resolution: str
    fps: int
    file_size_mb: float
    format: str
    aspect_ratio: str
    # A sound track at all; music in it; how long the voiceover speaks (0: none).
    has_audio: bool
    has_music: bool = False
    voiceover_s: float = 0.0
    # Which final of the compose call this is (e.g. "16x9", "v1"), and a short description of it.
    variant_id: str | None = None
    label: str = ""
    # The same file as an attachment named after the product ("pink-tennis-shoes.mp4").
    download_url: str = ""
    # The captions as WebVTT and SRT attachments (with captions on; the same timeline for every final).
    captions_vtt_url: str | None = None
    captions_srt_url: str | None = None


class FinalVersion(BaseModel):
    """One compose: its finals (formats and variants), what it was made with, and whether the clip
    board has changed since (stale)."""

    id: str
    created_at: datetime
    settings: dict[str, Any]
    videos: list[FinalVideo]
    stale: bool


class SessionResponse(BaseModel):
    id: str
    user_id: int
    stage: SessionStage
    progress: int
    message: str | None
    error: str | None
    # The stage POST /retry resumes when the session failed.
    failed_stage: str | None
    product_prompt: str | None
    video_prompt: str | None
    # The image-to-video model the session's clips are made with ("" = the agent's default).
    video_model: VideoModel = ""
    consistency_seed: int | None
    style_keywords: list[str]
    generated_images: list[ImageAsset]
    approved_images: list[str]
    generated_clips: list[VideoAsset]
    approved_clips: list[str]
    clip_order: list[str]
    final_video: FinalVideo | None
    # Every format of the latest compose (the first is final_video).
    final_videos: list[FinalVideo]
    # Every compose, newest first; all stay downloadable.
    finals: list[FinalVersion] = Field(default_factory=list)
    title: str | None = None
    storyboard: Storyboard | None = None
    composition_draft: dict[str, Any] | None = None
    total_cost: float
    budget: float
    created_at: datetime
    updated_at: datetime


class SessionSummary(BaseModel):
    id: str
    stage: SessionStage
    # The owner's name for it, else its product prompt (None for a session not started yet).
    title: str | None = None
    product_prompt: str | None
    # The first kept image, else the first generated one (a signed /media URL), else None.
    thumbnail_url: str | None = None
    total_cost: float
    created_at: datetime
    updated_at: datetime


class CostLine(BaseModel):
    agent: str
    model: str
    cost: float
    duration: float
    calls: int
    failures: int


class CostsResponse(BaseModel):
    session_id: str
    total_cost: float
    budget: float
    breakdown: list[CostLine]


class Font(BaseModel):
    id: str
    name: str
    # Unicode scripts the font draws itself ("Latin", "Cyrillic", ...), and those drawn with it
    # through the compositor's bundled fallback fonts ("Arabic", "Han", "Emoji", ...).
    scripts: list[str] = Field(default_factory=list)
    fallback_scripts: list[str] = Field(default_factory=list)


class FontsResponse(BaseModel):
    fonts: list[Font]
    default: str


class VoiceOption(BaseModel):
    id: str
    name: str
    # Spoken by a paid online model (false: the offline voice, which costs nothing).
    online: bool


class VoicesResponse(BaseModel):
    """The voices the compositor's engine speaks (voiceover.voice), the default first."""

    voices: list[VoiceOption]
    default: str


class FontPreviewRequest(Strict):
    """The finishing form's product name (as text_overlay.product_name takes it) and colour."""

    text: ProductName
    color: str = Field(default="#FFFFFF", pattern=r"^#[0-9A-Fa-f]{6}$")


class FontPreview(BaseModel):
    font: str
    # The text drawn by the compositor in this font: a transparent PNG as a data: URL.
    image: str
    width: int
    height: int
    # The bundled fonts that draw what this font lacks (per glyph cluster), e.g. "Noto Sans CJK".
    fallback_fonts: list[str]


class FontPreviews(BaseModel):
    previews: list[FontPreview]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: bool
    agents: dict[str, str]


class ProgressEvent(BaseModel):
    """One WebSocket message (PRD 9.2 plus seq/type/current_cost)."""

    type: Literal["snapshot", "progress", "complete", "failed", "heartbeat", "warning"]
    session_id: str
    seq: int
    stage: str
    session_stage: str
    progress: int
    message: str
    current_cost: float | None = None
    data: dict[str, Any] | None = None
    timestamp: datetime


# ---------------------------------------------------------------- session lifecycle and shares


def _trimmed(value: str) -> str:
    return value.strip()


class RenameSessionRequest(Strict):
    # Stored trimmed; blank (or only spaces) is refused.
    title: Annotated[
        str,
        Field(min_length=1, max_length=100),
        AfterValidator(_no_nul),
        AfterValidator(_trimmed),
        AfterValidator(_not_blank),
    ]


class DuplicateSessionRequest(Strict):
    # same_images: the product and its kept images, ready for a new scene; fresh: only the product text.
    mode: Literal["same_images", "fresh"]


class SessionDuplicated(BaseModel):
    session_id: str
    stage: SessionStage


class CreateShareRequest(Strict):
    # The id of one of the session's final videos (GET /api/sessions/{id}/shares/finals lists them).
    final_id: ItemId
    # Never expires when omitted.
    expires_in_days: int | None = Field(default=None, ge=1, le=365)


class ShareCreated(BaseModel):
    id: str
    final_id: str
    # Shown once: only its hash is stored.
    token: str
    share_url: str
    media_url: str
    expires_at: datetime | None


class ShareInfo(BaseModel):
    id: str
    final_id: str
    product_name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool


class ShareableFinal(BaseModel):
    id: str
    label: str
    aspect_ratio: str
    # The final's storage key: what its /media URL points at, so a page can tell which one it shows.
    media_key: str


class PublicShare(BaseModel):
    product_name: str
    video_url: str
    poster_url: str | None
    duration: float
    width: int
    height: int
    created_at: datetime


# ---------------------------------------------------------------- preview (animatic)


class PreviewRequest(FinishingForm):
    """The finishing form, as for POST /api/compose-final-video; the session comes from the path.

    The preview shows the first format as the final will be: its texts, brand kit, music, voiceover
    and captions (variants are finals of the same timeline and are not previewed).
    """

    # Optional, so the finishing form's body can be sent as is; it must then name the path's session.
    session_id: uuid.UUID | None = None


class VoiceoverScriptRequest(Strict):
    """Every field optional: the session's own product name, scene and length fill what is left out."""

    product_name: ProductName | None = None
    cta: CallToAction | None = None
    duration: float | None = Field(default=None, ge=3.0, le=60.0)


class VoiceoverScriptSuggestion(BaseModel):
    script: str
    word_count: int
    # The ad length the script was written for, in seconds.
    duration: float
    fallback_reason: str = ""


class PreviewResponse(BaseModel):
    url: str
    duration: float
    width: int
    height: int
    # Where the preview differs from the final, e.g. the offline voice standing in for an online one.
    note: str = ""
