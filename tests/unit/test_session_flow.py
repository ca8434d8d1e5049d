"""The session's state machine: every move from every stage, legal ones and refused ones."""

from __future__ import annotations

import pytest

from gateway import session_flow
from gateway.db.models import Session
from gateway.session_flow import Move, MoveRefused
from gateway.stages import RUNNING_STAGES, SessionStage

IDLE = sorted(session_flow.IDLE_STAGES)


def session(
    stage: SessionStage, *, images: int = 0, approved: int = 0, clips: int = 0, order: int = 0
) -> Session:
    row = Session(id="s", user_id=1, stage=stage.value, budget_micros=10, total_cost_micros=0)
    row.generated_image_ids = [f"img_{i}" for i in range(images)]
    row.approved_image_ids = row.generated_image_ids[:approved]
    row.generated_clip_ids = [f"clip_{i}" for i in range(clips)]
    row.clip_order = row.generated_clip_ids[:order]
    row.clip_plan = [{"item_id": c} for c in row.generated_clip_ids]
    row.final_video_id = None
    row.failed_stage = row.error = None
    return row


FULL = {"images": 6, "approved": 3, "clips": 3, "order": 2}
EXPECTED = {
    Move.START_IMAGES: SessionStage.IMAGE_GENERATION,
    Move.REGENERATE_IMAGE: SessionStage.IMAGE_GENERATION,
    Move.SELECT_IMAGES: SessionStage.IMAGE_SELECTION,
    Move.START_CLIPS: SessionStage.CLIP_GENERATION,
    Move.REGENERATE_CLIP: SessionStage.CLIP_GENERATION,
    Move.SELECT_CLIPS: SessionStage.CLIP_SELECTION,
    Move.START_COMPOSE: SessionStage.FINAL_COMPOSITION,
}


@pytest.mark.parametrize("stage", IDLE)
@pytest.mark.parametrize("move", list(EXPECTED))
def test_every_step_can_be_taken_again_from_every_idle_stage(stage: SessionStage, move: Move) -> None:
    """Going back (or forward) is acting on another step; nothing made before is touched."""
    row = session(stage, **FULL)
    if stage is SessionStage.FAILED:
        row.failed_stage, row.error = SessionStage.FINAL_COMPOSITION.value, "text refused"
    before = (list(row.generated_image_ids), list(row.generated_clip_ids), list(row.clip_order))
    assert session_flow.begin(row, move, running=False) is EXPECTED[move]
    assert row.stage == EXPECTED[move].value and row.error is None and row.failed_stage is None
    assert (row.generated_image_ids, row.generated_clip_ids, row.clip_order) == before


@pytest.mark.parametrize("stage", RUNNING_STAGES)
@pytest.mark.parametrize("move", list(Move))
def test_nothing_moves_while_a_stage_runs(stage: SessionStage, move: Move) -> None:
    row = session(stage, **FULL)
    with pytest.raises(MoveRefused, match="is running; wait for it to finish"):
        session_flow.begin(row, move, running=False)
    assert row.stage == stage.value


def test_a_running_task_blocks_even_an_idle_looking_row() -> None:
    with pytest.raises(MoveRefused, match="running"):
        session_flow.check(session(SessionStage.IMAGE_SELECTION, **FULL), Move.START_CLIPS, running=True)


@pytest.mark.parametrize(
    ("move", "counts", "reason"),
    [
        (Move.REGENERATE_IMAGE, {}, "no images yet"),
        (Move.SELECT_IMAGES, {}, "no images yet"),
        (Move.START_CLIPS, {"images": 4, "approved": 1}, "at least 2 images"),
        (Move.PLAN_STORYBOARD, {"images": 4, "approved": 1}, "at least 2 images"),
        (Move.EDIT_STORYBOARD, {"images": 4, "approved": 2}, "no storyboard yet"),
        (Move.REGENERATE_CLIP, {"images": 4, "approved": 2}, "no clips yet"),
        (Move.SELECT_CLIPS, {"images": 4, "approved": 2}, "no clips yet"),
        (Move.START_COMPOSE, {"images": 4, "approved": 2, "clips": 2}, "at least 1 clip"),
        (Move.RETRY, FULL, "no failed stage"),
    ],
)
def test_a_move_without_its_input_is_refused_with_the_reason(
    move: Move, counts: dict[str, int], reason: str
) -> None:
    row = session(SessionStage.IMAGE_SELECTION, **counts)
    with pytest.raises(MoveRefused, match=reason):
        session_flow.begin(row, move, running=False)
    assert row.stage == SessionStage.IMAGE_SELECTION.value


def test_retry_resumes_the_failed_stage_and_fail_keeps_what_was_made() -> None:
    row = session(SessionStage.FINAL_COMPOSITION, **FULL)
    session_flow.fail(row, SessionStage.FINAL_COMPOSITION, "compositor refused the text")
    assert (row.stage, row.failed_stage, row.error) == (
        "failed",
        "final_composition",
        "compositor refused the text",
    )
    assert len(row.generated_clip_ids) == 3
    assert session_flow.begin(row, Move.RETRY, running=False) is SessionStage.FINAL_COMPOSITION
    assert row.error is None and row.failed_stage is None


@pytest.mark.parametrize(
    ("running", "after"),
    [
        (SessionStage.IMAGE_GENERATION, SessionStage.IMAGE_SELECTION),
        (SessionStage.CLIP_GENERATION, SessionStage.CLIP_SELECTION),
        (SessionStage.FINAL_COMPOSITION, SessionStage.COMPLETE),
    ],
)
def test_a_finished_run_rests_on_its_selection_stage(running: SessionStage, after: SessionStage) -> None:
    row = session(running, **FULL)
    assert session_flow.finish(row, running) is after and row.stage == after.value


def test_editing_the_storyboard_of_a_failed_session_rests_it_where_its_data_is() -> None:
    """Changing the input that failed is the way out of a failure: the session leaves `failed`."""
    row = session(SessionStage.FAILED, **FULL)
    row.failed_stage, row.error = SessionStage.CLIP_GENERATION.value, "a clip failed"
    assert session_flow.begin(row, Move.EDIT_STORYBOARD, running=False) is SessionStage.CLIP_SELECTION
    assert row.error is None
    fresh = session(SessionStage.CLIP_SELECTION, **FULL)
    assert session_flow.begin(fresh, Move.PLAN_STORYBOARD, running=False) is SessionStage.CLIP_SELECTION
