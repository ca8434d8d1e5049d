"""The generation steps of the PRD: each checks ownership, ids and budget, asks the session's state
machine for the move (any step may be taken again from any idle stage), then answers 202 and lets
the orchestrator run the stage in the background."""

from __future__ import annotations

import base64
import logging
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

import grpc
from fastapi import APIRouter, Depends, HTTPException, status
from google.protobuf.json_format import ParseDict
from sqlalchemy import select

from adreel.v1 import common_pb2, compositor_pb2, prompt_parser_pb2
from gateway.agents import AgentClients, AgentUnavailable
from gateway.api.answers import COMPOSITOR_DOWN, SESSION_NOT_FOUND, STAGES_AT_LIMIT, unprocessable
from gateway.api.deps import AgentsDep, CurrentUser, OrchestratorDep, SessionDep, StoreDep, owned_session
from gateway.api.routes.brand_kits import owned_kit
from gateway.api.routes.music import upload_uris, with_upload
from gateway.brand_kits import BRAND_FONT, kit_font, kit_overlay, session_copy
from gateway.compose_request import body_field, compose_request
from gateway.cost_outbox import record_cost
from gateway.db.models import Asset, Session
from gateway.orchestrator import BudgetExceeded, Orchestrator, new_item_id
from gateway.quotas import hold_quotas
from gateway.schemas import (
    Accepted,
    ApprovedClipsSaved,
    ApprovedImagesSaved,
    ComposeFinalVideoRequest,
    FinishingForm,
    Font,
    FontPreview,
    FontPreviewRequest,
    FontPreviews,
    FontsResponse,
    GenerateClipsRequest,
    GenerateImagesRequest,
    SaveApprovedClipsRequest,
    SaveApprovedImagesRequest,
    SessionStage,
    VoiceOption,
    VoiceoverScriptRequest,
    VoiceoverScriptSuggestion,
    VoicesResponse,
)
from gateway.session_flow import Move, MoveRefused, begin, check
from gateway.timing import ad_length_s
from gateway.variants import plan_finals

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["generation"])
ERRORS = {
    402: {"description": "over the session budget, or the user's daily spend"},
    **SESSION_NOT_FOUND,
    409: {"description": "a stage is running, or the step's input is missing"},
    **STAGES_AT_LIMIT,
}
PREFERRED_DEFAULT_FONTS = ("montserrat", "inter", "roboto", "lato", "dejavu-sans")
_WEIGHT = re.compile(r"[-_ ]?(bold|regular|medium|semibold|light|black|italic)$", re.IGNORECASE)


def allow(row: Session, move: Move, orchestrator: Orchestrator) -> None:
    """409 naming the reason when the session can't make `move` now."""
    try:
        check(row, move, running=orchestrator.is_running(row.id))
    except MoveRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


def make_move(row: Session, move: Move, orchestrator: Orchestrator) -> SessionStage:
    """The move on the locked row (409 when refused); no stage is set anywhere else."""
    try:
        return begin(row, move, running=orchestrator.is_running(row.id))
    except MoveRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


class Step:
    """What every step route works with (one parameter for FastAPI to resolve): the caller, the
    database session and the orchestrator."""

    def __init__(self, user: CurrentUser, db: SessionDep, orchestrator: OrchestratorDep) -> None:
        self.user, self.db, self.orchestrator = user, db, orchestrator

    async def session(self, session_id: object, move: Move | None = None) -> Session:
        """The caller's session, locked; with `move`, a 409 when it can't make that move now."""
        row = await owned_session(self.db, self.user, str(session_id), lock=True)
        if move is not None:
            allow(row, move, self.orchestrator)
        return row

    async def start(self, row: Session, move: Move, estimate: tuple[Decimal, str]) -> SessionStage:
        """Refuse what the budget or the user's quotas cannot cover, then make the move into its
        running stage (the one place every stage start goes through)."""
        orchestrator = self.orchestrator
        allow(row, move, orchestrator)
        try:
            orchestrator.check_budget(row, *estimate)
        except BudgetExceeded as exc:
            raise HTTPException(status.HTTP_402_PAYMENT_REQUIRED, str(exc)) from None
        await hold_quotas(self.db, row, orchestrator.settings, estimate[0])  # 429 / 402 naming the quota
        stage = make_move(row, move, orchestrator)
        row.stage_deadline = orchestrator.deadline()
        row.progress = 0
        return stage


