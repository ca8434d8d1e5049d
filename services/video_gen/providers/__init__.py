"""The engine behind GenerateClips: the servicer validates and stores; a Provider renders.

`local` renders camera moves with FFmpeg on our CPU; `replicate` runs image-to-video models that
follow the shot (providers/replicate.py). Both implement the same protocol: a provider gets the
source still as a local file (and its asset:// ref), the plan and the scene prompt, writes an MP4 to
`dest`, and reports its cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from adreel.v1 import common_pb2
from services.common.agent_parts import load_engine
from services.video_gen.config import Settings


@dataclass(frozen=True)
class ClipRequest:
    source: Path  # the source still, a readable local file (already checked as an image)
    source_uri: str
    movement: int  # common_pb2.CameraMovement
    motion_intensity: float  # 0-1
    duration_s: float  # 2-4
    seed: int
    scene_prompt: str  # prompt-following engines send it; the local engine picks scene elements by it
    model: str  # "" = the engine's default


@dataclass(frozen=True)
class RenderedClip:
    cost: common_pb2.Cost
    # Why another model than the one asked for did the work ("" when none was substituted).
    fallback_reason: str = ""


class Provider(Protocol):
    name: str  # "local" or "replicate" (Cost.provider)
    default_model: str

    async def warmup(self) -> None:
        """Raise unless the engine can render (the agent stays NOT_SERVING until it can)."""

    def check_model(self, model: str) -> None:
        """Raise InvalidArgument naming `model` unless this engine can render a request for it."""

    async def render(
        self, request: ClipRequest, dest: Path, on_progress: Callable[[float], None]
    ) -> RenderedClip:
        """Write the clip (1024x576, 30 fps, H.264 MP4) to `dest`; report 0-1 as it goes."""
        ...

    async def close(self) -> None: ...


def make_provider(settings: Settings) -> Provider:
    return cast(Provider, load_engine(settings, __name__, local="LocalProvider", replicate="ReplicateClips"))
