"""Public share links: one final video each, watchable without an account.

The link carries only its own random token (256 bits, stored as its sha256), never a user's token or
a session-wide media token, and `/share-media/<token>` serves that one video (and its poster still)
and nothing else. A share lasts until its owner revokes it or its optional expiry passes; deleting
the session revokes it too. Then every route answers 404, as for a token that never existed.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Response, status
from fastapi.responses import FileResponse
from sqlalchemy import select

from gateway.api.deps import CurrentUser, SessionDep, StoreDep, owned_session
from gateway.api.routes.media import stored_file
from gateway.db.models import Asset, Session, Share
from gateway.schemas import CreateShareRequest, PublicShare, ShareableFinal, ShareCreated, ShareInfo
from services.common.storage import key_from_uri

router = APIRouter(tags=["shares"])
NOT_FOUND = {404: {"description": "no such session (or share) of yours"}}
GONE = {404: {"description": "no such share, or it was revoked or has expired"}}
# What secrets.token_urlsafe(32) gives; anything else is not looked up at all.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-]{43}$")
Token = Annotated[str, Path(max_length=64)]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _info(share: Share, now: datetime) -> ShareInfo:
    return ShareInfo(
        id=share.id,
        final_id=share.asset_id,
        product_name=share.product_name,
        created_at=share.created_at,
        expires_at=share.expires_at,
        revoked_at=share.revoked_at,
        active=share.revoked_at is None and (share.expires_at is None or share.expires_at > now),
    )


def _product_name(s: Session, final: Asset) -> str:
    """The name written on the video: its variant's overlay, else the compose's, else the session's."""
    plan: dict[str, Any] = s.compose_plan or {}
    for f in plan.get("finals", []):
        if f.get("variant_id") == final.meta.get("variant_id") and f.get("overlay", {}).get("product_name"):
            return str(f["overlay"]["product_name"])
    if name := plan.get("overlay", {}).get("product_name"):
        return str(name)
    return s.title or s.product_prompt or "Video ad"


async def _finals(db: SessionDep, session_id: str) -> list[Asset]:
    rows = await db.execute(
        select(Asset)
        .where(Asset.session_id == session_id, Asset.asset_type == "final_video")
        .order_by(Asset.created_at.desc(), Asset.id)
    )
    return list(rows.scalars())


@router.get("/api/sessions/{session_id}/shares/finals", responses=NOT_FOUND)
async def shareable_finals(session_id: uuid.UUID, user: CurrentUser, db: SessionDep) -> list[ShareableFinal]:
    """The session's final videos that can be shared, newest first (with the storage key of each)."""
    row = await owned_session(db, user, str(session_id))
    return [
        ShareableFinal(
            id=a.id,
            label=a.meta.get("label") or a.meta.get("format", "16:9"),
            aspect_ratio=a.meta.get("format", "16:9"),
            media_key=key_from_uri(a.uri),
        )
        for a in await _finals(db, row.id)
    ]


@router.post(
    "/api/sessions/{session_id}/shares",
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, 422: {"description": "final_id is not one of the session's final videos"}},
)
async def create_share(
    session_id: uuid.UUID, body: CreateShareRequest, user: CurrentUser, db: SessionDep
) -> ShareCreated:
    row = await owned_session(db, user, str(session_id))
    finals = await _finals(db, row.id)
    final = next((a for a in finals if a.id == body.final_id), None)
    if final is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"final_id: {body.final_id!r} is not one of this session's final videos",
        )
    poster_id = next(iter((*row.approved_image_ids, *row.generated_image_ids)), None)
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    share = Share(
        id=str(uuid.uuid4()),
        token_sha256=_hash(token),
        session_id=row.id,
        asset_id=final.id,
        product_name=_product_name(row, final)[:200],
        poster_asset_id=poster_id,
        created_at=now,
        expires_at=now + timedelta(days=body.expires_in_days) if body.expires_in_days else None,
    )
    db.add(share)
    await db.commit()
    return ShareCreated(
        id=share.id,
        final_id=final.id,
        token=token,
        share_url=f"/s/{token}",
        media_url=f"/share-media/{token}",
        expires_at=share.expires_at,
    )


