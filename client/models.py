"""What the client reads from the API: the fields it uses, tolerant of fields it does not know."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class Image(Loose):
    id: str
    url: str
    view_type: str = ""
    cost: float = 0.0


class Clip(Loose):
    id: str
    url: str
    source_image_id: str = ""
    duration: float = 0.0


class FinalVideo(Loose):
    url: str
    duration: float = 0.0
    resolution: str = ""
    fps: int = 0
    file_size_mb: float = 0.0
    format: str = "mp4"
    aspect_ratio: str = "16:9"
    captions_vtt_url: str | None = None
    captions_srt_url: str | None = None


class Session(Loose):
    id: str
    stage: str
    progress: int = 0
    message: str | None = None
    error: str | None = None
    generated_images: list[Image] = []
    approved_images: list[str] = []
    generated_clips: list[Clip] = []
    approved_clips: list[str] = []
    final_video: FinalVideo | None = None
    final_videos: list[FinalVideo] = []
    total_cost: float = 0.0


class Event(Loose):
    """One WebSocket message (PRD 9.2): `progress` is the session's overall 0-100."""

    type: str = "progress"
    stage: str = ""
    session_stage: str = ""
    progress: int = 0
    message: str = ""
    seq: int = 0
    data: dict[str, Any] | None = None


class Font(Loose):
    id: str
    name: str = ""
