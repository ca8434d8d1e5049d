"""Batches: many ads from a CSV or JSON list of rows, one session per row with automatic picks, under
a budget (gateway/batch_runner.py runs them); the quote of one ad; a ZIP of a batch's finals.

Every row is checked before anything is spent, each problem named by row and column. The budget is
settled up front from the quotes: rows are taken in order while their quotes fit, and the rest are
`not_run` with the reason, so a batch never pays part of a row.
"""

from __future__ import annotations

import asyncio
import io
import re
import uuid
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import jwt
from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.ad_specs import (
    AdSpec,
    BatchInputError,
    RowProblem,
    checked_rows,
    quote,
    read_csv,
)
from gateway.api.deps import AgentsDep, CurrentUser, SessionDep, SettingsDep, StoreDep
from gateway.api.routes.generation import compositor_fonts, resolve_font
from gateway.batch_runner import TERMINAL, finals_of, overall_progress, stage_message
from gateway.core.config import Settings
from gateway.core.security import ALGORITHM
from gateway.db.models import Asset, Batch, BatchRow, Session
from gateway.responses import MediaLinks, dollars, download_name, final_view
from gateway.schemas import FinalVideo, Strict, Text
from gateway.webhooks.signing import new_secret
from gateway.webhooks.targets import MAX_URL_LENGTH, TargetRefused, resolve_target
from services.common.costs import usd_to_micros
from services.common.storage import key_from_uri

router = APIRouter(tags=["batches"])
NOT_FOUND = {404: {"description": "no such batch of yours"}}
ZIP_TOKEN = "batch_zip"
CHUNK = 1 << 20

RowStatus = Literal["invalid", "queued", "running", "complete", "failed", "not_run"]


class CreateBatchRequest(Strict):
    """Rows as a JSON list (`rows`) or as CSV text (`csv`, a header line then one row per line);
    the columns are those of AdSpec (brand kit as brand_font / brand_color in a CSV)."""

    rows: list[dict[str, Any]] | None = Field(default=None, min_length=1, max_length=1000)
    csv: Annotated[Text, Field(min_length=1, max_length=1_000_000)] | None = None
    # The most the batch may spend: a row runs only when its whole quote still fits.
    budget_usd: Decimal = Field(gt=0, le=100_000, max_digits=12, decimal_places=6)
    name: Annotated[Text, Field(min_length=1, max_length=100)] | None = None
    # Signed per-ad and per-batch events are POSTed here (the secret is in the response, once).
    webhook_url: str | None = Field(default=None, min_length=8, max_length=MAX_URL_LENGTH)


class QuoteView(BaseModel):
    # The most the ad can cost (what a budget must cover): the three stages' estimates.
    total_usd: float
    images: int
    clips: int
    parse_usd: float
    images_usd: float
    clips_usd: float
    compose_usd: float


class BatchRowView(BaseModel):
    row: int
    status: RowStatus
    # Why it failed or did not run (e.g. "budget: ...").
    reason: str | None
    # An invalid row's problems, each naming its column.
    problems: list[RowProblem]
    product: str | None
    name: str | None
    session_id: str | None
    # The session's stage and the row's progress through the whole ad (0-100).
    stage: str | None
    progress: int
    message: str | None
    quote: float
    cost: float
    final_videos: list[FinalVideo]


class BatchView(BaseModel):
    id: str
    name: str | None
    status: Literal["running", "complete", "cancelled"]
    budget: float
    # The quotes of the rows allowed to run.
    reserved: float
    total_cost: float
    counts: dict[str, int]
    rows: list[BatchRowView]
    created_at: datetime
    finished_at: datetime | None
    # Every final of the batch in one ZIP (a signed link, valid like a media link), once any exists.
    zip_url: str | None
    webhook_url: str | None


class BatchCreated(BatchView):
    # The webhook's whsec_ signing secret, returned only here (when webhook_url was given).
    webhook_secret: str | None = None


class BatchSummary(BaseModel):
    id: str
    name: str | None
    status: str
    rows: int
    counts: dict[str, int]
    budget: float
    total_cost: float
    created_at: datetime
    finished_at: datetime | None


def quote_view(spec: AdSpec, settings: Settings) -> QuoteView:
    q = quote(spec, settings)
    return QuoteView(
        total_usd=dollars(q.total_micros),
        images=q.images,
        clips=q.clips,
        parse_usd=dollars(q.parse_micros),
        images_usd=dollars(q.images_micros),
        clips_usd=dollars(q.clips_micros),
        compose_usd=dollars(q.compose_micros),
    )


