"""Settings of the image_gen agent (environment: PORT, ADREEL_*)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, model_validator

from services.common.config import AgentSettings


class Settings(AgentSettings):
    port: int = Field(default=50052, validation_alias=AliasChoices("PORT", "ADREEL_PORT"))
    # None = `default_engine()`: replicate when REPLICATE_API_TOKEN is set, local otherwise.
    engine: Literal["local", "replicate"] | None = None
    # Renders at once; the local engine runs one worker process per slot (CPU-bound work).
    max_concurrency: int = Field(default=2, ge=1, le=16)
    image_size: int = Field(default=1024, ge=256, le=2048)
    # zlib level of the stored PNGs: 1 is ~3x faster than Pillow's 6 for ~10% more bytes.
    png_compress_level: int = Field(default=1, ge=0, le=9)

    @model_validator(mode="after")
    def _pick_engine(self) -> Settings:
        if self.engine is None:
            self.engine = self.default_engine()  # type: ignore[assignment]
        return self
