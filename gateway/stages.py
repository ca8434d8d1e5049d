"""Where a session stands: the stages of its flow (gateway/session_flow.py says which follow which)."""

from __future__ import annotations

from enum import StrEnum


class SessionStage(StrEnum):
    CREATED = "created"
    IMAGE_GENERATION = "image_generation"
    IMAGE_SELECTION = "image_selection"
    CLIP_GENERATION = "clip_generation"
    CLIP_SELECTION = "clip_selection"
    FINAL_COMPOSITION = "final_composition"
    COMPLETE = "complete"
    FAILED = "failed"


RUNNING_STAGES = (
    SessionStage.IMAGE_GENERATION,
    SessionStage.CLIP_GENERATION,
    SessionStage.FINAL_COMPOSITION,
)