@router.post("/api/quote", tags=["batches"])
async def quote_ad(body: AdSpec, user: CurrentUser, settings: SettingsDep) -> QuoteView:
    """The most one ad of these settings can cost, before anything runs."""
    return quote_view(body, settings)


def _refuse_rows(problems: list[tuple[int, RowProblem]]) -> HTTPException:
    """422 in FastAPI's own shape, so every client shows `rows.<n>.<column>: message`."""
    detail = [
        {"loc": ["body", "rows", n, p.column], "msg": p.message, "type": "value_error"} for n, p in problems
    ]
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


async def _check_fonts(
    agents: AgentsDep, specs: list[AdSpec | None], problems: list[list[RowProblem]]
) -> None:
    """A brand font must be one the compositor has; the name is stored as its font id."""
    wanted = [i for i, s in enumerate(specs) if s is not None and s.brand_kit.font]
    if not wanted:
        return
    fonts = await compositor_fonts(agents)  # 503 naming the compositor when it is down
    for i in wanted:
        spec = specs[i]
        assert spec is not None and spec.brand_kit.font is not None
        font = resolve_font(spec.brand_kit.font, fonts)
        if font is None:
            unknown = RowProblem(column="brand_font", message="unknown font; GET /api/fonts lists them")
            problems[i].append(unknown)
            specs[i] = None
        else:
            spec.brand_kit.font = font


@router.post(
    "/api/batches",
    status_code=status.HTTP_201_CREATED,
    responses={
        402: {"description": "the budget does not cover the first row's quote"},
        422: {"description": "the input, or every row, refused (each problem named by row and column)"},
        503: {"description": "the compositor is needed to check brand fonts and is down"},
    },
)
async def create_batch(
    body: CreateBatchRequest,
    request: Request,
    *,
    user: CurrentUser,
    db: SessionDep,
    settings: SettingsDep,
    agents: AgentsDep,
) -> BatchCreated:
    """Check every row, settle the budget from the quotes, and start the batch."""
    if (body.rows is None) == (body.csv is None):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "rows: give either rows or csv")
    try:
        raw = body.rows if body.rows is not None else read_csv(body.csv or "", settings.batch_max_rows)
    except BatchInputError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    if len(raw) > settings.batch_max_rows:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"rows: at most {settings.batch_max_rows} per batch"
        )
    results = checked_rows(raw)
    specs = [spec for spec, _ in results]
    problems = [list(found) for _, found in results]
    await _check_fonts(agents, specs, problems)
    if all(s is None for s in specs):
        raise _refuse_rows([(i + 1, p) for i, found in enumerate(problems) for p in found])

    secret = None
    if body.webhook_url is not None:
        try:
            await resolve_target(body.webhook_url, allow_private=settings.webhook_allow_private)
        except TargetRefused as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"webhook_url: {exc}") from None
        secret = new_secret()

    budget = usd_to_micros(body.budget_usd)
    batch = Batch(
        id=str(uuid.uuid4()),
        user_id=user.id,
        name=body.name.strip() if body.name else None,
        status="running",
        budget_micros=budget,
        reserved_micros=0,
        webhook_url=body.webhook_url,
        # Sealed at rest like a session's (gateway/webhooks/sealing.py); shown this once.
        webhook_secret=settings.webhook_keyring.seal(secret) if secret else None,
    )
    rows: list[BatchRow] = []
    out_of_budget: str | None = None
    for i, (spec, found) in enumerate(zip(specs, problems, strict=True), start=1):
        if spec is None:
            given = raw[i - 1] if isinstance(raw[i - 1], dict) else {}
            kept = {k: v for k, v in given.items() if isinstance(k, str) and k != "__extra__"}
            rows.append(
                BatchRow(
                    position=i,
                    spec=_storable(kept),
                    status="invalid",
                    problems=[p.model_dump() for p in found],
                    reason="; ".join(f"{p.column}: {p.message}" for p in found)[:1000],
                    quote_micros=0,
                )
            )
            continue
        price = quote(spec, settings).total_micros
        # The first row that does not fit stops every row after it: the budget ran out here.
        if out_of_budget is None and batch.reserved_micros + price > budget:
            left = budget - batch.reserved_micros
            out_of_budget = (
                f"budget: this row's quote is ${dollars(price):.2f} and ${dollars(left):.2f} of the "
                f"batch's ${dollars(budget):.2f} is left"
            )
        status_ = "not_run" if out_of_budget else "queued"
        if not out_of_budget:
            batch.reserved_micros += price
        rows.append(
            BatchRow(
                position=i,
                spec=spec.model_dump(mode="json"),
                status=status_,
                reason=out_of_budget,
                problems=[],
                quote_micros=price,
            )
        )
    if not any(r.status == "queued" for r in rows):
        first = next(r for r in rows if r.status == "not_run")
        raise HTTPException(
            status.HTTP_402_PAYMENT_REQUIRED,
            f"budget_usd: ${dollars(budget):.2f} does not cover one row "
            f"(row {first.position} is quoted ${dollars(first.quote_micros):.2f}; "
            "POST /api/quote prices one)",
        )
    db.add(batch)
    await db.flush()
    for r in rows:
        r.batch_id = batch.id
    db.add_all(rows)
    await db.commit()
    runner = getattr(request.app.state, "batch_runner", None)
    if runner is not None:
        runner.wake()
    view = await batch_view(db, batch, settings)
    return BatchCreated(**view.model_dump(), webhook_secret=secret)


