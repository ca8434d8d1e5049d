"""Brand kits: create, list, read, edit and delete a user's kits; put or remove a kit's logo and font.

The rows live in PostgreSQL, the checked logo (PNG) and font in object storage under
brand_kits/<user>/<kit>/; a compose that picks a kit copies the logo into the session's own keys
(agents read only sessions/<session>/), see gateway/api/routes/generation.py.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import AfterValidator, BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from gateway.api.deps import CurrentUser, SessionDep, StoreDep
from gateway.brand_kits import FONT_MAX_BYTES, LOGO_MAX_BYTES, BrandKit, check_font, clean_logo
from gateway.db.models import User
from gateway.product_photos import PhotoRejected, give_memory_back
from gateway.schemas import CallToAction, Strict, Text

router = APIRouter(prefix="/api/brand-kits", tags=["brand kits"])
NOT_FOUND = {404: {"description": "no such brand kit of yours"}}
MAX_KITS = 20
Colour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", examples=["#FF3366"])]


def _trimmed(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value.strip()


KitName = Annotated[Text, Field(min_length=1, max_length=100), AfterValidator(_trimmed)]


class CreateBrandKitRequest(Strict):
    name: KitName
    primary_color: Colour
    secondary_color: Colour = "#FFFFFF"
    default_cta: CallToAction | None = None


class UpdateBrandKitRequest(Strict):
    """An omitted field keeps its value; default_cta: null clears it."""

    name: KitName | None = None
    primary_color: Colour | None = None
    secondary_color: Colour | None = None
    default_cta: CallToAction | None = None


class BrandKitInfo(BaseModel):
    id: str
    name: str
    primary_color: str
    secondary_color: str
    default_cta: str | None
    has_logo: bool
    # The uploaded font's family name (from its name table), when the kit has one.
    font_family: str | None
    created_at: datetime
    updated_at: datetime


def _info(k: BrandKit) -> BrandKitInfo:
    return BrandKitInfo(
        id=k.id,
        name=k.name,
        primary_color=k.primary_color.upper(),
        secondary_color=k.secondary_color.upper(),
        default_cta=k.default_cta,
        has_logo=k.logo_key is not None,
        font_family=k.font_family if k.font_key else None,
        created_at=k.created_at,
        updated_at=k.updated_at,
    )


async def owned_kit(db: AsyncSession, user: User, kit_id: uuid.UUID | str) -> BrandKit:
    kit = await db.get(BrandKit, str(kit_id))
    if kit is None or kit.user_id != user.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "brand_kit_id: no such brand kit of yours")
    return kit


@router.post("", status_code=status.HTTP_201_CREATED, responses={409: {"description": "too many kits"}})
async def create_brand_kit(body: CreateBrandKitRequest, user: CurrentUser, db: SessionDep) -> BrandKitInfo:
    count = await db.scalar(select(func.count()).select_from(BrandKit).where(BrandKit.user_id == user.id))
    if (count or 0) >= MAX_KITS:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"name: at most {MAX_KITS} brand kits; delete one first"
        )
    now = datetime.now(UTC)
    kit = BrandKit(
        id=str(uuid.uuid4()),
        user_id=user.id,
        name=body.name,
        primary_color=body.primary_color.upper(),
        secondary_color=body.secondary_color.upper(),
        default_cta=body.default_cta,
        created_at=now,
        updated_at=now,
    )
    db.add(kit)
    await db.commit()
    return _info(kit)


@router.get("")
async def list_brand_kits(user: CurrentUser, db: SessionDep) -> list[BrandKitInfo]:
    rows = await db.execute(
        select(BrandKit).where(BrandKit.user_id == user.id).order_by(BrandKit.created_at.desc(), BrandKit.id)
    )
    return [_info(k) for k in rows.scalars()]


@router.get("/{kit_id}", responses=NOT_FOUND)
async def get_brand_kit(kit_id: uuid.UUID, user: CurrentUser, db: SessionDep) -> BrandKitInfo:
    return _info(await owned_kit(db, user, kit_id))


@router.patch("/{kit_id}", responses=NOT_FOUND)
async def update_brand_kit(
    kit_id: uuid.UUID, body: UpdateBrandKitRequest, user: CurrentUser, db: SessionDep
) -> BrandKitInfo:
    kit = await owned_kit(db, user, kit_id)
    for field in body.model_fields_set:
        value = getattr(body, field)
        if value is None and field != "default_cta":
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{field}: must not be null")
        setattr(kit, field, value.upper() if field.endswith("_color") else value)
    kit.updated_at = datetime.now(UTC)
    await db.commit()
    return _info(kit)


@router.delete("/{kit_id}", status_code=status.HTTP_204_NO_CONTENT, responses=NOT_FOUND)
async def delete_brand_kit(kit_id: uuid.UUID, user: CurrentUser, db: SessionDep, store: StoreDep) -> Response:
    kit = await owned_kit(db, user, kit_id)
    keys = [k for k in (kit.logo_key, kit.font_key) if k]
    await db.delete(kit)
    await db.commit()
    for key in keys:  # after the row: a kit never points at a missing file
        await store.delete(key)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


FILE_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}


async def one_file(request: Request, field: str, limit: int) -> tuple[bytes, str]:
    """The one file of a multipart body (field `file`), at most `limit` + 1 bytes, and its name."""
    # The body's size is bounded before it is read, by the edge limits (gateway/api/limits.py).
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, f"{field}: send it as multipart/form-data (field: file)"
        )
    form = await request.form(max_files=1, max_fields=2)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"{field}: send one file in the field 'file'"
        )
    try:
        return await upload.read(limit + 1), upload.filename or ""
    finally:
        await upload.close()


async def _kit_file(
    request: Request, db: AsyncSession, user: User, kit_id: uuid.UUID, *, field: str, limit: int
) -> bytes:
    """The kit's new logo or font as sent, once the kit is known to be the user's."""
    await owned_kit(db, user, kit_id)
    await db.commit()  # no transaction held while the file arrives and is checked
    return (await one_file(request, field, limit))[0]


def _refused(exc: PhotoRejected) -> HTTPException:
    return HTTPException(exc.status, exc.message)


@router.put(
    "/{kit_id}/logo",
    openapi_extra={"requestBody": FILE_BODY},
    responses={**NOT_FOUND, 413: {"description": "too large"}, 415: {"description": "not PNG or WebP"}},
)
async def put_brand_kit_logo(
    kit_id: uuid.UUID, request: Request, user: CurrentUser, db: SessionDep, store: StoreDep
) -> BrandKitInfo:
    """The kit's logo: PNG or WebP (transparency kept), stored as a clean PNG."""
    data = await _kit_file(request, db, user, kit_id, field="logo", limit=LOGO_MAX_BYTES)
    try:
        async with request.app.state.decode_slots:
            logo = await asyncio.to_thread(clean_logo, data)
    except PhotoRejected as exc:
        raise _refused(exc) from None
    finally:
        await asyncio.to_thread(give_memory_back)
    kit = await owned_kit(db, user, kit_id)
    key = f"brand_kits/{user.id}/{kit.id}/logo.png"
    await store.put_bytes(key, logo.png, "image/png")
    kit.logo_key, kit.updated_at = key, datetime.now(UTC)
    await db.commit()
    return _info(kit)


