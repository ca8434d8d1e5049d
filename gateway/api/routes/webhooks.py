"""A session's completion webhook: set it (the signing secret is shown this once), read it, remove
it, and read its delivery log."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update

from gateway.api.answers import SESSION_NOT_FOUND
from gateway.api.deps import CurrentUser, SessionDep, SettingsDep, owned_session
from gateway.core.config import Settings
from gateway.db.models import Session
from gateway.webhooks.models import WebhookDelivery
from gateway.webhooks.signing import new_secret
from gateway.webhooks.targets import MAX_URL_LENGTH, TargetRefused, resolve_target

router = APIRouter(prefix="/api/sessions", tags=["webhooks"])

WebhookUrl = Annotated[str, Field(min_length=8, max_length=MAX_URL_LENGTH)]


class WebhookConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: WebhookUrl


class WebhookInfo(BaseModel):
    url: str | None


class WebhookSecretIssued(BaseModel):
    url: str
    # Standard Webhooks signing secret; returned only here, store it now.
    secret: str


class WebhookAttempt(BaseModel):
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: float | None = None


class WebhookDeliveryView(BaseModel):
    id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime
    payload: dict[str, Any]
    attempt_log: list[WebhookAttempt]


async def configure_webhook(row: Session, url: str, settings: Settings) -> str:
    """Check and set the session's callback URL with a fresh secret (returned, never logged)."""
    try:
        await resolve_target(url, allow_private=settings.webhook_allow_private)
    except TargetRefused as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"webhook_url: {exc}") from None
    secret = new_secret()
    row.webhook_url = url
    row.webhook_secret = settings.webhook_keyring.seal(secret)  # never stored as it is
    return secret


@router.put("/{session_id}/webhook", responses={**SESSION_NOT_FOUND, 422: {"description": "URL refused"}})
async def set_webhook(
    session_id: uuid.UUID, body: WebhookConfig, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> WebhookSecretIssued:
    """Name the URL stage events are POSTed to. Every call issues a new secret; pending retries
    are signed with it and go to the new URL."""
    row = await owned_session(db, user, str(session_id), lock=True)
    secret = await configure_webhook(row, body.url, settings)
    await db.commit()
    return WebhookSecretIssued(url=body.url, secret=secret)


@router.get("/{session_id}/webhook", responses=SESSION_NOT_FOUND)
async def get_webhook(session_id: uuid.UUID, user: CurrentUser, db: SessionDep) -> WebhookInfo:
    row = await owned_session(db, user, str(session_id))
    return WebhookInfo(url=row.webhook_url)


@router.delete("/{session_id}/webhook", status_code=status.HTTP_204_NO_CONTENT, responses=SESSION_NOT_FOUND)
async def delete_webhook(session_id: uuid.UUID, user: CurrentUser, db: SessionDep) -> Response:
    """No more events; deliveries still pending are cancelled."""
    row = await owned_session(db, user, str(session_id), lock=True)
    row.webhook_url = row.webhook_secret = None
    await db.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.session_id == row.id, WebhookDelivery.status == "pending")
        .values(status="cancelled", next_attempt_at=None)
    )
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{session_id}/webhook-deliveries", responses=SESSION_NOT_FOUND)
async def list_deliveries(
    session_id: uuid.UUID, user: CurrentUser, db: SessionDep
) -> list[WebhookDeliveryView]:
    """The delivery log, newest first: each event with its attempts, status codes and next retry."""
    row = await owned_session(db, user, str(session_id))
    rows = await db.execute(
        select(WebhookDelivery)
        .where(WebhookDelivery.session_id == row.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
        .limit(200)
    )
    return [
        WebhookDeliveryView(
            id=d.id,
            event_type=d.event_type,
            status=d.status,
            attempts=d.attempts,
            last_status_code=d.last_status_code,
            last_error=d.last_error,
            next_attempt_at=d.next_attempt_at,
            delivered_at=d.delivered_at,
            created_at=d.created_at,
            payload=json.loads(d.body),
            attempt_log=[WebhookAttempt.model_validate(a) for a in d.attempt_log],
        )
        for d in rows.scalars()
    ]
