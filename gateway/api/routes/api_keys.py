"""Personal API keys: create (the key is shown this once), list, revoke (gateway/api_keys.py).

Managed only when signed in: a request made with an API key cannot create or revoke keys.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import select

from gateway.api.deps import CurrentUser, SessionDep
from gateway.api_keys import ApiKey, digest, live, new_key
from gateway.schemas import Strict, Text

router = APIRouter(prefix="/api/api-keys", tags=["api keys"])
SIGNED_IN = {403: {"description": "keys are managed when signed in, not with an API key"}}
MAX_KEYS = 50


def _trimmed(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


class CreateApiKeyRequest(Strict):
    name: Annotated[Text, Field(min_length=1, max_length=100), AfterValidator(_trimmed)]
    # read: GET calls, progress sockets and quotes; generate: also starts paid work.
    scope: Literal["read", "generate"]
    # Never expires when omitted.
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class ApiKeyInfo(BaseModel):
    id: str
    name: str
    scope: str
    # The key's first characters, to tell keys apart.
    hint: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    active: bool


class ApiKeyCreated(ApiKeyInfo):
    # The key itself: shown only here (only its hash is stored). Send it as Authorization: Bearer.
    key: str


def _info(k: ApiKey, now: datetime) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=k.id,
        name=k.name,
        scope=k.scope,
        hint=k.hint,
        created_at=k.created_at,
        expires_at=k.expires_at,
        revoked_at=k.revoked_at,
        last_used_at=k.last_used_at,
        active=live(k, now),
    )


def _signed_in(request: Request) -> None:
    if getattr(request.state, "api_key", None) is not None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "api key: keys are created and revoked when signed in, not with a key"
        )


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses={**SIGNED_IN, 409: {"description": "too many"}}
)
async def create_api_key(
    body: CreateApiKeyRequest, request: Request, user: CurrentUser, db: SessionDep
) -> ApiKeyCreated:
    """A new key, shown this once."""
    _signed_in(request)
    now = datetime.now(UTC)
    mine = (await db.execute(select(ApiKey).where(ApiKey.user_id == user.id))).scalars().all()
    if sum(live(k, now) for k in mine) >= MAX_KEYS:
        raise HTTPException(status.HTTP_409_CONFLICT, f"name: at most {MAX_KEYS} live keys; revoke one first")
    key = new_key()
    row = ApiKey(
        id=str(uuid.uuid4()),
        user_id=user.id,
        name=body.name,
        scope=body.scope,
        key_sha256=digest(key),
        hint=key[:8] + "…",
        created_at=now,
        expires_at=now + timedelta(days=body.expires_in_days) if body.expires_in_days else None,
    )
    db.add(row)
    await db.commit()
    return ApiKeyCreated(**_info(row, now).model_dump(), key=key)


@router.get("")
async def list_api_keys(user: CurrentUser, db: SessionDep) -> list[ApiKeyInfo]:
    """My keys, newest first (never the keys themselves)."""
    now = datetime.now(UTC)
    rows = await db.execute(
        select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.created_at.desc(), ApiKey.id)
    )
    return [_info(k, now) for k in rows.scalars()]


@router.delete(
    "/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**SIGNED_IN, 404: {"description": "no such key of yours"}},
)
async def revoke_api_key(key_id: uuid.UUID, request: Request, user: CurrentUser, db: SessionDep) -> Response:
    """Refused from now on, everywhere (REST, WebSocket tickets, MCP)."""
    _signed_in(request)
    row = await db.get(ApiKey, str(key_id), with_for_update=True)
    if row is None or row.user_id != user.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"key_id: no key {key_id} of yours")
    row.revoked_at = row.revoked_at or datetime.now(UTC)
    await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
