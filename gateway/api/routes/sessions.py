"""Sessions: create, list (mine, newest first), read, rename, duplicate, delete, costs, and retry of a
failed stage."""

from __future__ import annotations

import copy
import logging
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Response, status
from sqlalchemy import delete, func, select, update

from gateway import session_flow
from gateway.api.answers import SESSION_NOT_FOUND, STAGES_AT_LIMIT
from gateway.api.deps import (
    CurrentUser,
    OrchestratorDep,
    SessionDep,
    SettingsDep,
    StoreDep,
    owned_session,
)
from gateway.api.routes.webhooks import configure_webhook
from gateway.db.models import Asset, GenerationCost, Session, Share
from gateway.orchestrator import new_item_id
from gateway.quotas import hold_quotas
from gateway.responses import dollars, session_view, summary_view
from gateway.schemas import (
    Accepted,
    CostLine,
    CostsResponse,
    CreateSessionRequest,
    DuplicateSessionRequest,
    RenameSessionRequest,
    SessionCreated,
    SessionDuplicated,
    SessionResponse,
    SessionStage,
    SessionSummary,
)
from gateway.stages import RUNNING_STAGES
from services.common.costs import usd_to_micros
from services.common.storage import ObjectStore, key_from_uri, uri_for

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


@router.post(
    "/create", status_code=status.HTTP_201_CREATED, responses={403: {"description": "user_id is not yours"}}
)
async def create_session(
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
    body: Annotated[CreateSessionRequest | None, Body()] = None,
) -> SessionCreated:
    if body is not None and body.user_id is not None and body.user_id != user.id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "user_id: must be your own user id")
    row = Session(
        id=str(uuid.uuid4()),
        user_id=user.id,
        stage=SessionStage.CREATED.value,
        budget_micros=usd_to_micros(settings.budget_usd),
        total_cost_micros=0,
        progress=0,
    )
    secret = None
    if body is not None and body.webhook_url is not None:
        secret = await configure_webhook(row, body.webhook_url, settings)
    db.add(row)
    await db.commit()
    return SessionCreated(
        session_id=row.id, stage=SessionStage.CREATED, created_at=row.created_at, webhook_secret=secret
    )


@router.get("")
async def list_sessions(user: CurrentUser, db: SessionDep, settings: SettingsDep) -> list[SessionSummary]:
    rows = await db.execute(
        select(Session)
        .where(Session.user_id == user.id, Session.deleted_at.is_(None))
        .order_by(Session.created_at.desc())
        .limit(100)
    )
    sessions = list(rows.scalars())
    images = await db.execute(
        select(Asset.id, Asset.uri).where(
            Asset.session_id.in_([s.id for s in sessions]), Asset.asset_type == "image"
        )
    )
    uris = {image_id: uri for image_id, uri in images.all()}
    return [summary_view(s, settings, _thumbnail(s, uris)) for s in sessions]


def _thumbnail(s: Session, uris: dict[str, str]) -> str | None:
    """The first kept image, else the first generated one."""
    for image_id in (*s.approved_image_ids, *s.generated_image_ids):
        if image_id in uris:
            return uris[image_id]
    return None


