from adreel.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ParseProductRequest(_message.Message):
    __slots__ = ("session_id", "product_text", "num_images", "style_keywords", "seed")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_TEXT_FIELD_NUMBER: _ClassVar[int]
    NUM_IMAGES_FIELD_NUMBER: _ClassVar[int]
    STYLE_KEYWORDS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    product_text: str
    num_images: int
    style_keywords: _containers.RepeatedScalarFieldContainer[str]
    seed: int
    def __init__(self, session_id: _Optional[str] = ..., product_text: _Optional[str] = ..., num_images: _Optional[int] = ..., style_keywords: _Optional[_Iterable[str]] = ..., seed: _Optional[int] = ...) -> None: ...

class ParseProductResponse(_message.Message):
    __slots__ = ("product", "consistency_seed", "prompts", "cost", "fallback_reason")
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_SEED_FIELD_NUMBER: _ClassVar[int]
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASON_FIELD_NUMBER: _ClassVar[int]
    product: _common_pb2.ProductSpec
    consistency_seed: int
    prompts: _containers.RepeatedCompositeFieldContainer[_common_pb2.ImagePrompt]
    cost: _common_pb2.Cost
    fallback_reason: str
    def __init__(self, product: _Optional[_Union[_common_pb2.ProductSpec, _Mapping]] = ..., consistency_seed: _Optional[int] = ..., prompts: _Optional[_Iterable[_Union[_common_pb2.ImagePrompt, _Mapping]]] = ..., cost: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ..., fallback_reason: _Optional[str] = ...) -> None: ...

class SceneImage(_message.Message):
    __slots__ = ("item_id", "view")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    view: _common_pb2.View
    def __init__(self, item_id: _Optional[str] = ..., view: _Optional[_Union[_common_pb2.View, str]] = ...) -> None: ...

class PlanScenesRequest(_message.Message):
    __slots__ = ("session_id", "scene_text", "images", "product")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SCENE_TEXT_FIELD_NUMBER: _ClassVar[int]
    IMAGES_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    scene_text: str
    images: _containers.RepeatedCompositeFieldContainer[SceneImage]
    product: _common_pb2.ProductSpec
    def __init__(self, session_id: _Optional[str] = ..., scene_text: _Optional[str] = ..., images: _Optional[_Iterable[_Union[SceneImage, _Mapping]]] = ..., product: _Optional[_Union[_common_pb2.ProductSpec, _Mapping]] = ...) -> None: ...

class PlanScenesResponse(_message.Message):
    __slots__ = ("plans", "cost", "fallback_reason")
    PLANS_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASON_FIELD_NUMBER: _ClassVar[int]
    plans: _containers.RepeatedCompositeFieldContainer[_common_pb2.ScenePlan]
    cost: _common_pb2.Cost
    fallback_reason: str
    def __init__(self, plans: _Optional[_Iterable[_Union[_common_pb2.ScenePlan, _Mapping]]] = ..., cost: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ..., fallback_reason: _Optional[str] = ...) -> None: ...

class WriteScriptRequest(_message.Message):
    __slots__ = ("session_id", "product", "scene_text", "product_name", "cta", "duration_s")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    SCENE_TEXT_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_NAME_FIELD_NUMBER: _ClassVar[int]
    CTA_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    product: _common_pb2.ProductSpec
    scene_text: str
    product_name: str
    cta: str
    duration_s: float
    def __init__(self, session_id: _Optional[str] = ..., product: _Optional[_Union[_common_pb2.ProductSpec, _Mapping]] = ..., scene_text: _Optional[str] = ..., product_name: _Optional[str] = ..., cta: _Optional[str] = ..., duration_s: _Optional[float] = ...) -> None: ...

class WriteScriptResponse(_message.Message):
    __slots__ = ("script", "word_count", "cost", "fallback_reason")
    SCRIPT_FIELD_NUMBER: _ClassVar[int]
    WORD_COUNT_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASON_FIELD_NUMBER: _ClassVar[int]
    script: str
    word_count: int
    cost: _common_pb2.Cost
    fallback_reason: str
    def __init__(self, script: _Optional[str] = ..., word_count: _Optional[int] = ..., cost: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ..., fallback_reason: _Optional[str] = ...) -> None: ...
