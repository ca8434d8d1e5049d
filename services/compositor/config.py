"""Compositor settings (ADREEL_* environment variables; PORT overrides the port)."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from services.common.config import Engine, EngineAgentSettings, engine_setting


class Settings(EngineAgentSettings):
    port: int = Field(default=50054, validation_alias=AliasChoices("PORT", "ADREEL_PORT"))
    engine: Engine | None = engine_setting("compositor")
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
