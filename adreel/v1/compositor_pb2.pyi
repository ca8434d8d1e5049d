from adreel.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OutputFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OUTPUT_FORMAT_UNSPECIFIED: _ClassVar[OutputFormat]
    OUTPUT_FORMAT_LANDSCAPE_16_9: _ClassVar[OutputFormat]
    OUTPUT_FORMAT_PORTRAIT_9_16: _ClassVar[OutputFormat]
    OUTPUT_FORMAT_SQUARE_1_1: _ClassVar[OutputFormat]

class MusicGenre(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MUSIC_GENRE_UNSPECIFIED: _ClassVar[MusicGenre]
    MUSIC_GENRE_UPBEAT: _ClassVar[MusicGenre]
    MUSIC_GENRE_CHILL: _ClassVar[MusicGenre]
    MUSIC_GENRE_ENERGETIC: _ClassVar[MusicGenre]

class LogoCorner(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LOGO_CORNER_UNSPECIFIED: _ClassVar[LogoCorner]
    LOGO_CORNER_TOP_LEFT: _ClassVar[LogoCorner]
    LOGO_CORNER_TOP_RIGHT: _ClassVar[LogoCorner]
    LOGO_CORNER_BOTTOM_LEFT: _ClassVar[LogoCorner]
    LOGO_CORNER_BOTTOM_RIGHT: _ClassVar[LogoCorner]

class CaptionStyle(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAPTION_STYLE_UNSPECIFIED: _ClassVar[CaptionStyle]
    CAPTION_STYLE_PHRASE: _ClassVar[CaptionStyle]
    CAPTION_STYLE_HIGHLIGHT: _ClassVar[CaptionStyle]
OUTPUT_FORMAT_UNSPECIFIED: OutputFormat
OUTPUT_FORMAT_LANDSCAPE_16_9: OutputFormat
OUTPUT_FORMAT_PORTRAIT_9_16: OutputFormat
OUTPUT_FORMAT_SQUARE_1_1: OutputFormat
MUSIC_GENRE_UNSPECIFIED: MusicGenre
MUSIC_GENRE_UPBEAT: MusicGenre
MUSIC_GENRE_CHILL: MusicGenre
MUSIC_GENRE_ENERGETIC: MusicGenre
LOGO_CORNER_UNSPECIFIED: LogoCorner
LOGO_CORNER_TOP_LEFT: LogoCorner
LOGO_CORNER_TOP_RIGHT: LogoCorner
LOGO_CORNER_BOTTOM_LEFT: LogoCorner
LOGO_CORNER_BOTTOM_RIGHT: LogoCorner
CAPTION_STYLE_UNSPECIFIED: CaptionStyle
CAPTION_STYLE_PHRASE: CaptionStyle
CAPTION_STYLE_HIGHLIGHT: CaptionStyle

class TextOverlay(_message.Message):
    __slots__ = ("product_name", "cta", "font", "color", "font_file", "accent_color")
    PRODUCT_NAME_FIELD_NUMBER: _ClassVar[int]
    CTA_FIELD_NUMBER: _ClassVar[int]
    FONT_FIELD_NUMBER: _ClassVar[int]
    COLOR_FIELD_NUMBER: _ClassVar[int]
    FONT_FILE_FIELD_NUMBER: _ClassVar[int]
    ACCENT_COLOR_FIELD_NUMBER: _ClassVar[int]
    product_name: str
    cta: str
    font: str
    color: str
    font_file: _common_pb2.AssetRef
    accent_color: str
    def __init__(self, product_name: _Optional[str] = ..., cta: _Optional[str] = ..., font: _Optional[str] = ..., color: _Optional[str] = ..., font_file: _Optional[_Union[_common_pb2.AssetRef, _Mapping]] = ..., accent_color: _Optional[str] = ...) -> None: ...

class Music(_message.Message):
    __slots__ = ("enabled", "genre", "model", "upload")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    GENRE_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    UPLOAD_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    genre: MusicGenre
    model: str
    upload: _common_pb2.AssetRef
    def __init__(self, enabled: _Optional[bool] = ..., genre: _Optional[_Union[MusicGenre, str]] = ..., model: _Optional[str] = ..., upload: _Optional[_Union[_common_pb2.AssetRef, _Mapping]] = ...) -> None: ...

class ComposeRequest(_message.Message):
    __slots__ = ("session_id", "item_id", "clips", "intro_s", "outro_s", "overlay", "music", "formats", "transition_s", "variants", "preview", "stills", "voiceover", "captions", "logo")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    CLIPS_FIELD_NUMBER: _ClassVar[int]
    INTRO_S_FIELD_NUMBER: _ClassVar[int]
    OUTRO_S_FIELD_NUMBER: _ClassVar[int]
    OVERLAY_FIELD_NUMBER: _ClassVar[int]
    MUSIC_FIELD_NUMBER: _ClassVar[int]
    FORMATS_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_S_FIELD_NUMBER: _ClassVar[int]
    VARIANTS_FIELD_NUMBER: _ClassVar[int]
    PREVIEW_FIELD_NUMBER: _ClassVar[int]
    STILLS_FIELD_NUMBER: _ClassVar[int]
    VOICEOVER_FIELD_NUMBER: _ClassVar[int]
    CAPTIONS_FIELD_NUMBER: _ClassVar[int]
    LOGO_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    item_id: str
    clips: _containers.RepeatedCompositeFieldContainer[_common_pb2.AssetRef]
    intro_s: float
    outro_s: float
    overlay: TextOverlay
    music: Music
    formats: _containers.RepeatedScalarFieldContainer[OutputFormat]
    transition_s: float
    variants: _containers.RepeatedCompositeFieldContainer[ComposeVariant]
    preview: bool
    stills: _containers.RepeatedCompositeFieldContainer[StillShot]
    voiceover: Voiceover
    captions: CaptionStyle
    logo: BrandLogo
    def __init__(self, session_id: _Optional[str] = ..., item_id: _Optional[str] = ..., clips: _Optional[_Iterable[_Union[_common_pb2.AssetRef, _Mapping]]] = ..., intro_s: _Optional[float] = ..., outro_s: _Optional[float] = ..., overlay: _Optional[_Union[TextOverlay, _Mapping]] = ..., music: _Optional[_Union[Music, _Mapping]] = ..., formats: _Optional[_Iterable[_Union[OutputFormat, str]]] = ..., transition_s: _Optional[float] = ..., variants: _Optional[_Iterable[_Union[ComposeVariant, _Mapping]]] = ..., preview: _Optional[bool] = ..., stills: _Optional[_Iterable[_Union[StillShot, _Mapping]]] = ..., voiceover: _Optional[_Union[Voiceover, _Mapping]] = ..., captions: _Optional[_Union[CaptionStyle, str]] = ..., logo: _Optional[_Union[BrandLogo, _Mapping]] = ...) -> None: ...

class BrandLogo(_message.Message):
    __slots__ = ("image", "corner")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    CORNER_FIELD_NUMBER: _ClassVar[int]
    image: _common_pb2.AssetRef
    corner: LogoCorner
    def __init__(self, image: _Optional[_Union[_common_pb2.AssetRef, _Mapping]] = ..., corner: _Optional[_Union[LogoCorner, str]] = ...) -> None: ...

class Voiceover(_message.Message):
    __slots__ = ("script", "voice", "speed")
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    VOICE_FIELD_NUMBER: _ClassVar[int]
    SPEED_FIELD_NUMBER: _ClassVar[int]
    script: str
    voice: str
    speed: float
    def __init__(self, script: _Optional[str] = ..., voice: _Optional[str] = ..., speed: _Optional[float] = ...) -> None: ...

class StillShot(_message.Message):
    __slots__ = ("image", "camera_movement", "motion_intensity", "duration_s")
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    CAMERA_MOVEMENT_FIELD_NUMBER: _ClassVar[int]
    MOTION_INTENSITY_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    image: _common_pb2.AssetRef
    camera_movement: _common_pb2.CameraMovement
    motion_intensity: float
    duration_s: float
    def __init__(self, image: _Optional[_Union[_common_pb2.AssetRef, _Mapping]] = ..., camera_movement: _Optional[_Union[_common_pb2.CameraMovement, str]] = ..., motion_intensity: _Optional[float] = ..., duration_s: _Optional[float] = ...) -> None: ...

class ComposeVariant(_message.Message):
    __slots__ = ("variant_id", "format", "overlay", "music")
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    OVERLAY_FIELD_NUMBER: _ClassVar[int]
    MUSIC_FIELD_NUMBER: _ClassVar[int]
    variant_id: str
    format: OutputFormat
    overlay: TextOverlay
    music: Music
    def __init__(self, variant_id: _Optional[str] = ..., format: _Optional[_Union[OutputFormat, str]] = ..., overlay: _Optional[_Union[TextOverlay, _Mapping]] = ..., music: _Optional[_Union[Music, _Mapping]] = ...) -> None: ...

class FinalVideo(_message.Message):
    __slots__ = ("format", "asset", "variant_id")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    VARIANT_ID_FIELD_NUMBER: _ClassVar[int]
    format: OutputFormat
    asset: _common_pb2.AssetRef
    variant_id: str
    def __init__(self, format: _Optional[_Union[OutputFormat, str]] = ..., asset: _Optional[_Union[_common_pb2.AssetRef, _Mapping]] = ..., variant_id: _Optional[str] = ...) -> None: ...

class ComposeResult(_message.Message):
    __slots__ = ("item_id", "videos", "music", "cost", "replayed", "fallback_reason", "music_cost", "captions_vtt", "captions_srt", "voiceover_s", "voice_cost", "cut_times_s", "music_bpm")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    VIDEOS_FIELD_NUMBER: _ClassVar[int]
    MUSIC_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASON_FIELD_NUMBER: _ClassVar[int]
    MUSIC_COST_FIELD_NUMBER: _ClassVar[int]
    CAPTIONS_VTT_FIELD_NUMBER: _ClassVar[int]
    CAPTIONS_SRT_FIELD_NUMBER: _ClassVar[int]
    VOICEOVER_S_FIELD_NUMBER: _ClassVar[int]
    VOICE_COST_FIELD_NUMBER: _ClassVar[int]
    CUT_TIMES_S_FIELD_NUMBER: _ClassVar[int]
    MUSIC_BPM_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    videos: _containers.RepeatedCompositeFieldContainer[FinalVideo]
    music: _common_pb2.AssetRef
    cost: _common_pb2.Cost
    replayed: bool
    fallback_reason: str
    music_cost: _common_pb2.Cost
    captions_vtt: _common_pb2.AssetRef
    captions_srt: _common_pb2.AssetRef
    voiceover_s: float
    voice_cost: _common_pb2.Cost
    cut_times_s: _containers.RepeatedScalarFieldContainer[float]
    music_bpm: float
    def __init__(self, item_id: _Optional[str] = ..., videos: _Optional[_Iterable[_Union[FinalVideo, _Mapping]]] = ..., music: _Optional[_Union[_common_pb2.AssetRef, _Mapping]] = ..., cost: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ..., replayed: _Optional[bool] = ..., fallback_reason: _Optional[str] = ..., music_cost: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ..., captions_vtt: _Optional[_Union[_common_pb2.AssetRef, _Mapping]] = ..., captions_srt: _Optional[_Union[_common_pb2.AssetRef, _Mapping]] = ..., voiceover_s: _Optional[float] = ..., voice_cost: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ..., cut_times_s: _Optional[_Iterable[float]] = ..., music_bpm: _Optional[float] = ...) -> None: ...

class ComposeResponse(_message.Message):
    __slots__ = ("progress", "result", "failure")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    progress: _common_pb2.Progress
    result: ComposeResult
    failure: _common_pb2.ItemFailure
    def __init__(self, progress: _Optional[_Union[_common_pb2.Progress, _Mapping]] = ..., result: _Optional[_Union[ComposeResult, _Mapping]] = ..., failure: _Optional[_Union[_common_pb2.ItemFailure, _Mapping]] = ...) -> None: ...

class ListFontsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Font(_message.Message):
    __slots__ = ("id", "name", "scripts", "fallback_scripts")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    SCRIPTS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_SCRIPTS_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    scripts: _containers.RepeatedScalarFieldContainer[str]
    fallback_scripts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., scripts: _Optional[_Iterable[str]] = ..., fallback_scripts: _Optional[_Iterable[str]] = ...) -> None: ...

class ListFontsResponse(_message.Message):
    __slots__ = ("fonts",)
    FONTS_FIELD_NUMBER: _ClassVar[int]
    fonts: _containers.RepeatedCompositeFieldContainer[Font]
    def __init__(self, fonts: _Optional[_Iterable[_Union[Font, _Mapping]]] = ...) -> None: ...

class ListVoicesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class VoiceOption(_message.Message):
    __slots__ = ("id", "name", "online")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ONLINE_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    online: bool
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., online: _Optional[bool] = ...) -> None: ...

class ListVoicesResponse(_message.Message):
    __slots__ = ("voices",)
    VOICES_FIELD_NUMBER: _ClassVar[int]
    voices: _containers.RepeatedCompositeFieldContainer[VoiceOption]
    def __init__(self, voices: _Optional[_Iterable[_Union[VoiceOption, _Mapping]]] = ...) -> None: ...

class CheckComposeRequest(_message.Message):
    __slots__ = ("request",)
    REQUEST_FIELD_NUMBER: _ClassVar[int]
    request: ComposeRequest
    def __init__(self, request: _Optional[_Union[ComposeRequest, _Mapping]] = ...) -> None: ...

class CheckComposeResponse(_message.Message):
    __slots__ = ("duration_s", "notes")
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    duration_s: float
    notes: str
    def __init__(self, duration_s: _Optional[float] = ..., notes: _Optional[str] = ...) -> None: ...

class RenderTextPreviewRequest(_message.Message):
    __slots__ = ("text", "color", "size_px", "fonts")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    COLOR_FIELD_NUMBER: _ClassVar[int]
    SIZE_PX_FIELD_NUMBER: _ClassVar[int]
    FONTS_FIELD_NUMBER: _ClassVar[int]
    text: str
    color: str
    size_px: int
    fonts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, text: _Optional[str] = ..., color: _Optional[str] = ..., size_px: _Optional[int] = ..., fonts: _Optional[_Iterable[str]] = ...) -> None: ...

class TextPreview(_message.Message):
    __slots__ = ("font", "png", "width", "height", "fallback_fonts")
    FONT_FIELD_NUMBER: _ClassVar[int]
    PNG_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_FONTS_FIELD_NUMBER: _ClassVar[int]
    font: str
    png: bytes
    width: int
    height: int
    fallback_fonts: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, font: _Optional[str] = ..., png: _Optional[bytes] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., fallback_fonts: _Optional[_Iterable[str]] = ...) -> None: ...

class RenderTextPreviewResponse(_message.Message):
    __slots__ = ("previews",)
    PREVIEWS_FIELD_NUMBER: _ClassVar[int]
    previews: _containers.RepeatedCompositeFieldContainer[TextPreview]
    def __init__(self, previews: _Optional[_Iterable[_Union[TextPreview, _Mapping]]] = ...) -> None: ...
