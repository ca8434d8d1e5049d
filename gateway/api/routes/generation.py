"""The generation steps of the PRD: each checks stage, ownership, ids and budget, then answers 202
and lets the orchestrator run the stage in the background."""

from __future__ import annotations

import re

from fastapi import APIRouter, HTTPException, status

from adreel.v1 import compositor_pb2
from gateway.agents import AgentUnavailable
from gateway.api.deps import (
    AgentsDep,
    CurrentUser,
    OrchestratorDep,
    SessionDep,
    owned_session,
    require_stage,
)
from gateway.db.models import Asset, Session
from gateway.orchestrator import BudgetExceeded, Orchestrator, new_item_id
from gateway.schemas import (
    Accepted,
    ApprovedClipsSaved,
    ApprovedImagesSaved,
    ComposeFinalVideoRequest,
    Font,
    FontsResponse,
    GenerateClipsRequest,
    GenerateImagesRequest,
    SaveApprovedClipsRequest,
    SaveApprovedImagesRequest,
    SessionStage,
)
from gateway.variants import plan_finals

router = APIRouter(prefix="/api", tags=["generation"])
ERRORS = {
    402: {"description": "over the session budget"},
    404: {"description": "no such session of yours"},
    409: {"description": "wrong stage"},
}
PREFERRED_DEFAULT_FONTS = ("montserrat", "inter", "roboto", "lato", "dejavu-sans")
_WEIGHT = re.compile(r"[-_ ]?(bold|regular|medium|semibold|light|black|italic)$", re.IGNORECASE)


def _start(row: Session, stage: SessionStage, orchestrator: Orchestrator) -> None:
    """Refuse what the budget cannot cover, then move the session into the running stage."""
    if orchestrator.is_running(row.id):
        raise HTTPException(status.HTTP_409_CONFLICT, "a stage is already running for this session")
    try:
        orchestrator.check_stage_budget(row, stage)
    except BudgetExceeded as exc:
        raise HTTPException(status.HTTP_402_PAYMENT_REQUIRED, str(exc)) from None
    row.stage = stage.value
    row.stage_deadline = orchestrator.deadline()
    row.error = row.failed_stage = None


def _unknown_ids(field: str, ids: list[str], known: list[str]) -> None:
    if len(set(ids)) != len(ids):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{field}: ids must not repeat")
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"{field}: not this session's: {', '.join(unknown)}"
        )


@router.post("/generate-images", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS)
async def generate_images(
    body: GenerateImagesRequest, user: CurrentUser, db: SessionDep, orchestrator: OrchestratorDep
) -> Accepted:
    row = await owned_session(db, user, str(body.session_id), lock=True)
    # A session started from the user's own photos may still generate images beside them, once.
    if row.stage != SessionStage.IMAGE_SELECTION or row.image_plan:
        require_stage(row, SessionStage.CREATED)
    row.product_prompt = body.product_prompt.strip()
    row.num_images = body.num_images
    row.style_keywords = [k.strip() for k in body.style_keywords]
    _start(row, SessionStage.IMAGE_GENERATION, orchestrator)
    row.progress, row.message = 0, "Analyzing your prompt..."
    await db.commit()
    orchestrator.launch(row.id, SessionStage.IMAGE_GENERATION)
    return Accepted(
        estimated_duration=5 + 2 * body.num_images,
        message="Image generation started. Connect to WebSocket for progress updates.",
    )


@router.post("/save-approved-images", responses=ERRORS)
async def save_approved_images(
    body: SaveApprovedImagesRequest, user: CurrentUser, db: SessionDep
) -> ApprovedImagesSaved:
    row = await owned_session(db, user, str(body.session_id), lock=True)
    require_stage(row, SessionStage.IMAGE_SELECTION)
    _unknown_ids("approved_image_ids", body.approved_image_ids, row.generated_image_ids)
    row.approved_image_ids = list(body.approved_image_ids)
    await db.commit()
    return ApprovedImagesSaved(approved_count=len(body.approved_image_ids))


@router.post("/generate-clips", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS)
async def generate_clips(
    body: GenerateClipsRequest, user: CurrentUser, db: SessionDep, orchestrator: OrchestratorDep
) -> Accepted:
    row = await owned_session(db, user, str(body.session_id), lock=True)
    require_stage(row, SessionStage.IMAGE_SELECTION)
    if len(row.approved_image_ids) < 2:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "approved_images: approve at least 2 images first (POST /api/save-approved-images)",
        )
    row.video_prompt = body.video_prompt.strip()
    row.clip_duration = body.clip_duration
    _start(row, SessionStage.CLIP_GENERATION, orchestrator)
    row.progress, row.message = 50, "Planning video scenes..."
    await db.commit()
    orchestrator.launch(row.id, SessionStage.CLIP_GENERATION)
    return Accepted(
        estimated_duration=10 + 8 * len(row.approved_image_ids), message="Video clip generation started"
    )


