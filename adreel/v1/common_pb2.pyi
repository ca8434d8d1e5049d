from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class View(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VIEW_UNSPECIFIED: _ClassVar[View]
    VIEW_FRONT: _ClassVar[View]
    VIEW_SIDE: _ClassVar[View]
    VIEW_BACK: _ClassVar[View]
    VIEW_TOP: _ClassVar[View]
    VIEW_DETAIL: _ClassVar[View]
    VIEW_LIFESTYLE: _ClassVar[View]

class CameraMovement(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CAMERA_MOVEMENT_UNSPECIFIED: _ClassVar[CameraMovement]
    CAMERA_MOVEMENT_STATIC: _ClassVar[CameraMovement]
    CAMERA_MOVEMENT_ZOOM_IN: _ClassVar[CameraMovement]
    CAMERA_MOVEMENT_ZOOM_OUT: _ClassVar[CameraMovement]
    CAMERA_MOVEMENT_PAN_LEFT: _ClassVar[CameraMovement]
    CAMERA_MOVEMENT_PAN_RIGHT: _ClassVar[CameraMovement]
    CAMERA_MOVEMENT_TILT_UP: _ClassVar[CameraMovement]
    CAMERA_MOVEMENT_TILT_DOWN: _ClassVar[CameraMovement]
    CAMERA_MOVEMENT_TRACKING: _ClassVar[CameraMovement]
    CAMERA_MOVEMENT_ORBIT: _ClassVar[CameraMovement]
VIEW_UNSPECIFIED: View
VIEW_FRONT: View
VIEW_SIDE: View
VIEW_BACK: View
VIEW_TOP: View
VIEW_DETAIL: View
VIEW_LIFESTYLE: View
CAMERA_MOVEMENT_UNSPECIFIED: CameraMovement
CAMERA_MOVEMENT_STATIC: CameraMovement
CAMERA_MOVEMENT_ZOOM_IN: CameraMovement
CAMERA_MOVEMENT_ZOOM_OUT: CameraMovement
CAMERA_MOVEMENT_PAN_LEFT: CameraMovement
CAMERA_MOVEMENT_PAN_RIGHT: CameraMovement
CAMERA_MOVEMENT_TILT_UP: CameraMovement
CAMERA_MOVEMENT_TILT_DOWN: CameraMovement
CAMERA_MOVEMENT_TRACKING: CameraMovement
CAMERA_MOVEMENT_ORBIT: CameraMovement

class Cost(_message.Message):
    __slots__ = ("usd_micros", "provider", "model", "seconds")
    USD_MICROS_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    SECONDS_FIELD_NUMBER: _ClassVar[int]
    usd_micros: int
    provider: str
    model: str
    seconds: float
    def __init__(self, usd_micros: _Optional[int] = ..., provider: _Optional[str] = ..., model: _Optional[str] = ..., seconds: _Optional[float] = ...) -> None: ...

class AssetRef(_message.Message):
    __slots__ = ("uri", "content_type", "bytes", "sha256", "width", "height", "duration_s", "fps")
    URI_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    WIDTH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    FPS_FIELD_NUMBER: _ClassVar[int]
    uri: str
    content_type: str
    bytes: int
    sha256: str
    width: int
    height: int
    duration_s: float
    fps: float
    def __init__(self, uri: _Optional[str] = ..., content_type: _Optional[str] = ..., bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., width: _Optional[int] = ..., height: _Optional[int] = ..., duration_s: _Optional[float] = ..., fps: _Optional[float] = ...) -> None: ...

class Progress(_message.Message):
    __slots__ = ("fraction", "message", "item_id", "done", "total", "eta_s")
    FRACTION_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    ETA_S_FIELD_NUMBER: _ClassVar[int]
    fraction: float
    message: str
    item_id: str
    done: int
    total: int
    eta_s: float
    def __init__(self, fraction: _Optional[float] = ..., message: _Optional[str] = ..., item_id: _Optional[str] = ..., done: _Optional[int] = ..., total: _Optional[int] = ..., eta_s: _Optional[float] = ...) -> None: ...

class ItemFailure(_message.Message):
    __slots__ = ("item_id", "code", "message", "cost", "retryable")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    RETRYABLE_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    code: str
    message: str
    cost: Cost
    retryable: bool
    def __init__(self, item_id: _Optional[str] = ..., code: _Optional[str] = ..., message: _Optional[str] = ..., cost: _Optional[_Union[Cost, _Mapping]] = ..., retryable: _Optional[bool] = ...) -> None: ...

class ProductSpec(_message.Message):
    __slots__ = ("text", "category", "colors", "palette", "materials", "style_keywords")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    COLORS_FIELD_NUMBER: _ClassVar[int]
    PALETTE_FIELD_NUMBER: _ClassVar[int]
    MATERIALS_FIELD_NUMBER: _ClassVar[int]
    STYLE_KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    text: str
    category: str
    colors: _containers.RepeatedScalarFieldContainer[str]
    palette: _containers.RepeatedScalarFieldContainer[str]
    materials: _containers.RepeatedScalarFieldContainer[str]
    style_keywords: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, text: _Optional[str] = ..., category: _Optional[str] = ..., colors: _Optional[_Iterable[str]] = ..., palette: _Optional[_Iterable[str]] = ..., materials: _Optional[_Iterable[str]] = ..., style_keywords: _Optional[_Iterable[str]] = ...) -> None: ...

class ImagePrompt(_message.Message):
    __slots__ = ("view", "prompt", "negative_prompt", "seed", "guidance_scale")
    VIEW_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    NEGATIVE_PROMPT_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    GUIDANCE_SCALE_FIELD_NUMBER: _ClassVar[int]
    view: View
    prompt: str
    negative_prompt: str
    seed: int
    guidance_scale: float
    def __init__(self, view: _Optional[_Union[View, str]] = ..., prompt: _Optional[str] = ..., negative_prompt: _Optional[str] = ..., seed: _Optional[int] = ..., guidance_scale: _Optional[float] = ...) -> None: ...

class ScenePlan(_message.Message):
    __slots__ = ("item_id", "view", "scene_prompt", "camera_movement", "motion_intensity")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    SCENE_PROMPT_FIELD_NUMBER: _ClassVar[int]
    CAMERA_MOVEMENT_FIELD_NUMBER: _ClassVar[int]
    MOTION_INTENSITY_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    view: View
    scene_prompt: str
    camera_movement: CameraMovement
    motion_intensity: float
    def __init__(self, item_id: _Optional[str] = ..., view: _Optional[_Union[View, str]] = ..., scene_prompt: _Optional[str] = ..., camera_movement: _Optional[_Union[CameraMovement, str]] = ..., motion_intensity: _Optional[float] = ...) -> None: ...
