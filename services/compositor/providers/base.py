"""What the engines take and give: MusicRequest, MusicTrack and the MusicProvider protocol; the
VoiceProvider protocol (which speaks a voiceover as a `Speech`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from adreel.v1 import common_pb2
from services.common.audio_choices import DEFAULT_MUSIC_MODEL, VoiceChoice
from services.compositor.voice import Speech


@dataclass(frozen=True)
class MusicRequest:
    genre: str  # "upbeat" | "chill" | "energetic"
    duration_s: float
    # Stable per session and product, so a re-render gets the same track.
    seed: int
    # Words a text-to-music model can use (the product name); the local engine ignores them.
    prompt: str = ""
    # Which model of the engine makes it (audio_choices.MUSIC_MODELS); the local engine has one.
    model: str = DEFAULT_MUSIC_MODEL


@dataclass(frozen=True)
class MusicTrack:
    samples: np.ndarray  # float32, shaped (n, 2)
    rate: int
    cost: common_pb2.Cost
    fallback_reason: str = ""
    # The tempo when the engine knows its beat (the synthesiser: beat k at k * 60 / bpm from the
    # start); 0 = unknown, the compositor detects it.
    bpm: float = 0.0


class MusicProvider(Protocol):
    name: str

    async def make_music(self, request: MusicRequest) -> MusicTrack: ...

    async def warmup(self) -> None: ...

    async def close(self) -> None: ...


class VoiceProvider(Protocol):
    """Speaks a voiceover: `voice` is one of `voices()` (the default first), `speed` 0.7-1.5."""

    def voices(self) -> tuple[VoiceChoice, ...]: ...

    async def speak(self, script: str, voice: str, speed: float) -> Speech: ...