@router.post("/save-approved-clips", responses=ERRORS)
async def save_approved_clips(
    body: SaveApprovedClipsRequest, user: CurrentUser, db: SessionDep
) -> ApprovedClipsSaved:
    row = await owned_session(db, user, str(body.session_id), lock=True)
    require_stage(row, SessionStage.CLIP_SELECTION)
    _unknown_ids("approved_clip_ids", body.approved_clip_ids, row.generated_clip_ids)
    order = body.clip_order if body.clip_order is not None else body.approved_clip_ids
    if sorted(order) != sorted(body.approved_clip_ids):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "clip_order: must be a permutation of approved_clip_ids"
        )
    row.approved_clip_ids = list(body.approved_clip_ids)
    row.clip_order = list(order)
    clips = [await db.get(Asset, c) for c in order]
    seconds = sum(float(a.meta.get("asset", {}).get("duration_s", 0.0)) for a in clips if a is not None)
    await db.commit()
    # Default 1 s intro and outro around the clips.
    return ApprovedClipsSaved(approved_count=len(order), estimated_duration=round(seconds + 2.0, 2))


async def _fonts(agents: AgentsDep) -> list[Font]:
    try:
        await agents.ensure_serving("compositor")
        reply = await agents.compositor.ListFonts(compositor_pb2.ListFontsRequest(), timeout=10)
    except AgentUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None
    except Exception as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"the compositor agent failed: {exc}"
        ) from None
    return [Font(id=f.id, name=f.name) for f in reply.fonts]


def _default_font(fonts: list[Font]) -> str:
    ids = [f.id for f in fonts]
    return next((p for p in PREFERRED_DEFAULT_FONTS if p in ids), ids[0] if ids else "")


def resolve_font(requested: str, fonts: list[Font]) -> str | None:
    """A font id for a loose name ("Inter", "inter", "Bebas Neue", "Montserrat-Bold" -> default)."""

    def norm(s: str) -> str:
        return re.sub(r"[^a-z0-9]", "", s.lower())

    for candidate in (requested, _WEIGHT.sub("", requested.strip())):
        for f in fonts:
            if norm(candidate) in (norm(f.id), norm(f.name)):
                return f.id
    if norm(requested).startswith("montserrat") or norm(requested) in ("", "default"):
        return _default_font(fonts)
    return None


@router.get("/fonts", responses={503: {"description": "compositor unavailable"}})
async def list_fonts(user: CurrentUser, agents: AgentsDep) -> FontsResponse:
    fonts = await _fonts(agents)
    return FontsResponse(fonts=fonts, default=_default_font(fonts))


@router.post("/compose-final-video", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS)
async def compose_final_video(
    body: ComposeFinalVideoRequest,
    user: CurrentUser,
    db: SessionDep,
    orchestrator: OrchestratorDep,
    agents: AgentsDep,
) -> Accepted:
    row = await owned_session(db, user, str(body.session_id), lock=True)
    require_stage(row, SessionStage.CLIP_SELECTION)
    if not row.clip_order:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "approved_clips: approve at least 1 clip first (POST /api/save-approved-clips)",
        )
    fonts = await _fonts(agents)
    font = resolve_font(body.text_overlay.font, fonts)
    if font is None:
        valid = ", ".join(f"{f.id} ({f.name})" for f in fonts)
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"text_overlay.font: unknown; one of {valid}"
        )
    overlay = body.text_overlay
    base_overlay = {
        "product_name": overlay.product_name.strip(),
        "cta": overlay.cta.strip(),
        "font": font,
        "color": overlay.color.lower(),
    }
    row.compose_plan = {
        "item_id": new_item_id("final"),
        "overlay": base_overlay,
        "music": body.audio.model_dump(),
        "intro_s": body.intro_duration,
        "outro_s": body.outro_duration,
        "formats": list(dict.fromkeys(body.formats)),
        "transition_s": body.transition_duration,
        # Every final of the call (formats, then variants), each with its id, texts, music, label.
        "finals": plan_finals(body, base_overlay, fonts, resolve_font),
    }
    _start(row, SessionStage.FINAL_COMPOSITION, orchestrator)
    row.progress, row.message = 90, "Adding text overlays..."
    await db.commit()
    orchestrator.launch(row.id, SessionStage.FINAL_COMPOSITION)
    return Accepted(estimated_duration=35, message="Final video composition started")
