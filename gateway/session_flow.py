"""The session's state machine: every move a session can make, in one place.

Making an ad is a loop, not a pipe: from any idle stage a person may act on any step whose inputs
exist (generate a new round of images, regenerate one, re-plan or edit the storyboard, regenerate
one clip, compose a new version), which is how "going back" works: acting on an earlier step never
throws away what a later one made. Only a running stage blocks a move, and a refused move names its
reason. Routes ask `begin` for the move and never set a stage themselves; the orchestrator reports
the end of a run with `finish` or `fail`.
"""

from __future__ import annotations

from enum import StrEnum

from gateway.db.models import Session
from gateway.stages import RUNNING_STAGES, SessionStage


class Move(StrEnum):
    START_IMAGES = "start_images"  # a first or a new round of images
    REGENERATE_IMAGE = "regenerate_image"
    SELECT_IMAGES = "select_images"
    PLAN_STORYBOARD = "plan_storyboard"
    EDIT_STORYBOARD = "edit_storyboard"
    START_CLIPS = "start_clips"
    REGENERATE_CLIP = "regenerate_clip"
    SELECT_CLIPS = "select_clips"
    START_COMPOSE = "start_compose"  # the first final, or a new version of it
    RETRY = "retry"  # resume the failed stage as it was (transient faults)


class MoveRefused(Exception):
    """A move the session cannot make now; the message says why (shown to the user with a 409)."""


IDLE_STAGES = frozenset(
    {
        SessionStage.CREATED,
        SessionStage.IMAGE_SELECTION,
        SessionStage.CLIP_SELECTION,
        SessionStage.COMPLETE,
        SessionStage.FAILED,
    }
)

# Where each move takes the session: a running stage, a selection stage, or None (stays put).
_TARGET: dict[Move, SessionStage | None] = {
    Move.START_IMAGES: SessionStage.IMAGE_GENERATION,
    Move.REGENERATE_IMAGE: SessionStage.IMAGE_GENERATION,
    Move.SELECT_IMAGES: SessionStage.IMAGE_SELECTION,
    Move.PLAN_STORYBOARD: None,
    Move.EDIT_STORYBOARD: None,
    Move.START_CLIPS: SessionStage.CLIP_GENERATION,
    Move.REGENERATE_CLIP: SessionStage.CLIP_GENERATION,
    Move.SELECT_CLIPS: SessionStage.CLIP_SELECTION,
    Move.START_COMPOSE: SessionStage.FINAL_COMPOSITION,
}

# Where a finished run leaves the session.
FINISHED = {
    SessionStage.IMAGE_GENERATION: SessionStage.IMAGE_SELECTION,
    SessionStage.CLIP_GENERATION: SessionStage.CLIP_SELECTION,
    SessionStage.FINAL_COMPOSITION: SessionStage.COMPLETE,
}


def _missing_input(row: Session, move: Move) -> str | None:
    """What the move needs that the session lacks, in the words shown to the user."""
    if move in (Move.REGENERATE_IMAGE, Move.SELECT_IMAGES) and not row.generated_image_ids:
        return "this session has no images yet: generate images first"
    if move in (Move.PLAN_STORYBOARD, Move.EDIT_STORYBOARD, Move.START_CLIPS) and (
        len(row.approved_image_ids) < 2
    ):
        return "keep at least 2 images on the mood board first"
    if move is Move.EDIT_STORYBOARD and not row.clip_plan:
        return "there is no storyboard yet: plan one from a scene description first"
    if move in (Move.REGENERATE_CLIP, Move.SELECT_CLIPS) and not row.generated_clip_ids:
        return "this session has no clips yet: generate clips first"
    if move is Move.START_COMPOSE and not row.clip_order:
        return "keep at least 1 clip on the clip board first"
    return None


def check(row: Session, move: Move, *, running: bool) -> SessionStage | None:
    """The stage `move` takes the session to; MoveRefused when it can't be made now."""
    stage = SessionStage(row.stage)
    if running or stage in RUNNING_STAGES:
        raise MoveRefused(f"{stage.value.replace('_', ' ')} is running; wait for it to finish")
    if move is Move.RETRY:
        if stage is not SessionStage.FAILED or not row.failed_stage:
            raise MoveRefused("this session has no failed stage to resume")
        return SessionStage(row.failed_stage)
    if (reason := _missing_input(row, move)) is not None:
        raise MoveRefused(reason)
    return _TARGET[move]


def begin(row: Session, move: Move, *, running: bool) -> SessionStage:
    """Make the move on the (locked) row: the new stage, a failure's message cleared."""
    target = check(row, move, running=running)
    if target is None:
        # A move that stays put still leaves a failed session: the person changed its input.
        target = SessionStage(row.stage)
        if target is SessionStage.FAILED:
            target = _resting_stage(row)
    row.stage = target.value
    row.error = row.failed_stage = None
    if target in RUNNING_STAGES:
        # A new run of a stage: jobs queued for an earlier run become stale, and its tries start at 0.
        row.stage_run = (row.stage_run or 0) + 1
        row.stage_attempts = 0
        row.claimed_by = None
    else:
        row.stage_deadline = None
    return target


def _resting_stage(row: Session) -> SessionStage:
    """The furthest idle stage the session's data supports (where a failed session rests)."""
    if row.final_video_id:
        return SessionStage.COMPLETE
    if row.generated_clip_ids:
        return SessionStage.CLIP_SELECTION
    if row.generated_image_ids:
        return SessionStage.IMAGE_SELECTION
    return SessionStage.CREATED


def finish(row: Session, running: SessionStage) -> SessionStage:
    """A run completed: the selection stage after it."""
    row.stage = FINISHED[running].value
    row.stage_deadline = row.error = row.failed_stage = row.claimed_by = None
    return FINISHED[running]


def fail(row: Session, running: SessionStage, message: str) -> None:
    """A run stopped: what it made so far stays; retry resumes it, any other move changes its input."""
    row.stage = SessionStage.FAILED.value
    row.failed_stage = running.value
    row.error = row.message = message
    row.stage_deadline = row.claimed_by = None
