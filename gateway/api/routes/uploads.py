"""The user's own product photos: upload them into the session's images, set their view.

An upload is all or nothing: every file is checked first and nothing is stored when one is refused,
with a message naming the file. Photos join `generated_images` (source "upload", cost 0), so the
mood board, scene planning, clips and composition treat them exactly like generated ones.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, status
from google.protobuf.json_format import MessageToDict
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from gateway.api.answers import SESSION_NOT_FOUND, TOO_MANY_UPLOADS
from gateway.api.deps import (
    CurrentUser,
    HubDep,
    SessionDep,
    SettingsDep,
    StoreDep,
    owned_session,
    require_stage,
)
from gateway.core.config import Settings
from gateway.db.models import Asset, Session
from gateway.orchestrator import new_item_id
from gateway.product_photos import CleanPhoto, PhotoRejected, clean_photo, display_name, give_memory_back
from gateway.progress import ProgressHub
from gateway.responses import MediaLinks, dollars, image_view
from gateway.schemas import ImageAsset, ItemId
from gateway.stages import SessionStage
from services.common.media import MediaInfo, asset_ref
from services.common.storage import ObjectStore

router = APIRouter(prefix="/api/sessions", tags=["uploads"])

ViewType = Literal["front", "side", "back", "top", "detail", "lifestyle"]
VIEW_TYPES: tuple[str, ...] = ViewType.__args__  # type: ignore[attr-defined]
UPLOAD_STAGES = (SessionStage.CREATED, SessionStage.IMAGE_SELECTION)
UPLOAD_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["files"],
                "properties": {
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "format": "binary"},
                        "description": "PNG, JPEG or WebP photos (recognised by content)",
                    },
                    "view_type": {
                        "type": "array",
                        "items": {"type": "string", "enum": [*VIEW_TYPES, ""]},
                        "description": "one per file, in the same order; missing or empty = front",
                    },
                },
            }
        }
    },
}


class UploadedImages(BaseModel):
    images: list[ImageAsset]
    stage: SessionStage


class ImageViewUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    view_type: ViewType


async def _read_form(request: Request, settings: Settings) -> tuple[list[UploadFile], list[str]]:
    # The body's size is bounded before it is read, by the edge limits (gateway/api/limits.py).
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "send the photos as multipart/form-data (field: files)"
        )
    form = await request.form(max_files=settings.upload_max_files, max_fields=settings.upload_max_files + 8)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
    views = [v for v in form.getlist("view_type") if isinstance(v, str)]
    if not files:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "files: send at least one photo")
    if len(views) > len(files):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"view_type: {len(views)} given for {len(files)} files (one per file, in order)",
        )
    for i, v in enumerate(views):
        if v and v not in VIEW_TYPES:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                f"view_type[{i}]: must be one of {', '.join(VIEW_TYPES)}",
            )
    return files, [v or "front" for v in views] + ["front"] * (len(files) - len(views))


async def _check_all(
    files: list[UploadFile], settings: Settings, slots: asyncio.Semaphore
) -> list[tuple[str, CleanPhoto]]:
    """Every file checked, one at a time; all refusals reported."""
    checked: list[tuple[str, CleanPhoto]] = []
    refused: list[PhotoRejected] = []
    for i, upload in enumerate(files):
        label = display_name(upload.filename, i)
        data = await upload.read(settings.upload_max_bytes + 1)
        try:
            async with slots:  # a few decodes at once in the whole process: memory stays bounded
                photo = await asyncio.to_thread(
                    clean_photo,
                    data,
                    label,
                    max_bytes=settings.upload_max_bytes,
                    max_pixels=settings.upload_max_pixels,
                )
            checked.append((label, photo))
        except PhotoRejected as exc:
            refused.append(exc)
        finally:
            await upload.close()
    await asyncio.to_thread(give_memory_back)
    if refused:
        raise HTTPException(refused[0].status, "; ".join(r.message for r in refused))
    return checked


async def _check_room(db: AsyncSession, row: Session, adding: int, settings: Settings) -> None:
    """409 when `adding` more photos would pass the session's limit of uploads."""
    uploads = (
        await db.execute(
            select(Asset.id).where(Asset.session_id == row.id, Asset.meta["source"].astext == "upload")
        )
    ).all()
    if len(uploads) + adding > settings.upload_max_per_session:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"files: a session takes at most {settings.upload_max_per_session} photos "
            f"({len(uploads)} already uploaded)",
        )


