"""Compositor settings (ADREEL_* environment variables; PORT overrides the port)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, model_validator

from services.common.config import AgentSettings


class Settings(AgentSettings):
    port: int = Field(default=50054, validation_alias=AliasChoices("PORT", "ADREEL_PORT"))
    # Which music engine makes the soundtrack; empty = `default_engine()`.
    engine: Literal["local", "replicate"] | None = None
    # libx264 preset of every output; the benchmark compares against a bare encode at the same one.
    x264_preset: str = "veryfast"
    x264_crf: int = 21
    # VBV cap: 7 Mbit/s + a 7 Mbit buffer keeps a 12 s 1080p ad under 12 MB whatever the content.
    video_maxrate_kbps: int = 7000
    audio_kbps: int = 128
    # The free 480p animatic: what matters is how soon it plays, not its bits per pixel.
    preview_x264_preset: str = "ultrafast"
    preview_x264_crf: int = 28
    preview_maxrate_kbps: int = 1500
    # FFmpeg renders at once; each takes both cores of a small node, so more only adds memory.
    max_parallel_renders: int = 1
    render_timeout_s: float = 600.0
    # Longest input clip accepted, which bounds the work one request can ask for.
    max_clip_s: float = 30.0

    @model_validator(mode="after")
    def _pick_engine(self) -> Settings:
        if self.engine is None:
            self.engine = self.default_engine()  # type: ignore[assignment]
        return self
