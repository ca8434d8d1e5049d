"""GET /api/engines: which engine each agent runs, its model and the model's licence.

Ads are commercial, so a user must see when a model's licence forbids that (MusicGen's weights
are CC-BY-NC). The table below is the one place the gateway keeps these; the engine each agent
runs is resolved from the same settings the agents read (ADREEL_<AGENT>_ENGINE, then
ADREEL_ENGINE, then whether a Replicate token is set), so the answer matches `make run`.
"""

from __future__ import annotations

import os

from fastapi import APIRouter
from pydantic import BaseModel

from services.common.config import Engine, engine_for

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


class Engines(BaseModel):
    agents: list[AgentEngine]


# Per agent: the model each engine runs by default. Kept in step with the agents' providers
# (tests/integration/test_engines_route.py compares them).
MODELS: dict[str, dict[Engine, ModelLicence]] = {
    "prompt_parser": {
        "local": ModelLicence(model="local/rules", licence=PROJECT_LICENCE, commercial_use=True),
        "replicate": ModelLicence(
            model="meta/meta-llama-3-70b-instruct",
            licence="Meta Llama 3 Community License",
            commercial_use=True,
            note="commercial use allowed below 700 million monthly users",
        ),
    },
    "image_gen": {
        "local": ModelLicence(model="local/pillow-studio", licence=PROJECT_LICENCE, commercial_use=True),
        "replicate": ModelLicence(
            model="black-forest-labs/flux-1.1-pro",
            licence="FLUX.1 [pro] API terms (Black Forest Labs)",
            commercial_use=True,
            note="outputs usable commercially; fallback stability-ai/sdxl (CreativeML OpenRAIL++-M)",
        ),
    },
    "video_gen": {
        "local": ModelLicence(model="local/ffmpeg-camera", licence=PROJECT_LICENCE, commercial_use=True),
        "replicate": ModelLicence(
            model="stability-ai/stable-video-diffusion",
            licence="Stability AI Community License",
            commercial_use=True,
            note="commercial use free below USD 1M annual revenue; an enterprise licence above",
        ),
    },
    "compositor": {
        "local": ModelLicence(model="local/numpy-synth", licence=PROJECT_LICENCE, commercial_use=True),
        "replicate": ModelLicence(
            model="meta/musicgen",
            licence="CC-BY-NC-4.0",
            commercial_use=False,
            note="non-commercial: MusicGen's weights may not be used for ads you sell or run",
        ),
    },
}


def engines(env: dict[str, str] | os._Environ[str] = os.environ) -> Engines:
    rows = []
    for agent, by_engine in MODELS.items():
        engine = engine_for(agent, env)
        rows.append(AgentEngine(agent=agent, engine=engine, **by_engine[engine].model_dump()))
    return Engines(agents=rows)


@router.get("/api/engines")
async def list_engines() -> Engines:
    return engines()