@router.get("/api/sessions/{session_id}/shares", responses=NOT_FOUND)
async def list_shares(session_id: uuid.UUID, user: CurrentUser, db: SessionDep) -> list[ShareInfo]:
    """The session's shares, newest first, revoked and expired ones included (their links are not)."""
    row = await owned_session(db, user, str(session_id))
    rows = await db.execute(
        select(Share).where(Share.session_id == row.id).order_by(Share.created_at.desc(), Share.id)
    )
    now = datetime.now(UTC)
    return [_info(s, now) for s in rows.scalars()]


@router.delete(
    "/api/sessions/{session_id}/shares/{share_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
async def revoke_share(
    session_id: uuid.UUID, share_id: uuid.UUID, user: CurrentUser, db: SessionDep
) -> Response:
    row = await owned_session(db, user, str(session_id))
    share = await db.get(Share, str(share_id), with_for_update=True)
    if share is None or share.session_id != row.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"share {share_id} not found")
    if share.revoked_at is None:  # revoking twice keeps the first time
        share.revoked_at = datetime.now(UTC)
        await db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _live_share(db: SessionDep, token: str) -> tuple[Share, Asset]:
    missing = HTTPException(status.HTTP_404_NOT_FOUND, "no such share")
    if not TOKEN_RE.fullmatch(token):
        raise missing
    share = (await db.execute(select(Share).where(Share.token_sha256 == _hash(token)))).scalar_one_or_none()
    if share is None or share.revoked_at is not None:
        raise missing
    if share.expires_at is not None and share.expires_at <= datetime.now(UTC):
        raise missing
    final = await db.get(Asset, share.asset_id)
    if final is None or final.session_id != share.session_id:
        raise missing
    return share, final


@router.get("/api/shares/{token}", responses=GONE)
async def public_share(token: Token, db: SessionDep) -> PublicShare:
    """What the public page shows; no sign-in."""
    share, final = await _live_share(db, token)
    ref = final.meta.get("asset", {})
    poster = await db.get(Asset, share.poster_asset_id) if share.poster_asset_id else None
    has_poster = poster is not None and poster.session_id == share.session_id
    return PublicShare(
        product_name=share.product_name,
        video_url=f"/share-media/{token}",
        poster_url=f"/share-media/{token}/poster" if has_poster else None,
        duration=float(ref.get("duration_s", 0.0)),
        width=int(ref.get("width", 0)),
        height=int(ref.get("height", 0)),
        created_at=share.created_at,
    )


async def _serve(store: StoreDep, uri: str) -> FileResponse:
    # Public but revocable: caches may keep it briefly, not for the hour /media allows.
    return await stored_file(store, key_from_uri(uri), cache="public, max-age=300")


MEDIA_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"video/mp4": {}, "image/png": {}}},
    307: {},
    **GONE,
}


@router.get("/share-media/{token}", response_class=FileResponse, responses=MEDIA_RESPONSES)
async def share_media(token: Token, db: SessionDep, store: StoreDep) -> FileResponse:
    """The shared video itself (with ranges, for seeking), and no other file."""
    _, final = await _live_share(db, token)
    return await _serve(store, final.uri)


@router.get("/share-media/{token}/poster", response_class=FileResponse, responses=MEDIA_RESPONSES)
async def share_poster(token: Token, db: SessionDep, store: StoreDep) -> FileResponse:
    """The share's preview still (for og:image and the player's poster)."""
    share, _ = await _live_share(db, token)
    poster = await db.get(Asset, share.poster_asset_id) if share.poster_asset_id else None
    if poster is None or poster.session_id != share.session_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this share has no poster")
    return await _serve(store, poster.uri)