StepDep = Annotated[Step, Depends()]


def _unknown_ids(field: str, ids: list[str], known: list[str]) -> None:
    if len(set(ids)) != len(ids):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{field}: ids must not repeat")
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"{field}: not this session's: {', '.join(unknown)}"
        )


@router.post("/generate-images", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS)
async def generate_images(body: GenerateImagesRequest, step: StepDep) -> Accepted:
    row = await step.session(body.session_id, Move.START_IMAGES)
    # A new round (the first, or again from any later step): the product is parsed again and new
    # item ids are bought; every earlier image stays in the session's history.
    if row.image_plan:
        row.image_round += 1
    row.image_plan = []
    row.product_prompt = body.product_prompt.strip()
    row.num_images = body.num_images
    row.style_keywords = [k.strip() for k in body.style_keywords]
    estimate = step.orchestrator.stage_estimate(row, SessionStage.IMAGE_GENERATION)
    await step.start(row, Move.START_IMAGES, estimate)
    row.message = "Parsing prompt..."
    await step.db.commit()
    await step.orchestrator.launch(row.id, SessionStage.IMAGE_GENERATION)
    return Accepted(
        estimated_duration=5 + 2 * body.num_images,
        message="Image generation started. Connect to WebSocket for progress updates.",
    )


@router.post("/save-approved-images", responses=ERRORS)
async def save_approved_images(body: SaveApprovedImagesRequest, step: StepDep) -> ApprovedImagesSaved:
    row = await step.session(body.session_id, Move.SELECT_IMAGES)
    _unknown_ids("approved_image_ids", body.approved_image_ids, row.generated_image_ids)
    make_move(row, Move.SELECT_IMAGES, step.orchestrator)
    row.approved_image_ids = list(body.approved_image_ids)
    await step.db.commit()
    return ApprovedImagesSaved(approved_count=len(body.approved_image_ids))


@router.post("/generate-clips", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS)
async def generate_clips(body: GenerateClipsRequest, step: StepDep) -> Accepted:
    row = await step.session(body.session_id, Move.START_CLIPS)
    video_prompt = body.video_prompt.strip()
    # The saved storyboard (with the person's edits) is used while it still fits: same scene text,
    # same clip length, one shot per image on the board. Otherwise the stage plans anew.
    fits = (
        row.video_prompt == video_prompt
        and row.clip_duration == body.clip_duration
        and sorted(s["source_image_id"] for s in row.clip_plan) == sorted(row.approved_image_ids)
    )
    if not fits:
        row.clip_plan = []
    elif body.video_model != (row.video_model or ""):
        # Another model: the same shots (edits kept) become new items, so each clip is made anew and
        # takes its predecessor's place wherever that was kept.
        row.clip_plan = [
            {**shot, "item_id": new_item_id("clip"), "replaces": shot["item_id"]} for shot in row.clip_plan
        ]
    row.video_prompt = video_prompt
    row.clip_duration = body.clip_duration
    row.video_model = body.video_model
    estimate = step.orchestrator.stage_estimate(row, SessionStage.CLIP_GENERATION)
    await step.start(row, Move.START_CLIPS, estimate)
    row.message = "Planning scenes..." if not fits else "Generating clips..."
    await step.db.commit()
    await step.orchestrator.launch(row.id, SessionStage.CLIP_GENERATION)
    return Accepted(
        estimated_duration=10 + 8 * len(row.approved_image_ids), message="Video clip generation started"
    )


@router.post("/save-approved-clips", responses=ERRORS)
async def save_approved_clips(body: SaveApprovedClipsRequest, step: StepDep) -> ApprovedClipsSaved:
    row = await step.session(body.session_id, Move.SELECT_CLIPS)
    _unknown_ids("approved_clip_ids", body.approved_clip_ids, row.generated_clip_ids)
    order = body.clip_order if body.clip_order is not None else body.approved_clip_ids
    if sorted(order) != sorted(body.approved_clip_ids):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "clip_order: must be a permutation of approved_clip_ids"
        )
    make_move(row, Move.SELECT_CLIPS, step.orchestrator)
    row.approved_clip_ids = list(body.approved_clip_ids)
    row.clip_order = list(order)
    clips = [await step.db.get(Asset, c) for c in order]
    await step.db.commit()
    # The length the compositor will render: cards and clips on the frame grid, less the cross-fades.
    seconds = [float(a.meta.get("asset", {}).get("duration_s", 0.0)) for a in clips if a is not None]
    return ApprovedClipsSaved(
        approved_count=len(order), estimated_duration=ad_length_s(seconds, row.composition_draft)
    )


