"""Revising a step without starting over: regenerate one image or one clip, plan and edit the
storyboard before paying for clips, and keep the finishing form as a server-side draft.

A regeneration is a new plan item with a new item id: the agents' item-id replay means a new id buys
one new asset and a repeated one never does. The earlier asset stays in the session's history; the
new one takes its place wherever the person had kept the old one.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, HTTPException, status

from gateway.agents import AgentUnavailable
from gateway.api.deps import CurrentUser, SessionDep, SettingsDep, owned_session
from gateway.api.routes.generation import ERRORS, StepDep, make_move
from gateway.db.models import Asset, Session
from gateway.orchestrator import StageFailed, new_item_id
from gateway.responses import storyboard_view
from gateway.schemas import (
    Accepted,
    CompositionDraft,
    CompositionDraftSaved,
    EditStoryboardRequest,
    PlanStoryboardRequest,
    RegenerateClipRequest,
    RegenerateImageRequest,
    SessionStage,
    Storyboard,
)
from gateway.session_flow import Move

router = APIRouter(prefix="/api/sessions", tags=["revisions"])


def _camera_enum(name: str) -> str:
    return f"CAMERA_MOVEMENT_{name.upper()}"


async def _asset(db: SessionDep, row: Session, asset_id: str, kind: str, field: str) -> Asset:
    asset = await db.get(Asset, asset_id) if len(asset_id) <= 64 else None
    if asset is None or asset.session_id != row.id or asset.asset_type != kind:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{field}: no such {kind} in this session")
    return asset


@router.post(
    "/{session_id}/images/{image_id}/regenerate", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS
)
async def regenerate_image(
    session_id: uuid.UUID,
    image_id: str,
    *,
    body: RegenerateImageRequest,
    step: StepDep,
    settings: SettingsDep,
) -> Accepted:
    row = await step.session(session_id)
    image = await _asset(step.db, row, image_id, "image", "image_id")
    if image.meta.get("source") == "upload":
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "image_id: an uploaded photo can't be regenerated"
        )
    prompt: dict[str, Any] = dict(image.meta.get("prompt") or {})
    if not prompt:  # an image from before prompts were kept with it: its plan entry, if still there
        planned = next((i for i in row.image_plan if i["item_id"] == image_id), None)
        prompt = (
            dict(planned["prompt"])
            if planned
            else {"view": f"VIEW_{image.meta.get('view', 'front').upper()}"}
        )
        prompt.setdefault("prompt", row.product_prompt or "")
    if body.prompt is not None:
        prompt["prompt"] = body.prompt.strip()
    # A new seed unless one is given: the same prompt and seed would only draw the same picture.
    prompt["seed"] = body.seed if body.seed is not None else secrets.randbelow(2**32)
    await step.start(row, Move.REGENERATE_IMAGE, (settings.estimate_image_usd, "1 image"))
    row.image_plan = [
        *row.image_plan,
        {"item_id": new_item_id("img"), "prompt": prompt, "replaces": image_id},
    ]
    row.message = "Generating image 1 of 1..."
    await step.db.commit()
    await step.orchestrator.launch(row.id, SessionStage.IMAGE_GENERATION)
    return Accepted(estimated_duration=5, message="Regenerating the image")


@router.post("/{session_id}/storyboard", responses=ERRORS)
async def plan_storyboard(
    session_id: uuid.UUID, *, body: PlanStoryboardRequest, step: StepDep, settings: SettingsDep
) -> Storyboard:
    """Plan one shot per image on the mood board from the scene text; nothing is paid for clips yet."""
    row = await step.session(session_id, Move.PLAN_STORYBOARD)
    try:
        step.orchestrator.check_budget(row, settings.estimate_parse_usd, "planning the scenes")
    except StageFailed as exc:
        raise HTTPException(status.HTTP_402_PAYMENT_REQUIRED, str(exc)) from None
    row.video_prompt = body.video_prompt.strip()
    row.clip_duration = body.clip_duration
    make_move(row, Move.PLAN_STORYBOARD, step.orchestrator)
    await step.db.commit()  # the planner reads the session as saved, and books its cost on it
    try:
        await step.orchestrator.plan_storyboard(row)
    except (StageFailed, AgentUnavailable) as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None
    await step.db.refresh(row)
    board = storyboard_view(row)
    assert board is not None
    return board


@router.put("/{session_id}/storyboard", responses=ERRORS)
async def edit_storyboard(session_id: uuid.UUID, *, body: EditStoryboardRequest, step: StepDep) -> Storyboard:
    """Save edits to shots; an edited shot gets a new item id, so its clip is made (and paid) anew."""
    row = await step.session(session_id, Move.EDIT_STORYBOARD)
    by_id = {item["item_id"]: item for item in row.clip_plan}
    for i, edit in enumerate(body.shots):
        if edit.shot_id not in by_id:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, f"shots[{i}].shot_id: not a shot of this storyboard"
            )
    if len({e.shot_id for e in body.shots}) != len(body.shots):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "shots: a shot_id is repeated")
    edits = {e.shot_id: e for e in body.shots}
    row.clip_plan = [
        _edited(item, edits[item["item_id"]]) if item["item_id"] in edits else item for item in row.clip_plan
    ]
    make_move(row, Move.EDIT_STORYBOARD, step.orchestrator)
    await step.db.commit()
    board = storyboard_view(row)
    assert board is not None
    return board


def _edited(item: dict[str, Any], edit: Any) -> dict[str, Any]:
    """The shot with the edit applied: unchanged when nothing differs, else under a new item id."""
    plan = dict(item["plan"])
    if edit.scene_prompt is not None:
        plan["scene_prompt"] = edit.scene_prompt.strip()
    if edit.camera_movement is not None:
        plan["camera_movement"] = _camera_enum(edit.camera_movement)
    if edit.motion_intensity is not None:
        plan["motion_intensity"] = edit.motion_intensity
    duration = float(edit.duration if edit.duration is not None else item.get("duration_s") or 3.0)
    if plan == item["plan"] and duration == float(item.get("duration_s") or 3.0):
        return item
    return {**item, "item_id": new_item_id("clip"), "plan": plan, "duration_s": duration}


@router.post(
    "/{session_id}/clips/{clip_id}/regenerate", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS
)
async def regenerate_clip(
    session_id: uuid.UUID, clip_id: str, *, body: RegenerateClipRequest, step: StepDep, settings: SettingsDep
) -> Accepted:
    row = await step.session(session_id)
    clip = await _asset(step.db, row, clip_id, "video", "clip_id")
    shot = next((i for i in row.clip_plan if i["item_id"] == clip_id), None)
    shot = shot or {
        "item_id": clip_id,
        "source_image_id": clip.meta.get("source_image_id", ""),
        "plan": clip.meta.get("plan") or {},
        "duration_s": float(clip.meta.get("asset", {}).get("duration_s") or row.clip_duration or 3.0),
    }
    if not shot["plan"]:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "clip_id: this clip's shot is not known")
    new = _edited(shot, body)
    if new is shot:  # nothing edited: a re-roll of the same shot under a new id
        new = {**shot, "item_id": new_item_id("clip")}
    new["replaces"] = clip_id
    await step.start(row, Move.REGENERATE_CLIP, (Decimal(settings.estimate_clip_usd), "1 clip"))
    # The storyboard keeps one shot per image: the new shot takes the old one's place.
    source = new["source_image_id"]
    if any(i["source_image_id"] == source for i in row.clip_plan):
        row.clip_plan = [new if i["source_image_id"] == source else i for i in row.clip_plan]
    else:
        row.clip_plan = [*row.clip_plan, new]
    row.message = "Generating clip 1 of 1..."
    await step.db.commit()
    await step.orchestrator.launch(row.id, SessionStage.CLIP_GENERATION)
    return Accepted(estimated_duration=10, message="Regenerating the clip")


@router.put("/{session_id}/composition", responses={404: ERRORS[404]})
async def save_composition_draft(
    session_id: uuid.UUID, body: CompositionDraft, user: CurrentUser, db: SessionDep
) -> CompositionDraftSaved:
    """The finishing form as typed so far: restored on reload and in every tab. Allowed at any time
    (even while a stage runs): it changes nothing that is being made."""
    row = await owned_session(db, user, str(session_id), lock=True)
    row.composition_draft = body.model_dump(mode="json", exclude_none=True)
    await db.commit()
    return CompositionDraftSaved(composition_draft=row.composition_draft)