def _storable(value: dict[str, Any]) -> dict[str, Any]:
    """An invalid row as given, cut to what JSONB can hold and a person can read back."""
    out: dict[str, Any] = {}
    for k, v in list(value.items())[:20]:
        text = v if isinstance(v, str | int | float | bool) or v is None else str(v)
        if isinstance(text, str):
            text = text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")[:500]
        out[k[:64].replace("\x00", "")] = text
    return out


async def owned_batch(db: AsyncSession, user_id: int, batch_id: str, *, lock: bool = False) -> Batch:
    batch = await db.get(Batch, batch_id, with_for_update=lock)
    if batch is None or batch.user_id != user_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"batch {batch_id} not found")
    return batch


def zip_token(settings: Settings, user_id: int, batch_id: str) -> str:
    now = int(datetime.now(UTC).timestamp())
    claims = {"sub": str(user_id), "bid": batch_id, "typ": ZIP_TOKEN, "exp": now + settings.media_token_ttl_s}
    return jwt.encode(claims, settings.jwt_key, ALGORITHM)


async def batch_view(db: AsyncSession, batch: Batch, settings: Settings) -> BatchView:
    rows = list(
        (
            await db.execute(
                select(BatchRow).where(BatchRow.batch_id == batch.id).order_by(BatchRow.position)
            )
        ).scalars()
    )
    ids = [r.session_id for r in rows if r.session_id]
    sessions = (
        {s.id: s for s in (await db.execute(select(Session).where(Session.id.in_(ids)))).scalars()}
        if ids
        else {}
    )
    views: list[BatchRowView] = []
    any_final = False
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
        s = sessions.get(r.session_id or "")
        finals: list[FinalVideo] = []
        if s is not None and r.status == "complete":
            links = MediaLinks(settings, s.id)
            finals = [final_view(a, links) for a in await finals_of(db, s)]
            any_final = any_final or bool(finals)
        live_cost = s.total_cost_micros if s is not None and r.status == "running" else r.cost_micros
        views.append(
            BatchRowView(
                row=r.position,
                status=r.status,  # type: ignore[arg-type]
                reason=r.reason,
                problems=[RowProblem.model_validate(p) for p in r.problems],
                product=_text(r.spec.get("product")),
                name=_text(r.spec.get("name")),
                session_id=r.session_id,
                stage=s.stage if s is not None else None,
                progress=100
                if r.status == "complete"
                else overall_progress(s.stage, s.progress, s.failed_stage)
                if s is not None
                else 0,
                message=stage_message(s.stage, s.error)
                if s is not None and r.status not in TERMINAL
                else None,
                quote=dollars(r.quote_micros),
                cost=dollars(live_cost),
                final_videos=finals,
            )
        )
    total = sum(round(v.cost * 1_000_000) for v in views)
    return BatchView(
        id=batch.id,
        name=batch.name,
        status=batch.status,  # type: ignore[arg-type]
        budget=dollars(batch.budget_micros),
        reserved=dollars(batch.reserved_micros),
        total_cost=dollars(total),
        counts=counts,
        rows=views,
        created_at=batch.created_at,
        finished_at=batch.finished_at,
        zip_url=(
            f"/api/batches/{batch.id}/finals.zip?token={zip_token(settings, batch.user_id, batch.id)}"
            if any_final
            else None
        ),
        webhook_url=batch.webhook_url,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@router.get("/api/batches")
async def list_batches(user: CurrentUser, db: SessionDep) -> list[BatchSummary]:
    """My batches, newest first."""
    batches = list(
        (
            await db.execute(
                select(Batch).where(Batch.user_id == user.id).order_by(Batch.created_at.desc()).limit(100)
            )
        ).scalars()
    )
    stats = await db.execute(
        select(BatchRow.batch_id, BatchRow.status, func.count(), func.sum(BatchRow.cost_micros))
        .where(BatchRow.batch_id.in_([b.id for b in batches]))
        .group_by(BatchRow.batch_id, BatchRow.status)
    )
    counts: dict[str, dict[str, int]] = {}
    costs: dict[str, int] = {}
    for batch_id, row_status, n, cost in stats.all():
        counts.setdefault(batch_id, {})[row_status] = int(n)
        costs[batch_id] = costs.get(batch_id, 0) + int(cost or 0)
    return [
        BatchSummary(
            id=b.id,
            name=b.name,
            status=b.status,
            rows=sum(counts.get(b.id, {}).values()),
            counts=counts.get(b.id, {}),
            budget=dollars(b.budget_micros),
            total_cost=dollars(costs.get(b.id, 0)),
            created_at=b.created_at,
            finished_at=b.finished_at,
        )
        for b in batches
    ]


@router.get("/api/batches/{batch_id}", responses=NOT_FOUND)
async def get_batch(
    batch_id: uuid.UUID, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> BatchView:
    """The batch with every row's status, progress, cost and finals."""
    return await batch_view(db, await owned_batch(db, user.id, str(batch_id)), settings)


@router.post("/api/batches/{batch_id}/cancel", responses={**NOT_FOUND, 409: {"description": "already ended"}})
async def cancel_batch(
    batch_id: uuid.UUID, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> BatchView:
    """Rows not started stop as `not_run: cancelled`; a running row ends after its current stage."""
    batch = await owned_batch(db, user.id, str(batch_id), lock=True)
    if batch.status != "running":
        raise HTTPException(status.HTTP_409_CONFLICT, f"the batch is {batch.status} already")
    batch.status = "cancelled"
    now = datetime.now(UTC)
    queued = await db.execute(
        select(BatchRow).where(BatchRow.batch_id == batch.id, BatchRow.status == "queued").with_for_update()
    )
    for r in queued.scalars():
        r.status, r.reason, r.finished_at = "not_run", "cancelled", now
    batch.finished_at = now
    await db.commit()
    return await batch_view(db, batch, settings)


def _zip_name(position: int, a: Asset) -> str:
    overlay = (a.meta.get("settings") or {}).get("overlay") or {}
    label = a.meta.get("label") or ""
    name = download_name(overlay.get("product_name") or "ad", label if label != "16:9" else "")
    return f"{position:03d}-{name}"


class _Chunks(io.RawIOBase):
    """Where zipfile writes: collected and handed out as they come (a stream, never the whole ZIP)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.parts.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        out, self.parts = b"".join(self.parts), []
        return out


@router.get(
    "/api/batches/{batch_id}/finals.zip",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}, 401: {}, **NOT_FOUND},
)
async def batch_finals_zip(
    batch_id: uuid.UUID,
    db: SessionDep,
    settings: SettingsDep,
    store: StoreDep,
    token: Annotated[str, Query(max_length=2048)],
) -> StreamingResponse:
    """Every complete row's finals (all formats), named by row and product. Opened with the signed
    link in the batch's `zip_url` (a download link cannot send a header)."""
    try:
        claims = jwt.decode(token, settings.jwt_key, algorithms=[ALGORITHM], options={"require": ["exp"]})
    except jwt.PyJWTError:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or expired token") from None
    if claims.get("typ") != ZIP_TOKEN or claims.get("bid") != str(batch_id):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid or expired token")
    batch = await owned_batch(db, int(str(claims.get("sub", "0"))), str(batch_id))
    rows = (
        await db.execute(
            select(BatchRow)
            .where(BatchRow.batch_id == batch.id, BatchRow.status == "complete")
            .order_by(BatchRow.position)
        )
    ).scalars()
    files: list[tuple[str, str]] = []
    for r in rows:
        s = await db.get(Session, r.session_id) if r.session_id else None
        if s is not None:
            files += [(_zip_name(r.position, a), key_from_uri(a.uri)) for a in await finals_of(db, s)]
    if not files:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "the batch has no finals yet")

    async def stream() -> AsyncIterator[bytes]:
        sink = _Chunks()
        # MP4s are compressed already: stored as they are, so the ZIP costs no CPU.
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, key in files:
                async with store.local_path(key) as path:
                    with path.open("rb") as src, archive.open(name, "w", force_zip64=True) as dst:
                        while chunk := await asyncio.to_thread(src.read, CHUNK):
                            dst.write(chunk)
                            yield sink.take()
                yield sink.take()
        yield sink.take()

    title = re.sub(r"[^\w.-]+", "-", batch.name or "adreel-batch").strip("-")[:60] or "adreel-batch"
    return StreamingResponse(
        stream(),
        media_type="application/zip",
        headers={"content-disposition": f'attachment; filename="{title}-finals.zip"'},
    )