async def _ask_compositor(agents: AgentsDep, rpc: str, request: Any) -> Any:
    """A listing only the compositor knows (its fonts, its engine's voices); 503 while it cannot say."""
    try:
        await agents.ensure_serving("compositor")
        return await getattr(agents.compositor, rpc)(request, timeout=10)
    except AgentUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None
    except grpc.aio.AioRpcError as exc:
        log.warning("%s failed: %s %s", rpc, exc.code().name, exc.details())
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"the compositor agent failed: {exc}"
        ) from None


async def _checked_call(
    agents: AgentClients, agent: str, rpc: str, request: Any, *, deadline_s: float, refused: str
) -> Any:
    """One call that checks the user's input: 422 with the agent's words when it refuses the input
    (`refused` when it gives none); 503 while the agent is down or failing (its channel forgotten)."""
    try:
        await agents.ensure_serving(agent)
        return await getattr(getattr(agents, agent), rpc)(request, timeout=deadline_s)
    except AgentUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, exc.details() or refused) from None
        agents.forget(agent)
        name = agent.replace("_", " ")
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"the {name} agent failed: {exc.code().name}"
        ) from None


async def compositor_fonts(agents: AgentsDep) -> list[Font]:
    """The compositor's fonts; 503 while it cannot say."""
    reply = await _ask_compositor(agents, "ListFonts", compositor_pb2.ListFontsRequest())
    return [
        Font(id=f.id, name=f.name, scripts=list(f.scripts), fallback_scripts=list(f.fallback_scripts))
        for f in reply.fonts
    ]


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


@router.get("/fonts", responses=COMPOSITOR_DOWN)
async def list_fonts(user: CurrentUser, agents: AgentsDep) -> FontsResponse:
    fonts = await compositor_fonts(agents)
    return FontsResponse(fonts=fonts, default=_default_font(fonts))


@router.get("/voices", responses=COMPOSITOR_DOWN)
async def list_voices(user: CurrentUser, agents: AgentsDep) -> VoicesResponse:
    """The voices the compositor's engine speaks (voiceover.voice), the default first: the offline
    voice, and on the replicate engine the online Kokoro voices before it."""
    reply = await _ask_compositor(agents, "ListVoices", compositor_pb2.ListVoicesRequest())
    voices = [VoiceOption(id=v.id, name=v.name, online=v.online) for v in reply.voices]
    return VoicesResponse(voices=voices, default=voices[0].id if voices else "")


@router.post(
    "/fonts/preview",
    responses={
        422: {"description": "no bundled font can draw the text"},
        **COMPOSITOR_DOWN,
    },
)
async def preview_fonts(body: FontPreviewRequest, user: CurrentUser, agents: AgentsDep) -> FontPreviews:
    """The text in every font, drawn by the compositor as a render would draw it."""
    request = compositor_pb2.RenderTextPreviewRequest(text=body.text, color=body.color.lower(), size_px=48)
    reply = await _checked_call(
        agents, "compositor", "RenderTextPreview", request, deadline_s=15, refused="text: refused"
    )
    return FontPreviews(
        previews=[
            FontPreview(
                font=p.font,
                image="data:image/png;base64," + base64.b64encode(p.png).decode(),
                width=p.width,
                height=p.height,
                fallback_fonts=list(p.fallback_fonts),
            )
            for p in reply.previews
        ]
    )


