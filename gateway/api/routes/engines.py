"""GET /api/engines: which engine each agent runs, its model and the model's licence.

Ads are commercial, so a user must see when a model's licence forbids that (MusicGen's weights
are CC-BY-NC, so it is only an opt-in: `options`). The tables below are the one place the gateway
keeps these; the engine each agent runs is resolved from the same settings the agents read
(ADREEL_<AGENT>_ENGINE, then ADREEL_ENGINE, then whether a Replicate token is set), so the answer
matches `make run`.
"""

from __future__ import annotations

import os

from fastapi import APIRouter
from pydantic import BaseModel

from gateway.schemas import VideoModel
from services.common.config import Engine, engine_for
from services.common.costs.pricing import DEFAULT_VIDEO_MODEL, VIDEO_MODELS, clip_quote_usd

router = APIRouter(tags=["engines"])

PROJECT_LICENCE = "Apache-2.0 (Adreel's own code)"


class ModelLicence(BaseModel):
    model: str
    licence: str
    commercial_use: bool
    note: str = ""


class AgentEngine(BaseModel):
    agent: str
    engine: Engine
    model: str
    licence: str
    commercial_use: bool
    note: str = ""
    # Models a session may choose instead of `model` (the compositor's audio.model), with licences.
    options: list[ModelLicence] = []
    # The model that speaks voiceovers (the compositor's), with its licence.
    voice: ModelLicence | None = None


class VideoModelOption(BaseModel):
    """A video model a session may choose (its `video_model`), what one clip costs and its licence."""

    id: VideoModel
    label: str
    model: str
    licence: str
    commercial_use: bool
    usd_per_clip: float


class Engines(BaseModel):
    agents: list[AgentEngine]
    # The video models a session may choose, the default first; empty when clips are made offline.
    video_models: list[VideoModelOption] = []


def _own(model: str) -> ModelLicence:
    """An offline engine's model: Adreel's own code, usable commercially."""
    return ModelLicence(model=model, licence=PROJECT_LICENCE, commercial_use=True)


# Per agent: the model each engine runs by default. Kept in step with the agents' providers
# (tests/unit/test_gateway_engines.py compares them).
MODELS: dict[str, dict[Engine, ModelLicence]] = {
    "prompt_parser": {
        "local": _own("local/rules"),
        "replicate": ModelLicence(
            model="meta/meta-llama-3-70b-instruct",
            licence="Meta Llama 3 Community License",
            commercial_use=True,
            note="commercial use allowed below 700 million monthly users",
        ),
    },
    "image_gen": {
        "local": _own("local/pillow-studio"),
        "replicate": ModelLicence(
            model="black-forest-labs/flux-1.1-pro",
            licence="FLUX.1 [pro] API terms (Black Forest Labs)",
            commercial_use=True,
            note="outputs usable commercially; fallback stability-ai/sdxl (CreativeML OpenRAIL++-M)",
        ),
    },
    "video_gen": {
        "local": _own("local/ffmpeg-camera"),
        "replicate": ModelLicence(
            model="wan-video/wan-2.2-i2v-fast",
            licence="Apache-2.0 (Wan 2.2 weights)",
            commercial_use=True,
            note="per session also Kling 2.1, Seedance 1 lite/pro, Veo 3.1 fast (their API terms) or "
            "Stable Video Diffusion (Stability AI Community License: free below USD 1M annual revenue)",
        ),
    },
    "compositor": {
        "local": _own("local/numpy-synth"),
        "replicate": ModelLicence(
            model="stability-ai/stable-audio-2.5",
            licence="Stability AI API terms (a hosted model: no open weights)",
            commercial_use=True,
            note="outputs may be used commercially (trained on licensed music); the Stability AI Community "
            "License, free below USD 1M annual revenue, is for Stability's open-weights models",
        ),
    },
}
# Per agent and engine: the models a session may opt into instead of the default.
OPTIONS: dict[str, dict[Engine, list[ModelLicence]]] = {
    "compositor": {
        "replicate": [
            ModelLicence(
                model="meta/musicgen",
                licence="CC-BY-NC-4.0",
                commercial_use=False,
                note='only when a session asks for it (audio.model "musicgen"); non-commercial: '
                "MusicGen's weights may not be used for ads you sell or run",
            )
        ]
    },
}
# The compositor's voice per engine (the offline voice is also the online one's fallback).
VOICES: dict[Engine, ModelLicence] = {
    "local": ModelLicence(
        model="local/piper-joe",
        licence="Piper GPL-3.0 (run as its own process); the joe voice CC0",
        commercial_use=True,
    ),
    "replicate": ModelLicence(
        model="jaaari/kokoro-82m",
        licence="Apache-2.0 (Kokoro-82M weights)",
        commercial_use=True,
        note="the offline voice (joe) stays selectable, and speaks when Kokoro fails",
    ),
}


# Per video model a session may choose: its name for people and its licence (prices: pricing.py).
VIDEO_MODEL_TERMS: dict[VideoModel, tuple[str, str, bool]] = {
    "": ("Wan 2.2 fast (recommended)", "Apache-2.0 (Wan 2.2 weights)", True),
    "kling-2.1": ("Kling 2.1", "Kling API terms (Kuaishou)", True),
    "seedance-lite": ("Seedance 1 lite", "ByteDance API terms", True),
    "seedance-pro": ("Seedance 1 pro", "ByteDance API terms", True),
    "veo-3.1-fast": ("Veo 3.1 fast", "Google API terms", True),
    "svd": (
        "Stable Video Diffusion (ignores the shot text)",
        "Stability AI Community License (free below USD 1M annual revenue)",
        True,
    ),
}


def video_models() -> list[VideoModelOption]:
    return [
        VideoModelOption(
            id=choice,
            label=label,
            model=VIDEO_MODELS[choice or DEFAULT_VIDEO_MODEL].model,
            licence=licence,
            commercial_use=commercial,
            usd_per_clip=round(float(clip_quote_usd(choice, "replicate")), 4),
        )
        for choice, (label, licence, commercial) in VIDEO_MODEL_TERMS.items()
    ]


def engines(env: dict[str, str] | os._Environ[str] = os.environ) -> Engines:
    rows = []
    for agent, by_engine in MODELS.items():
        engine = engine_for(agent, env)
        extra: dict[str, object] = {"options": OPTIONS.get(agent, {}).get(engine, [])}
        if agent == "compositor":
            extra["voice"] = VOICES[engine]
        rows.append(AgentEngine(agent=agent, engine=engine, **by_engine[engine].model_dump(), **extra))
    online = engine_for("video_gen", env) == "replicate"
    return Engines(agents=rows, video_models=video_models() if online else [])


@router.get("/api/engines")
async def list_engines() -> Engines:
    return engines()
