"""Engines behind the agent. The servicer validates and stores; a provider only makes a PNG file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, cast

from adreel.v1 import common_pb2
from services.common.agent_parts import load_engine
from services.image_gen.config import Settings


@dataclass(frozen=True)
class ImageRequest:
    """One validated image job, engine-neutral."""

    item_id: str
    view: str  # front | side | back | top | detail | lifestyle
    prompt: str
    negative_prompt: str
    seed: int
    guidance_scale: float
    category: str
    palette: tuple[str, ...]
    materials: tuple[str, ...]
    style_keywords: tuple[str, ...]
    # Model asked for by the caller ("" = the engine's default).
    model: str = ""


@dataclass(frozen=True)
class GeneratedImage:
    path: Path  # a PNG the servicer moves into storage
    cost: common_pb2.Cost
    # Set when the engine made the image with another model than the one asked for.
    fallback_reason: str = ""


class Provider(Protocol):
    name: str

    async def start(self) -> None:
        """Get ready (start workers, check a token); raise when the engine cannot work."""

    async def generate(self, request: ImageRequest, out_dir: Path) -> GeneratedImage:
        """Write one PNG into `out_dir`; raise services.common.errors.AgentError subclasses."""

    async def close(self) -> None: ...


def make_provider(settings: Settings) -> Provider:
    return cast(Provider, load_engine(settings, __name__, local="LocalProvider", replicate="ReplicateImages"))
