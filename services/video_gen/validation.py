"""Checking a GenerateClips request at the edge; every error names the offending field."""

from __future__ import annotations

import math
import re

from adreel.v1 import common_pb2, video_gen_pb2
from services.common.contract import SHOT_PROMPT, check_text
from services.common.errors import InvalidArgument
from services.common.ids import check_id, check_unique_ids
from services.common.storage import key_from_uri

MAX_JOBS = 8
MIN_DURATION_S, MAX_DURATION_S = 2.0, 4.0
_MODEL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:\-]{0,127}")
Movement = common_pb2.CameraMovement


def validate(request: video_gen_pb2.GenerateClipsRequest) -> None:
    """Refuse the whole call, naming the field, before any work starts."""
    check_id(request.session_id, "session_id")
    if not 1 <= len(request.jobs) <= MAX_JOBS:
        raise InvalidArgument("jobs", f"must hold 1 to {MAX_JOBS} clip jobs, not {len(request.jobs)}")
    check_unique_ids([j.item_id for j in request.jobs], "jobs")
    d = request.duration_s
    if not (math.isfinite(d) and MIN_DURATION_S <= d <= MAX_DURATION_S):
        raise InvalidArgument("duration_s", f"must be {MIN_DURATION_S:g} to {MAX_DURATION_S:g} seconds")
    if request.model and not _MODEL_RE.fullmatch(request.model):
        raise InvalidArgument("model", "must be a model name such as 'owner/name'")
    for i, job in enumerate(request.jobs):
        key_from_uri(job.image.uri, f"jobs[{i}].image.uri")
        if not job.HasField("plan"):
            raise InvalidArgument(f"jobs[{i}].plan", "is required")
        plan = job.plan
        if plan.item_id:
            check_id(plan.item_id, f"jobs[{i}].plan.item_id")
        if plan.scene_prompt:  # optional: the local engine never reads it
            check_text(SHOT_PROMPT, plan.scene_prompt, f"jobs[{i}].plan.scene_prompt")
        if plan.camera_movement not in Movement.values() or plan.camera_movement == 0:
            raise InvalidArgument(f"jobs[{i}].plan.camera_movement", "must be specified")
        m = plan.motion_intensity
        if not (math.isfinite(m) and 0.0 <= m <= 1.0):
            raise InvalidArgument(f"jobs[{i}].plan.motion_intensity", "must be between 0 and 1")