async def check_compose(db: SessionDep, row: Session, agents: AgentClients, formats: int) -> None:
    """The compositor checks the very request the stage will send (texts and their glyphs, fonts,
    clips, timeline): what it would refuse is a 422 now, never a failed stage after the 202."""
    query = select(Asset).where(Asset.id.in_(row.clip_order))
    assets = {a.id: a for a in (await db.execute(query)).scalars()}
    clips = [assets[c].meta["asset"] for c in row.clip_order if c in assets]
    request = compose_request(row.id, row.compose_plan, clips)
    try:
        await agents.compositor.CheckCompose(compositor_pb2.CheckComposeRequest(request=request), timeout=30)
    except grpc.aio.AioRpcError as exc:
        details = exc.details() or ""
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, body_field(details, formats)) from None
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            raise HTTPException(status.HTTP_409_CONFLICT, f"clip_order: {details}") from None
        agents.forget("compositor")
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"the compositor agent failed: {exc.code().name}"
        ) from None


@dataclass
class Finishing:
    """The finishing form read against the session and its brand kit, as both the final's compose
    and the free preview send it to the compositor (so the preview shows what the final will be)."""

    overlay: dict[str, Any]
    logo: dict[str, str] | None
    # The kit's font file, for variants that ask for "brand" while the main text keeps another.
    brand_font: dict[str, str] | None
    voiceover: dict[str, Any] | None
    captions: str


async def read_finishing(
    body: FinishingForm,
    row: Session,
    fonts: list[Font],
    *,
    db: SessionDep,
    user: CurrentUser,
    store: StoreDep,
) -> Finishing:
    """The form's texts, brand kit and voice, each refusal naming its field (HTTP 422)."""
    overlay = body.text_overlay
    # "brand" (the kit's own font) is checked with the kit below; the default stands in for it.
    font = resolve_font("default" if overlay.font == BRAND_FONT else overlay.font, fonts)
    if font is None:
        valid = ", ".join(f"{f.id} ({f.name})" for f in fonts)
        raise unprocessable(f"text_overlay.font: unknown; one of {valid}, or brand")
    base_overlay: dict[str, Any] = {
        "product_name": overlay.product_name.strip(),
        "cta": (overlay.cta or "").strip(),
        "font": font,
        "color": overlay.color.lower(),
    }
    logo, brand_font = None, None
    if body.brand_kit_id is not None:
        kit = await owned_kit(db, user, body.brand_kit_id)
        # What the request chose wins over the kit, except "brand", which asks for the kit's font.
        given = overlay.model_fields_set - ({"font"} if overlay.font == BRAND_FONT else set())
        base_overlay = await kit_overlay(store, row.id, kit, base_overlay, given)
        if any(v.text_overlay is not None and v.text_overlay.font == BRAND_FONT for v in body.variants):
            brand_font = base_overlay.get("font_file") or await kit_font(store, row.id, kit)
        if body.brand_logo != "none":
            if kit.logo_key is None:
                raise unprocessable("brand_logo: the brand kit has no logo")
            uri = await session_copy(store, row.id, kit.logo_key, "logo", "image/png")
            logo = {"uri": uri, "corner": body.brand_logo}
    elif body.brand_logo != "none":
        raise unprocessable("brand_logo: needs brand_kit_id")
    if overlay.font == BRAND_FONT and "font_file" not in base_overlay:
        raise unprocessable("text_overlay.font: brand needs a brand kit with a font")
    if not base_overlay["cta"]:
        raise unprocessable("text_overlay.cta: required (or a brand kit with a default CTA)")
    voiceover, captions = body.voiceover, body.captions.style
    if voiceover.enabled and not voiceover.script:
        raise unprocessable("voiceover.script: required when voiceover.enabled")
    if captions != "none" and not voiceover.enabled:
        raise unprocessable("captions.style: captions need voiceover.enabled")
    return Finishing(
        overlay=base_overlay,
        logo=logo,
        brand_font=brand_font,
        # The compositor times the captions from the voice: both or neither reach it.
        voiceover=voiceover.model_dump() if voiceover.enabled else None,
        captions=captions if voiceover.enabled else "none",
    )