@router.get("/{session_id}", responses=SESSION_NOT_FOUND)
async def get_session(
    session_id: uuid.UUID, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> SessionResponse:
    row = await owned_session(db, user, str(session_id))
    assets = (await db.execute(select(Asset).where(Asset.session_id == row.id))).scalars().all()
    return session_view(row, assets, settings)


@router.patch("/{session_id}", responses=SESSION_NOT_FOUND)
async def rename_session(
    session_id: uuid.UUID,
    body: RenameSessionRequest,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
) -> SessionSummary:
    row = await owned_session(db, user, str(session_id), lock=True)
    row.title = body.title
    await db.commit()
    await db.refresh(row)
    return summary_view(row, settings)


@router.post(
    "/{session_id}/duplicate",
    status_code=status.HTTP_201_CREATED,
    responses={**SESSION_NOT_FOUND, 409: {"description": "same_images: the session has no images yet"}},
)
async def duplicate_session(
    session_id: uuid.UUID,
    body: DuplicateSessionRequest,
    *,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
) -> SessionDuplicated:
    """A new session from this one. Nothing is bought: the copy's budget is whole and its cost 0."""
    src = await owned_session(db, user, str(session_id))
    row = Session(
        id=str(uuid.uuid4()),
        user_id=user.id,
        stage=SessionStage.CREATED.value,
        product_prompt=src.product_prompt,
        num_images=src.num_images,
        style_keywords=list(src.style_keywords or []),
        budget_micros=usd_to_micros(settings.budget_usd),
        total_cost_micros=0,
        progress=0,
    )
    copies: list[Asset] = []
    if body.mode == "same_images":
        assets = (
            await db.execute(
                select(Asset).where(Asset.session_id == src.id, Asset.id.in_(src.generated_image_ids))
            )
        ).scalars()
        by_id = {a.id: a for a in assets}
        originals = [by_id[i] for i in src.generated_image_ids if i in by_id]
        if not originals:
            raise HTTPException(
                status.HTTP_409_CONFLICT, "mode: same_images needs a session with images; use fresh"
            )
        # Media keys are scoped to their session, so the copy gets its own files and asset ids.
        new_ids = {a.id: new_item_id(a.id.split("_", 1)[0] or "img") for a in originals}
        for a in originals:
            copies.append(await _copy_image(store, a, row.id, new_ids[a.id]))
        row.product_spec = copy.deepcopy(src.product_spec)
        row.consistency_seed = src.consistency_seed
        row.image_round = src.image_round
        row.image_plan = [
            {**item, "item_id": new_ids.get(item["item_id"]) or new_item_id("img")}
            for item in copy.deepcopy(src.image_plan or [])
        ]
        row.generated_image_ids = [new_ids[a.id] for a in originals]
        row.approved_image_ids = [new_ids[i] for i in src.approved_image_ids if i in new_ids]
        row.stage = SessionStage.IMAGE_SELECTION.value
        row.progress = 50
        row.message = "Images ready for review!"
    db.add(row)
    await db.flush()  # the session row first: the copies' rows reference it
    db.add_all(copies)
    await db.commit()
    return SessionDuplicated(session_id=row.id, stage=SessionStage(row.stage))


async def _copy_image(store: ObjectStore, a: Asset, session_id: str, new_id: str) -> Asset:
    key = key_from_uri(a.uri)
    name = key.rsplit("/", 1)[-1].replace(a.id, new_id, 1)
    folder = key.split("/")[2] if key.count("/") >= 3 else "images"
    new_key = f"sessions/{session_id}/{folder}/{name}"
    async with store.local_path(key) as path:
        stored = await store.put_file(new_key, path, "image/png")
    meta: dict[str, Any] = copy.deepcopy(a.meta)
    meta["asset"] = {**meta.get("asset", {}), "uri": uri_for(new_key)}
    meta["copied_from"] = a.id
    return Asset(
        id=new_id,
        session_id=session_id,
        asset_type=a.asset_type,
        uri=stored.uri,
        meta=meta,
        cost_micros=0,  # bought by the original session, not this one
        model_used=a.model_used,
        generation_time=a.generation_time,
    )


@router.delete(
    "/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**SESSION_NOT_FOUND, 409: {"description": "a stage is running"}},
)
async def delete_session(
    session_id: uuid.UUID,
    user: CurrentUser,
    db: SessionDep,
    orchestrator: OrchestratorDep,
    store: StoreDep,
) -> Response:
    """Hide the session, remove its assets and media, revoke its shares; its cost ledger rows stay."""
    row = await owned_session(db, user, str(session_id), lock=True)
    if orchestrator.is_running(row.id) or row.stage in RUNNING_STAGES:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"session is in stage {row.stage!r}; wait for it to finish, then delete"
        )
    uris = (await db.execute(select(Asset.uri).where(Asset.session_id == row.id))).scalars().all()
    now = datetime.now(UTC)
    row.deleted_at = now
    await db.execute(delete(Asset).where(Asset.session_id == row.id))
    await db.execute(
        update(Share).where(Share.session_id == row.id, Share.revoked_at.is_(None)).values(revoked_at=now)
    )
    await db.commit()
    # After the commit: a failed file removal leaves an orphan file, never a session without media.
    await _remove_media(store, row.id, uris)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _remove_media(store: ObjectStore, session_id: str, uris: list[str]) -> None:
    for uri in uris:
        try:
            await store.delete(key_from_uri(uri))
        except Exception:
            log.exception("could not delete a deleted session's media", extra={"session_id": session_id})
    try:
        # Whatever else an agent wrote under the session's prefix (kept voice and music, captions).
        await store.delete_tree(f"sessions/{session_id}")
    except Exception:
        log.exception("could not delete a deleted session's folder", extra={"session_id": session_id})


@router.get("/{session_id}/costs", responses=SESSION_NOT_FOUND)
async def get_costs(session_id: uuid.UUID, user: CurrentUser, db: SessionDep) -> CostsResponse:
    """What the ledger booked for the session: the total and a breakdown per agent and model."""
    row = await owned_session(db, user, str(session_id))
    lines = await db.execute(
        select(
            GenerationCost.agent_name,
            GenerationCost.model_used,
            func.sum(GenerationCost.cost_micros),
            func.sum(GenerationCost.duration_seconds),
            func.count(),
            func.count().filter(GenerationCost.success.is_(False)),
        )
        .where(GenerationCost.session_id == row.id)
        .group_by(GenerationCost.agent_name, GenerationCost.model_used)
        .order_by(func.min(GenerationCost.id))
    )
    rows = lines.all()
    breakdown = [
        CostLine(agent=a, model=m, cost=dollars(int(c)), duration=round(float(d), 3), calls=n, failures=f)
        for a, m, c, d, n, f in rows
    ]
    # The ledger is the source of truth: the total is what it booked, summed in integer micros (the
    # session's running total agrees once the outbox has drained, usually within milliseconds).
    return CostsResponse(
        session_id=row.id,
        total_cost=dollars(sum(int(r[2]) for r in rows)),
        budget=dollars(row.budget_micros),
        breakdown=breakdown,
    )


@router.post(
    "/{session_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        **SESSION_NOT_FOUND,
        402: {"description": "the user's daily spend"},
        409: {"description": "not failed"},
        **STAGES_AT_LIMIT,
    },
)
async def retry_session(
    session_id: uuid.UUID, user: CurrentUser, db: SessionDep, orchestrator: OrchestratorDep
) -> Accepted:
    """Resume the failed stage; items already delivered are not generated (or paid) again."""
    row = await owned_session(db, user, str(session_id), lock=True)
    try:
        session_flow.check(row, session_flow.Move.RETRY, running=orchestrator.is_running(row.id))
    except session_flow.MoveRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    # A retry is a stage start too: the user's quotas hold (the estimate is the whole stage's).
    estimate = orchestrator.stage_estimate(row, SessionStage(row.failed_stage))
    await hold_quotas(db, row, orchestrator.settings, estimate[0])
    stage = session_flow.begin(row, session_flow.Move.RETRY, running=orchestrator.is_running(row.id))
    row.stage_deadline = orchestrator.deadline()
    row.message = f"Resuming {stage.value}..."
    await db.commit()
    await orchestrator.launch(row.id, stage)
    return Accepted(estimated_duration=30, message=f"Resuming {stage.value}")
