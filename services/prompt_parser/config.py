"""Settings of the prompt parser agent (environment `ADREEL_*`, `PORT`)."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from services.common.config import Engine, EngineAgentSettings, engine_setting


class Settings(EngineAgentSettings):
    port: int = Field(default=50051, validation_alias=AliasChoices("PORT", "ADREEL_PORT"))
    engine: Engine | None = engine_setting("prompt_parser")
    # Classifier-free guidance every image prompt carries (text-to-image models' usual sweet spot).
    guidance_scale: float = Field(default=7.5, gt=0, le=30)