@router.post("/compose-final-video", status_code=status.HTTP_202_ACCEPTED, responses=ERRORS)
async def compose_final_video(
    body: ComposeFinalVideoRequest, *, step: StepDep, agents: AgentsDep, store: StoreDep
) -> Accepted:
    row = await step.session(body.session_id, Move.START_COMPOSE)
    fonts = await compositor_fonts(agents)
    form = await read_finishing(body, row, fonts, db=step.db, user=step.user, store=store)
    # The uploaded tracks the finals play, checked to be this session's (each by its field).
    variant_audio = ((f"variants[{i}].audio", v.audio) for i, v in enumerate(body.variants))
    uploads = await upload_uris(step.db, row, [("audio", body.audio), *variant_audio])
    finals = plan_finals(body, form.overlay, fonts, resolve_font, form.brand_font)
    for final in finals:
        final["music"] = with_upload(final["music"], uploads)
    row.compose_plan = {
        "item_id": new_item_id("final"),
        "voiceover": form.voiceover,
        "captions": form.captions,
        "overlay": form.overlay,
        "music": with_upload(body.audio.model_dump(), uploads),
        "intro_s": body.intro_duration,
        "outro_s": body.outro_duration,
        "formats": list(dict.fromkeys(body.formats)),
        "transition_s": body.transition_duration,
        # Every final of the call (formats, then variants), each with its id, texts, music, label.
        "finals": finals,
        "logo": form.logo,
    }
    await check_compose(step.db, row, agents, len(dict.fromkeys(body.formats)))
    # Every compose is a new version of the final: a new item id, the earlier finals kept.
    estimate = step.orchestrator.stage_estimate(row, SessionStage.FINAL_COMPOSITION)
    await step.start(row, Move.START_COMPOSE, estimate)
    row.message = "Adding text overlays..."
    await step.db.commit()
    await step.orchestrator.launch(row.id, SessionStage.FINAL_COMPOSITION)
    return Accepted(estimated_duration=35, message="Final video composition started")


def _ad_seconds(row: Session) -> float:
    """The ad's length as it would be composed now: the board's clips (or the plan's) and the draft."""
    default = row.clip_duration or 3.0
    planned = {i["item_id"]: float(i.get("duration_s") or default) for i in row.clip_plan or []}
    clips = [planned.get(c, default) for c in row.clip_order] or list(planned.values())
    return ad_length_s(clips or [default] * (row.num_images or 3), row.composition_draft)


@router.post(
    "/sessions/{session_id}/voiceover-script",
    responses={
        **SESSION_NOT_FOUND,
        409: {"description": "the session has no product yet"},
        422: {"description": "a field the parser refused, named"},
        503: {"description": "prompt parser unavailable"},
    },
)
async def suggest_voiceover_script(
    session_id: str, body: VoiceoverScriptRequest, user: CurrentUser, db: SessionDep, agents: AgentsDep
) -> VoiceoverScriptSuggestion:
    """A script for the finishing form that fits the ad's length (about 2.5 words a second), written
    from the product, the scene and the CTA; the user edits it before composing."""
    row = await owned_session(db, user, session_id)
    if not row.product_prompt:
        raise HTTPException(status.HTTP_409_CONFLICT, "the session has no product yet")
    draft = (row.composition_draft or {}).get("text_overlay") or {}
    name = body.product_name or (draft.get("product_name") or "").strip()
    # Without a name yet, the product's first words stand in (the name rule allows 50 characters).
    name = name or " ".join(row.product_prompt.split()[:4])[:50]
    cta = body.cta if body.cta is not None else (draft.get("cta") or "").strip()[:30]
    product = common_pb2.ProductSpec(text=row.product_prompt)
    if row.product_spec:
        ParseDict(row.product_spec, product, ignore_unknown_fields=True)
    seconds = body.duration or _ad_seconds(row)
    request = prompt_parser_pb2.WriteScriptRequest(
        session_id=row.id,
        product=product,
        scene_text=row.video_prompt or "",
        product_name=name,
        cta=cta,
        duration_s=min(60.0, max(3.0, seconds)),
    )
    reply = await _checked_call(
        agents, "prompt_parser", "WriteScript", request, deadline_s=60, refused="refused"
    )
    if reply.cost.usd_micros:  # what the LLM cost is the session's, like every other agent call
        row.total_cost_micros += reply.cost.usd_micros
        await record_cost(db, session_id=row.id, agent="prompt_parser", item_id=None, cost=reply.cost)
        await db.commit()
    return VoiceoverScriptSuggestion(
        script=reply.script,
        word_count=reply.word_count,
        duration=round(request.duration_s, 2),
        fallback_reason=reply.fallback_reason,
    )
