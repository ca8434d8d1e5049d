"""Settings of the video_gen agent (env: ADREEL_*, and ADREEL_VIDEO_GEN_* for this agent alone)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from services.common.config import Engine, EngineAgentSettings, engine_setting


class Settings(EngineAgentSettings):
    # populate_by_name: `Settings(engine="local")` in code and tests must not be silently ignored
    # (fields with an env alias otherwise accept only the alias as a keyword).
    model_config = SettingsConfigDict(env_prefix="ADREEL_", extra="ignore", populate_by_name=True)

    port: int = Field(default=50053, validation_alias=AliasChoices("PORT", "ADREEL_PORT"))
    engine: Engine | None = engine_setting("video_gen")
    # FFmpeg is CPU-bound: more clips at once than cores only makes each one slower.
    max_concurrency: int = Field(
        default=2,
        ge=1,
        validation_alias=AliasChoices("ADREEL_VIDEO_GEN_MAX_CONCURRENCY", "ADREEL_MAX_CONCURRENCY"),
    )
    # x264 speed/quality: veryfast keeps a 3 s clip around a second on two cores.
    x264_preset: Literal["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"] = "veryfast"
    x264_crf: int = Field(default=20, ge=0, le=51)
    # A soft highlight that crosses the frame once per clip (the "life" beyond the camera move).
    light_sweep: bool = True
    ffmpeg_timeout_s: float = 120.0
