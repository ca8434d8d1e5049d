"""What a music engine takes and gives: MusicRequest, MusicTrack, the MusicProvider protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from adreel.v1 import common_pb2


@dataclass(frozen=True)
class MusicRequest:
    genre: str  # "upbeat" | "chill" | "energetic"
    duration_s: float
    # Stable per session and product, so a re-render gets the same track.
    seed: int
    # Words a text-to-music model can use (the product name); the local engine ignores them.
    prompt: str = ""


@dataclass(frozen=True)
class MusicTrack:
    samples: np.ndarray  # float32, shaped (n, 2)
    rate: int
    cost: common_pb2.Cost
    fallback_reason: str = ""


class MusicProvider(Protocol):
    name: str

    async def make_music(self, request: MusicRequest) -> MusicTrack: ...

    async def warmup(self) -> None: ...

    async def close(self) -> None: ...
