"""Settings of the image_gen agent (environment: PORT, ADREEL_*)."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from services.common.config import Engine, EngineAgentSettings, engine_setting


class Settings(EngineAgentSettings):
    port: int = Field(default=50052, validation_alias=AliasChoices("PORT", "ADREEL_PORT"))
    engine: Engine | None = engine_setting("image_gen")
    # Renders at once; the local engine runs one worker process per slot (CPU-bound work).
    max_concurrency: int = Field(default=2, ge=1, le=16)
    image_size: int = Field(default=1024, ge=256, le=2048)
    # zlib level of the stored PNGs: 1 is ~3x faster than Pillow's 6 for ~10% more bytes.
    png_compress_level: int = Field(default=1, ge=0, le=9)
