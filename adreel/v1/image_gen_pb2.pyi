from adreel.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ImageJob(_message.Message):
    __slots__ = ("item_id", "prompt")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    PROMPT_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    prompt: _common_pb2.ImagePrompt
    def __init__(self, item_id: _Optional[str] = ..., prompt: _Optional[_Union[_common_pb2.ImagePrompt, _Mapping]] = ...) -> None: ...

class GenerateImagesRequest(_message.Message):
    __slots__ = ("session_id", "product", "jobs", "model")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PRODUCT_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    product: _common_pb2.ProductSpec
    jobs: _containers.RepeatedCompositeFieldContainer[ImageJob]
    model: str
    def __init__(self, session_id: _Optional[str] = ..., product: _Optional[_Union[_common_pb2.ProductSpec, _Mapping]] = ..., jobs: _Optional[_Iterable[_Union[ImageJob, _Mapping]]] = ..., model: _Optional[str] = ...) -> None: ...

class ImageResult(_message.Message):
    __slots__ = ("item_id", "view", "seed", "asset", "cost", "replayed", "fallback_reason")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASON_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    view: _common_pb2.View
    seed: int
    asset: _common_pb2.AssetRef
    cost: _common_pb2.Cost
    replayed: bool
    fallback_reason: str
    def __init__(self, item_id: _Optional[str] = ..., view: _Optional[_Union[_common_pb2.View, str]] = ..., seed: _Optional[int] = ..., asset: _Optional[_Union[_common_pb2.AssetRef, _Mapping]] = ..., cost: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ..., replayed: _Optional[bool] = ..., fallback_reason: _Optional[str] = ...) -> None: ...

class GenerateImagesResponse(_message.Message):
    __slots__ = ("progress", "image", "failure")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    progress: _common_pb2.Progress
    image: ImageResult
    failure: _common_pb2.ItemFailure
    def __init__(self, progress: _Optional[_Union[_common_pb2.Progress, _Mapping]] = ..., image: _Optional[_Union[ImageResult, _Mapping]] = ..., failure: _Optional[_Union[_common_pb2.ItemFailure, _Mapping]] = ...) -> None: ...