@router.get(
    "/{kit_id}/logo",
    responses={**NOT_FOUND, 200: {"content": {"image/png": {}}, "description": "the logo as PNG"}},
)
async def get_brand_kit_logo(
    kit_id: uuid.UUID, user: CurrentUser, db: SessionDep, store: StoreDep
) -> Response:
    kit = await owned_kit(db, user, kit_id)
    if kit.logo_key is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "logo: this kit has none")
    return Response(await store.get_bytes(kit.logo_key), media_type="image/png")


@router.put(
    "/{kit_id}/font",
    openapi_extra={"requestBody": FILE_BODY},
    responses={**NOT_FOUND, 413: {"description": "too large"}, 415: {"description": "not TTF or OTF"}},
)
async def put_brand_kit_font(
    kit_id: uuid.UUID, request: Request, user: CurrentUser, db: SessionDep, store: StoreDep
) -> BrandKitInfo:
    """The kit's font: TrueType or OpenType, checked with fontTools."""
    data = await _kit_file(request, db, user, kit_id, field="font", limit=FONT_MAX_BYTES)
    try:
        font = await asyncio.to_thread(check_font, data)
    except PhotoRejected as exc:
        raise _refused(exc) from None
    kit = await owned_kit(db, user, kit_id)
    key = f"brand_kits/{user.id}/{kit.id}/font.{font.kind}"
    if kit.font_key and kit.font_key != key:
        await store.delete(kit.font_key)
    await store.put_bytes(key, font.data, f"font/{font.kind}")
    kit.font_key, kit.font_family, kit.updated_at = key, font.family, datetime.now(UTC)
    await db.commit()
    return _info(kit)


@router.delete("/{kit_id}/{part}", responses=NOT_FOUND)
async def delete_brand_kit_file(
    kit_id: uuid.UUID, part: str, user: CurrentUser, db: SessionDep, store: StoreDep
) -> BrandKitInfo:
    """Remove the kit's logo (`/logo`) or font (`/font`)."""
    if part not in ("logo", "font"):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{part[:20]}: a kit has a logo and a font only")
    kit = await owned_kit(db, user, kit_id)
    key = kit.logo_key if part == "logo" else kit.font_key
    if part == "logo":
        kit.logo_key = None
    else:
        kit.font_key, kit.font_family = None, None
    kit.updated_at = datetime.now(UTC)
    await db.commit()
    if key:
        await store.delete(key)
    return _info(kit)
