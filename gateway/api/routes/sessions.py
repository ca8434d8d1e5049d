"""Sessions: create, list (mine, newest first), read, costs, and retry of a failed stage."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, status
from sqlalchemy import func, select

from gateway.api.deps import (
    CurrentUser,
    OrchestratorDep,
    SessionDep,
    SettingsDep,
    owned_session,
    require_stage,
)
from gateway.api.routes.webhooks import configure_webhook
from gateway.db.models import Asset, GenerationCost, Session
from gateway.schemas import (
    Accepted,
    CostLine,
    CostsResponse,
    CreateSessionRequest,
    SessionCreated,
    SessionResponse,
    SessionStage,
    SessionSummary,
)
from gateway.views import dollars, session_view, summary_view
from services.common.costs import usd_to_micros

router = APIRouter(prefix="/api/sessions", tags=["sessions"])
NOT_FOUND = {404: {"description": "no such session of yours"}}


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
async def list_sessions(user: CurrentUser, db: SessionDep) -> list[SessionSummary]:
    rows = await db.execute(
        select(Session).where(Session.user_id == user.id).order_by(Session.created_at.desc()).limit(100)
    )
    return [summary_view(s) for s in rows.scalars()]


@router.get("/{session_id}", responses=NOT_FOUND)
async def get_session(
    session_id: uuid.UUID, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> SessionResponse:
    row = await owned_session(db, user, str(session_id))
    assets = (await db.execute(select(Asset).where(Asset.session_id == row.id))).scalars().all()
    return session_view(row, assets, settings)


@router.get("/{session_id}/costs", responses=NOT_FOUND)
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
    responses={**NOT_FOUND, 409: {"description": "not failed"}},
)
async def retry_session(
    session_id: uuid.UUID, user: CurrentUser, db: SessionDep, orchestrator: OrchestratorDep
) -> Accepted:
    """Resume the failed stage; items already delivered are not generated (or paid) again."""
    row = await owned_session(db, user, str(session_id), lock=True)
    require_stage(row, SessionStage.FAILED)
    if not row.failed_stage or orchestrator.is_running(row.id):
        raise HTTPException(status.HTTP_409_CONFLICT, "this session has no stage to resume")
    stage = SessionStage(row.failed_stage)
    row.stage, row.error, row.failed_stage = stage.value, None, None
    row.stage_deadline = orchestrator.deadline()
    row.message = f"Resuming {stage.value}..."
    await db.commit()
    orchestrator.launch(row.id, stage)
    return Accepted(estimated_duration=30, message=f"Resuming {stage.value}")
