"""The user's own music for a session: upload a track, list and remove them.

A track is checked and normalised by gateway/music_uploads.py (decoded in full, 1-600 s, stored as
48 kHz stereo FLAC under sessions/<session>/music/) and kept as a session asset of type "music".
A compose or preview plays it with `audio: {"enabled": true, "source": "upload", "upload_id": ...}`;
the compositor fits it to the ad (cut or repeated on its beats, -16 LUFS) and cuts on its beats.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from google.protobuf.json_format import MessageToDict
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.api.answers import TOO_MANY_UPLOADS
from gateway.api.deps import CurrentUser, SessionDep, SettingsDep, StoreDep, owned_session
from gateway.api.routes.brand_kits import FILE_BODY, one_file
from gateway.db.models import Asset, Session
from gateway.music_uploads import MUSIC_MAX_BYTES, RATE, clean_track
from gateway.orchestrator import new_item_id
from gateway.product_photos import PhotoRejected, give_memory_back
from gateway.responses import MediaLinks
from gateway.schemas import AudioConfig, ItemId
from services.common.media import MediaInfo, asset_ref
from services.common.storage import key_from_uri

router = APIRouter(prefix="/api/sessions", tags=["music"])
MUSIC = "music"  # the assets' type
MAX_TRACKS = 8
NOT_FOUND = {404: {"description": "no such session (or track) of yours"}}


class MusicTrack(BaseModel):
    id: str
    # The file's name as it was uploaded (for display).
    name: str
    # Seconds, as decoded.
    duration: float
    # The stored FLAC, to listen to (a short-lived media link).
    url: str
    created_at: datetime


def _name(filename: str) -> str:
    name = "".join(c for c in filename if unicodedata.category(c)[0] != "C").strip()
    return (name[:97] + "..." if len(name) > 100 else name) or "Uploaded track"


def track_view(a: Asset, links: MediaLinks) -> MusicTrack:
    return MusicTrack(
        id=a.id,
        name=str(a.meta.get("name", "")),
        duration=float(a.meta.get("asset", {}).get("duration_s", 0.0)),
        url=links.url(a.uri),
        created_at=a.created_at,
    )


async def session_track(
    db: AsyncSession, row: Session, track_id: str, field: str, missing: int = 422
) -> Asset:
    """The session's uploaded track `track_id`, or `missing` (422) naming `field`."""
    asset = await db.get(Asset, track_id)
    if asset is None or asset.session_id != row.id or asset.asset_type != MUSIC:
        raise HTTPException(missing, f"{field}: no uploaded track {track_id!r} in this session")
    return asset


async def upload_uris(
    db: AsyncSession, row: Session, audios: Iterable[tuple[str, AudioConfig | None]]
) -> dict[str, str]:
    """{upload_id: stored URI} of every uploaded track that the (field, audio) pairs play; a 422
    naming the field for a missing id or a track not of this session."""
    uris: dict[str, str] = {}
    for field, audio in audios:
        if audio is None or not audio.enabled or audio.source != "upload":
            continue
        if audio.upload_id is None:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                f"{field}.upload_id: required with source upload (POST /api/sessions/{{id}}/music)",
            )
        if audio.upload_id not in uris:
            uris[audio.upload_id] = (await session_track(db, row, audio.upload_id, f"{field}.upload_id")).uri
    return uris


def with_upload(music: dict[str, Any], uris: dict[str, str]) -> dict[str, Any]:
    """A plan's music (AudioConfig's fields) with the URI of the uploaded track it plays."""
    if music.get("enabled") and music.get("source") == "upload":
        return {**music, "upload_uri": uris[music["upload_id"]]}
    return music


@router.post(
    "/{session_id}/music",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": FILE_BODY},
    responses={
        **NOT_FOUND,
        409: {"description": "the session holds as many tracks as it may"},
        413: {"description": "larger than 20 MB"},
        415: {"description": "not an audio file"},
        422: {"description": "empty, damaged, or not 1-600 s long"},
        **TOO_MANY_UPLOADS,
    },
)
async def upload_music(
    session_id: uuid.UUID,
    request: Request,
    *,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
) -> MusicTrack:
    """Your own track for the ad (WAV, MP3, FLAC, Ogg, M4A, AAC, AIFF or WebM; 1-600 s; 20 MB)."""
    await owned_session(db, user, str(session_id))
    await db.commit()  # no transaction (nor lock) held while the file arrives and is decoded
    data, filename = await one_file(request, "file", MUSIC_MAX_BYTES)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="adreel-music-") as tmp:
        path = Path(tmp) / "track.flac"
        try:
            async with request.app.state.decode_slots:
                track = await asyncio.to_thread(clean_track, data, path)
        except PhotoRejected as exc:
            raise HTTPException(exc.status, exc.message) from None
        finally:
            await asyncio.to_thread(give_memory_back)
        row = await owned_session(db, user, str(session_id), lock=True)
        mine = (Asset.session_id == row.id) & (Asset.asset_type == MUSIC)
        if (await db.scalar(select(func.count()).select_from(Asset).where(mine)) or 0) >= MAX_TRACKS:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"file: a session keeps at most {MAX_TRACKS} tracks; delete one"
            )
        item_id = new_item_id("mus")
        stored = await store.put_file(f"sessions/{row.id}/music/{item_id}.flac", path, "audio/flac")
    info = MediaInfo(duration_s=track.duration_s, audio_codec="flac", audio_rate=RATE, audio_channels=2)
    ref = asset_ref(stored.uri, stored.bytes, stored.sha256, "audio/flac", info)
    asset = Asset(
        id=item_id,
        session_id=row.id,
        asset_type=MUSIC,
        uri=stored.uri,
        meta={
            "asset": MessageToDict(ref, preserving_proto_field_name=True),
            "name": _name(filename),
            "original": {
                "format": track.source_format,
                "codec": track.source_codec,
                "sample_rate": track.source_rate,
                "channels": track.source_channels,
            },
        },
        cost_micros=0,
        model_used="upload",
        generation_time=round(time.monotonic() - started, 3),
    )
    db.add(asset)
    await db.commit()
    await db.refresh(asset)
    return track_view(asset, MediaLinks(settings, row.id))


@router.get("/{session_id}/music", responses=NOT_FOUND)
async def list_music(
    session_id: uuid.UUID, *, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> list[MusicTrack]:
    """The session's uploaded tracks, the newest first."""
    row = await owned_session(db, user, str(session_id))
    rows = await db.execute(
        select(Asset)
        .where(Asset.session_id == row.id, Asset.asset_type == MUSIC)
        .order_by(Asset.created_at.desc(), Asset.id)
    )
    links = MediaLinks(settings, row.id)
    return [track_view(a, links) for a in rows.scalars()]


@router.delete("/{session_id}/music/{track_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_music(
    session_id: uuid.UUID, track_id: ItemId, *, user: CurrentUser, db: SessionDep, store: StoreDep
) -> Response:
    """Remove an uploaded track (finals already made with it keep their sound)."""
    row = await owned_session(db, user, str(session_id), lock=True)
    asset = await session_track(db, row, track_id, "track_id", status.HTTP_404_NOT_FOUND)
    key = key_from_uri(asset.uri)
    await db.delete(asset)
    await db.commit()
    await store.delete(key)  # after the row: no asset ever names a missing file
    return Response(status_code=status.HTTP_204_NO_CONTENT)
