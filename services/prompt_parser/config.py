"""Settings of the prompt parser agent (environment `ADREEL_*`, `PORT`)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, model_validator

from services.common.config import AgentSettings


class Settings(AgentSettings):
    port: int = Field(default=50051, validation_alias=AliasChoices("PORT", "ADREEL_PORT"))
    # None means "pick from the environment": replicate with a token, local without.
    engine: Literal["local", "replicate"] | None = None
    # Classifier-free guidance every image prompt carries (text-to-image models' usual sweet spot).
    guidance_scale: float = Field(default=7.5, gt=0, le=30)

    @model_validator(mode="after")
    def _pick_engine(self) -> Settings:
        if self.engine is None:
            self.engine = self.default_engine()  # type: ignore[assignment]
        return self