async def _store_photo(
    store: ObjectStore, row: Session, label: str, photo: CleanPhoto, *, view: str, seconds: float
) -> Asset:
    """The checked photo saved under the session's keys, as the session's next image asset."""
    item_id = new_item_id("upl")
    stored = await store.put_bytes(f"sessions/{row.id}/uploads/{item_id}.png", photo.png, "image/png")
    info = MediaInfo(width=photo.width, height=photo.height)
    ref = asset_ref(stored.uri, stored.bytes, stored.sha256, "image/png", info)
    return Asset(
        id=item_id,
        session_id=row.id,
        asset_type="image",
        uri=stored.uri,
        meta={
            "asset": MessageToDict(ref, preserving_proto_field_name=True),
            "view": view,
            "seed": 0,
            "source": "upload",
            "original": {
                "name": label,
                "format": photo.source_format,
                "width": photo.source_width,
                "height": photo.source_height,
            },
        },
        cost_micros=0,
        model_used="upload",
        generation_time=round(seconds, 3),
    )


def _announce(hub: ProgressHub, row: Session, images: list[ImageAsset]) -> None:
    """Tell the session's sockets which photos arrived."""
    hub.publish(
        row.id,
        type="progress",
        stage="image_upload",
        session_stage=row.stage,
        progress=row.progress,
        message=row.message,
        current_cost=dollars(row.total_cost_micros),
        data={"images": [v.model_dump(mode="json") for v in images]},
    )


@router.post(
    "/{session_id}/images",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={"requestBody": UPLOAD_BODY},
    responses={
        **SESSION_NOT_FOUND,
        409: {"description": "wrong stage"},
        413: {"description": "a file or the upload is too large"},
        415: {"description": "not a PNG, JPEG or WebP image"},
        **TOO_MANY_UPLOADS,
    },
)
async def upload_images(
    session_id: uuid.UUID,
    request: Request,
    *,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
    hub: HubDep,
) -> UploadedImages:
    """Add product photos to the session's images; a new session goes straight to image selection."""
    row = await owned_session(db, user, str(session_id))
    require_stage(row, *UPLOAD_STAGES)
    await db.commit()  # no transaction (nor lock) held while the files arrive and are decoded
    files, views = await _read_form(request, settings)
    started = time.monotonic()
    photos = await _check_all(files, settings, request.app.state.decode_slots)
    seconds = (time.monotonic() - started) / len(photos)

    row = await owned_session(db, user, str(session_id), lock=True)
    require_stage(row, *UPLOAD_STAGES)
    await _check_room(db, row, len(photos), settings)
    assets: list[Asset] = []
    for (label, photo), view in zip(photos, views, strict=True):
        asset = await _store_photo(store, row, label, photo, view=view, seconds=seconds)
        db.add(asset)
        assets.append(asset)
    row.generated_image_ids = [*row.generated_image_ids, *(a.id for a in assets)]
    if row.stage == SessionStage.CREATED:
        # Starting from one's own photos: nothing to generate, straight to choosing.
        row.stage, row.progress = SessionStage.IMAGE_SELECTION.value, 50
    row.message = f"{len(assets)} photo{'s' if len(assets) != 1 else ''} uploaded"
    await db.commit()
    for a in assets:
        await db.refresh(a)
    links = MediaLinks(settings, row.id)
    views_out = [image_view(a, links) for a in assets]
    _announce(hub, row, views_out)
    return UploadedImages(images=views_out, stage=SessionStage(row.stage))


@router.patch(
    "/{session_id}/images/{image_id}",
    responses={404: {"description": "no such session or image"}, 409: {"description": "not changeable"}},
)
async def set_image_view(
    session_id: uuid.UUID,
    image_id: ItemId,
    *,
    body: ImageViewUpdate,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
) -> ImageAsset:
    """Set which view an uploaded photo shows (scene planning picks camera moves by view)."""
    row = await owned_session(db, user, str(session_id), lock=True)
    asset = await db.get(Asset, image_id, with_for_update=True)
    if asset is None or asset.session_id != row.id or asset.asset_type != "image":
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"image {image_id} not found in this session")
    if asset.meta.get("source") != "upload":
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"image {image_id} was generated as a {asset.meta.get('view')} view"
        )
    if row.clip_plan:
        raise HTTPException(status.HTTP_409_CONFLICT, "the scenes are already planned from these views")
    require_stage(row, *UPLOAD_STAGES)
    asset.meta = {**asset.meta, "view": body.view_type}
    await db.commit()
    return image_view(asset, MediaLinks(settings, row.id))
