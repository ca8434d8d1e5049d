from adreel.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ClipJob(_message.Message):
    __slots__ = ("item_id", "image", "plan", "seed")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    image: _common_pb2.AssetRef
    plan: _common_pb2.ScenePlan
    seed: int
    def __init__(self, item_id: _Optional[str] = ..., image: _Optional[_Union[_common_pb2.AssetRef, _Mapping]] = ..., plan: _Optional[_Union[_common_pb2.ScenePlan, _Mapping]] = ..., seed: _Optional[int] = ...) -> None: ...

class GenerateClipsRequest(_message.Message):
    __slots__ = ("session_id", "jobs", "duration_s", "model")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    JOBS_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    jobs: _containers.RepeatedCompositeFieldContainer[ClipJob]
    duration_s: float
    model: str
    def __init__(self, session_id: _Optional[str] = ..., jobs: _Optional[_Iterable[_Union[ClipJob, _Mapping]]] = ..., duration_s: _Optional[float] = ..., model: _Optional[str] = ...) -> None: ...

class ClipResult(_message.Message):
    __slots__ = ("item_id", "source_item_id", "asset", "cost", "replayed", "fallback_reason")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    ASSET_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASON_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    source_item_id: str
    asset: _common_pb2.AssetRef
    cost: _common_pb2.Cost
    replayed: bool
    fallback_reason: str
    def __init__(self, item_id: _Optional[str] = ..., source_item_id: _Optional[str] = ..., asset: _Optional[_Union[_common_pb2.AssetRef, _Mapping]] = ..., cost: _Optional[_Union[_common_pb2.Cost, _Mapping]] = ..., replayed: _Optional[bool] = ..., fallback_reason: _Optional[str] = ...) -> None: ...

class GenerateClipsResponse(_message.Message):
    __slots__ = ("progress", "clip", "failure")
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    CLIP_FIELD_NUMBER: _ClassVar[int]
    FAILURE_FIELD_NUMBER: _ClassVar[int]
    progress: _common_pb2.Progress
    clip: ClipResult
    failure: _common_pb2.ItemFailure
    def __init__(self, progress: _Optional[_Union[_common_pb2.Progress, _Mapping]] = ..., clip: _Optional[_Union[ClipResult, _Mapping]] = ..., failure: _Optional[_Union[_common_pb2.ItemFailure, _Mapping]] = ...) -> None: ...
