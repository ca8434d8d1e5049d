"""Stored media over HTTP: right content type, range requests (video seeking), no traversal.

Authorised by a short-lived signed `?token=` for the one object (what <img>/<video> can send) or
by the owner's bearer token.
"""

from __future__ import annotations

import mimetypes
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials

from gateway.api.deps import SessionDep, SettingsDep, StoreDep, bearer, unauthorized, user_from_token
from gateway.core.security import decode_token
from gateway.db.models import Session
from services.common.errors import InvalidArgument
from services.common.storage import LocalStore, ObjectStore, validate_key

router = APIRouter(tags=["media"])
CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".m4a": "audio/mp4",
    ".flac": "audio/flac",
    ".vtt": "text/vtt; charset=utf-8",
    ".srt": "application/x-subrip; charset=utf-8",
}


@router.get(
    "/media/{key:path}",
    response_class=FileResponse,
    responses={200: {"content": {"video/mp4": {}, "image/png": {}}}, 307: {}, 401: {}, 404: {}},
)
async def media(
    key: str,
    *,
    db: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    token: Annotated[str | None, Query(max_length=2048)] = None,
    # Serve as an attachment under this file name (the final's download button).
    download: Annotated[
        str | None, Query(min_length=5, max_length=100, pattern=r"^[\w.-]+\.(?:mp4|vtt|srt)$")
    ] = None,
) -> FileResponse:
    missing = HTTPException(status.HTTP_404_NOT_FOUND, "no such media")
    try:
        validate_key(key)
    except InvalidArgument:
        raise missing from None
    parts = key.split("/")
    if len(parts) < 3 or parts[0] != "sessions":
        raise missing
    session_id = parts[1]
    if token is not None:
        claims = decode_token(token, settings.jwt_key, "media")
        if claims is None or not isinstance(claims.get("key"), str):
            raise unauthorized("invalid or expired media token")
        if claims["key"] != key:  # a token opens the one object it was made for
            raise missing
    elif credentials is not None:
        user = await user_from_token(db, credentials.credentials, settings)
        if user is None:
            raise unauthorized("invalid or expired token")
        row = await db.get(Session, session_id) if len(session_id) <= 36 else None
        if row is None or row.user_id != user.id:
            raise missing
    else:
        raise unauthorized()
    return await stored_file(store, key, cache="private, max-age=3600", download=download)


async def stored_file(
    store: ObjectStore, key: str, *, cache: str, download: str | None = None
) -> FileResponse:
    """The stored object `key` as the answer (404 when there is none): object storage serves the
    bytes itself (ranges included) through a short-lived signed URL; a local file goes out with its
    content type, `Cache-Control: <cache>` and, given `download`, as an attachment of that name."""
    missing = HTTPException(status.HTTP_404_NOT_FOUND, "no such media")
    if not isinstance(store, LocalStore):
        if not await store.exists(key) or not (url := store.presigned_url(key, expires_s=900)):
            raise missing
        return RedirectResponse(url, status.HTTP_307_TEMPORARY_REDIRECT)  # type: ignore[return-value]
    path = store.path_of(key)
    if not path.is_file():
        raise missing
    content_type = CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    return FileResponse(
        path,
        media_type=content_type or "application/octet-stream",
        headers={"Cache-Control": cache},
        # Starlette writes a non-ASCII name as RFC 5987 filename*=utf-8''...
        filename=download,
        content_disposition_type="attachment" if download else "inline",
    )
