"""Runs batches: each row one session, driven with automatic picks through the gateway's own API.

A batch is rows in PostgreSQL, and every step is taken from what the database says, so a gateway
restart loses nothing and runs nothing twice:

- a row's session is created in the transaction that records it on the row, so a row has at most
  one session; a restarted gateway resumes that session, never starts another;
- what to do next is read from the session's stage (images done: keep the first N and start the
  clips; clips done: keep them all and compose; failed: resume the failed stage, at most
  `batch_max_retries` times); an interrupted stage is resumed, and the agents' item-id replay means
  nothing is bought twice;
- a gateway drives a batch under a lease it renews; when it stops renewing (it died), another one
  takes the batch over once the lease lapses.

The budget was settled when the batch was accepted (gateway/api/routes/batches.py): only rows whose
whole quote fits are queued, the rest are `not_run: budget`; each session's own budget is its row's
quote, so no row can spend more than was reserved for it. When the user's daily spend runs out, the
row that met it and every row not yet started stop as `not_run`.

Per-ad (`ad.completed`, `ad.failed`) and per-batch (`batch.completed`) events go to the batch's
signed webhook through the same durable delivery log as the stage events (gateway/webhooks).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp

from gateway.ad_specs import AdSpec
from gateway.core.config import Settings
from gateway.db.models import Asset, Batch, BatchRow, Session
from gateway.responses import MediaLinks, dollars, final_view
from gateway.self_api import SelfApi
from gateway.stages import SessionStage
from gateway.webhooks.models import WebhookDelivery
from gateway.webhooks.sealing import Keyring
from gateway.webhooks.signing import new_message_id

log = logging.getLogger(__name__)

TERMINAL = frozenset({"invalid", "complete", "failed", "not_run"})
# A route answering 5xx (an agent down a moment) is asked again this many times, this far apart.
TRANSIENT_TRIES = 5
TRANSIENT_WAIT_S = 2.0
# The same move refused (409) this many times while the session stays put: the row fails with it.
STUCK_409S = 20


class RowStopped(Exception):
    """The row ends here; `status` is failed or not_run, the message says why."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def overall_progress(stage: str, progress: int, failed_stage: str | None = None) -> int:
    """A session's place in the whole ad, 0-100: images 0-50, clips 50-90, the final 90-100."""
    spans = {
        "image_generation": (0, 50),
        "clip_generation": (50, 90),
        "final_composition": (90, 100),
    }
    fixed = {"created": 0, "image_selection": 50, "clip_selection": 90, "complete": 100}
    if stage in fixed:
        return fixed[stage]
    lo, hi = spans.get(failed_stage or stage, (0, 0)) if stage == "failed" else spans.get(stage, (0, 0))
    return lo + (hi - lo) * max(0, min(progress, 100)) // 100


STAGE_WORDS = {
    "created": "Queued",
    "image_generation": "Generating images...",
    "image_selection": "Images ready",
    "clip_generation": "Generating clips...",
    "clip_selection": "Clips ready",
    "final_composition": "Composing the final video...",
    "complete": "Your video is ready!",
}


def stage_message(stage: str, error: str | None) -> str:
    """What a row is doing, in words (the session's own message is set at a stage's start and end)."""
    return (error or "The stage failed") if stage == "failed" else STAGE_WORDS.get(stage, stage)


def _event_body(event_type: str, data: dict[str, Any]) -> str:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return json.dumps({"type": event_type, "timestamp": now, "data": data}, separators=(",", ":"))


def enqueue_batch_event(db: AsyncSession, batch: Batch, event_type: str, data: dict[str, Any]) -> None:
    """Log the event for delivery with the caller's transaction (nothing when there is no webhook)."""
    if not batch.webhook_url:
        return
    db.add(
        WebhookDelivery(
            id=new_message_id(),
            session_id=None,
            batch_id=batch.id,
            event_type=event_type,
            body=_event_body(event_type, {"batch_id": batch.id, **data}),
            status="pending",
            attempts=0,
            attempt_log=[],
            next_attempt_at=datetime.now(UTC),
        )
    )


async def finals_of(db: AsyncSession, session: Session) -> list[Asset]:
    """The finals of the session's latest compose (its formats), the primary first."""
    if not session.final_video_id:
        return []
    rows = await db.execute(
        select(Asset).where(
            Asset.session_id == session.id,
            Asset.asset_type == "final_video",
            Asset.id.startswith(session.final_video_id),
        )
    )
    return sorted(rows.scalars(), key=lambda a: a.meta.get("order", 0))


async def reseal_batch_secrets(db: async_sessionmaker[AsyncSession], keyring: Keyring) -> int:
    """As gateway/webhooks/sealing.py reseal_all does for sessions: every running batch's secret
    sealed under the newest key, so an old key can be dropped."""
    async with db.begin() as s:
        rows = await s.execute(
            select(Batch)
            .where(Batch.webhook_secret.is_not(None), Batch.status == "running")
            .with_for_update(skip_locked=True)
        )
        count = keyring.reseal(rows.scalars())
    return count


class BatchRunner:
    def __init__(self, settings: Settings, db: async_sessionmaker[AsyncSession], app: ASGIApp) -> None:
        self.settings = settings
        self.db = db
        self.app = app
        self.owner = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._driving: dict[str, asyncio.Task[None]] = {}
        self._scripts: dict[str, str] = {}  # session -> its "auto" voiceover script

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._loop(), name="batch-runner")

    def wake(self) -> None:
        """A batch was accepted: look for work now rather than at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop driving (the rows' stages are the orchestrator's); the leases lapse for the next gateway."""
        tasks = [t for t in (self._loop_task, *self._driving.values()) if t is not None]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            async with self.db.begin() as db:
                await db.execute(
                    update(Batch)
                    .where(Batch.lease_owner == self.owner)
                    .values(lease_owner=None, lease_until=None)
                )

    async def _loop(self) -> None:
        while True:
            try:
                await self._claim()
            except Exception:
                log.exception("batch claim pass failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.batch_lease_s / 3)

    async def _claim(self) -> None:
        """Renew the leases of the batches driven here and take the running ones nobody holds."""
        now = datetime.now(UTC)
        until = now + timedelta(seconds=self.settings.batch_lease_s)
        async with self.db.begin() as db:
            rows = await db.execute(
                select(Batch)
                .where(
                    Batch.status == "running",
                    (Batch.lease_owner == self.owner)
                    | Batch.lease_until.is_(None)
                    | (Batch.lease_until < now),
                )
                .order_by(Batch.created_at)
                .limit(50)
                .with_for_update(skip_locked=True)
            )
            claimed = [b.id for b in rows.scalars()]
            if claimed:
                await db.execute(
                    update(Batch)
                    .where(Batch.id.in_(claimed))
                    .values(lease_owner=self.owner, lease_until=until)
                )
        for batch_id in claimed:
            if batch_id not in self._driving or self._driving[batch_id].done():
                self._driving[batch_id] = asyncio.create_task(self._drive(batch_id), name=f"batch:{batch_id}")

    # ------------------------------------------------------------ one batch

    async def _drive(self, batch_id: str) -> None:
        try:
            async with self.db() as db:
                batch = await db.get(Batch, batch_id)
                rows = (
                    await db.execute(
                        select(BatchRow)
                        .where(BatchRow.batch_id == batch_id, BatchRow.status.in_(("queued", "running")))
                        .order_by(BatchRow.position)
                    )
                ).scalars()
                pending = [r.position for r in rows]
            if batch is None:
                return
            api = SelfApi(self.app, self.settings.jwt_key, batch.user_id)
            slots = asyncio.Semaphore(self.settings.batch_parallel_rows)
            stop: list[str] = []  # set once: why every row not yet started stops
            try:
                async with asyncio.TaskGroup() as tg:
                    for position in pending:
                        tg.create_task(self._row(api, batch_id, position, slots, stop))
            finally:
                await api.aclose()
            await self._finish_batch(batch_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("batch driver crashed", extra={"batch_id": batch_id})
        finally:
            self._driving.pop(batch_id, None)

    async def _finish_batch(self, batch_id: str) -> None:
        async with self.db.begin() as db:
            batch = await db.get(Batch, batch_id, with_for_update=True)
            if batch is None or batch.status != "running":
                return
            rows = list(
                (
                    await db.execute(
                        select(BatchRow).where(BatchRow.batch_id == batch_id).order_by(BatchRow.position)
                    )
                ).scalars()
            )
            if any(r.status not in TERMINAL for r in rows):
                return  # a row is still being driven (by a lease lost and taken again)
            batch.status, batch.finished_at = "complete", datetime.now(UTC)
            batch.lease_owner = batch.lease_until = None
            counts: dict[str, int] = {}
            for r in rows:
                counts[r.status] = counts.get(r.status, 0) + 1
            enqueue_batch_event(
                db,
                batch,
                "batch.completed",
                {
                    "status": "complete",
                    "counts": counts,
                    "total_cost": dollars(sum(r.cost_micros for r in rows)),
                    "budget": dollars(batch.budget_micros),
                    "rows": [
                        {
                            "row": r.position,
                            "status": r.status,
                            "reason": r.reason,
                            "session_id": r.session_id,
                        }
                        for r in rows
                    ],
                },
            )
        log.info("batch complete", extra={"batch_id": batch_id})

    # ------------------------------------------------------------ one row

    async def _row(
        self, api: SelfApi, batch_id: str, position: int, slots: asyncio.Semaphore, stop: list[str]
    ) -> None:
        async with slots:
            try:
                if stop:
                    raise RowStopped("not_run", stop[0])
                session_id = await self._session_of(batch_id, position)
                await self._advance(api, batch_id, position, session_id)
                await self._end_row(batch_id, position, "complete", None)
            except RowStopped as stopped:
                # The user's spend for today is used up: no later row can start either.
                if stopped.reason.startswith("daily spend") and not stop:
                    stop.append(stopped.reason)
                await self._end_row(batch_id, position, stopped.status, stopped.reason)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.exception("batch row crashed", extra={"batch_id": batch_id, "row": position})
                await self._end_row(
                    batch_id, position, "failed", f"internal error in the gateway ({type(exc).__name__})"
                )

    async def _session_of(self, batch_id: str, position: int) -> str:
        """The row's session: created with the row's move to running (one transaction), or its own."""
        async with self.db.begin() as db:
            row = await db.get(BatchRow, (batch_id, position), with_for_update=True)
            batch = await db.get(Batch, batch_id)
            if row is None or batch is None:
                raise RowStopped("failed", "the batch no longer exists")
            if batch.status == "cancelled":
                raise RowStopped("not_run", "cancelled")
            if row.session_id is not None:
                return row.session_id
            if row.status != "queued":
                raise RowStopped("failed", "its session was deleted")
            spec = AdSpec.model_validate(row.spec)
            session = Session(
                id=str(uuid.uuid4()),
                user_id=batch.user_id,
                stage=SessionStage.CREATED.value,
                title=f"{spec.product_name} (batch row {position})"[:100],
                budget_micros=row.quote_micros,
                total_cost_micros=0,
                progress=0,
            )
            db.add(session)
            await db.flush()
            row.session_id, row.status, row.started_at = session.id, "running", datetime.now(UTC)
            return session.id

    async def _advance(self, api: SelfApi, batch_id: str, position: int, session_id: str) -> None:
        """Take the session from wherever it is to a complete final (or RowStopped)."""
        async with self.db() as db:
            row = await db.get(BatchRow, (batch_id, position))
        assert row is not None
        spec = AdSpec.model_validate(row.spec)
        refused: list[str] = []  # 409s in a row while the session stayed where it was
        last_stage = ""
        while True:
            session, batch_status = await self._state(batch_id, session_id)
            if session is None:
                raise RowStopped("failed", "its session was deleted")
            stage = session.stage
            if stage != last_stage:
                refused.clear()
                last_stage = stage
            elif len(refused) >= STUCK_409S:
                raise RowStopped("failed", refused[-1])
            if stage == SessionStage.COMPLETE and session.final_video_id:
                return
            if batch_status == "cancelled" and stage not in (s.value for s in _RUNNING):
                raise RowStopped("failed" if session.total_cost_micros else "not_run", "cancelled")
            if stage in (s.value for s in _RUNNING):
                await asyncio.sleep(self.settings.batch_poll_s)
            elif stage == SessionStage.FAILED:
                await self._resume(api, batch_id, position, session, refused)
            elif stage == SessionStage.CREATED:
                body = {"session_id": session_id, "product_prompt": spec.product, "num_images": spec.images}
                await self._move(api, "/api/generate-images", body, session, refused)
            elif stage == SessionStage.IMAGE_SELECTION:
                picked = list(session.generated_image_ids)[: spec.clip_count]
                if len(picked) < 2:
                    raise RowStopped("failed", f"only {len(picked)} image(s) made; an ad needs 2")
                if list(session.approved_image_ids) != picked:
                    body = {"session_id": session_id, "approved_image_ids": picked}
                    await self._move(api, "/api/save-approved-images", body, session, refused)
                body = {
                    "session_id": session_id,
                    "video_prompt": spec.scene,
                    "clip_duration": spec.clip_duration,
                    "video_model": spec.video_model,
                }
                await self._move(api, "/api/generate-clips", body, session, refused)
            elif stage in (SessionStage.CLIP_SELECTION, SessionStage.COMPLETE):
                clips = list(session.generated_clip_ids)
                if list(session.clip_order) != clips:
                    body = {"session_id": session_id, "approved_clip_ids": clips, "clip_order": clips}
                    await self._move(api, "/api/save-approved-clips", body, session, refused)
                script = await self._script(api, session_id, spec)
                await self._move(
                    api, "/api/compose-final-video", _compose_body(session_id, spec, script), session, refused
                )

    async def _script(self, api: SelfApi, session_id: str, spec: AdSpec) -> str | None:
        """The voiceover's script: the row's own, or one the prompt parser writes to fit ("auto"),
        asked once per session in this process."""
        if spec.voiceover != "auto":
            return spec.voiceover
        if session_id not in self._scripts:
            body = {"product_name": spec.product_name, "cta": spec.cta}
            reply = await api.call("POST", f"/api/sessions/{session_id}/voiceover-script", body)
            if not reply.ok:
                raise RowStopped("failed", f"voiceover: {reply.detail}")
            self._scripts[session_id] = str(reply.body["script"])
        return self._scripts[session_id]

    async def _state(self, batch_id: str, session_id: str) -> tuple[Session | None, str]:
        async with self.db() as db:
            session = await db.get(Session, session_id)
            batch = await db.get(Batch, batch_id)
        if session is not None and session.deleted_at is not None:
            session = None
        return session, batch.status if batch else "cancelled"

    async def _resume(
        self, api: SelfApi, batch_id: str, position: int, session: Session, refused: list[str]
    ) -> None:
        async with self.db.begin() as db:
            row = await db.get(BatchRow, (batch_id, position), with_for_update=True)
            assert row is not None
            if row.retries >= self.settings.batch_max_retries:
                raise RowStopped("failed", session.error or "the stage failed")
            row.retries += 1
        log.info("batch row resumes its failed stage", extra={"batch_id": batch_id, "row": position})
        await self._move(api, f"/api/sessions/{session.id}/retry", None, session, refused)

    async def _move(
        self, api: SelfApi, path: str, body: dict[str, Any] | None, session: Session, refused: list[str]
    ) -> None:
        """One move through the API. Waits out 429s (quotas, rate limits) and short outages; a 409
        means the session moved meanwhile (it is read again, and a move refused again and again
        ends the row); anything else refused ends the row."""
        for _ in range(TRANSIENT_TRIES):
            reply = await api.call("POST", path, body)
            if reply.ok:
                return
            if reply.status == 409:
                refused.append(reply.detail)
                await asyncio.sleep(self.settings.batch_poll_s)
                return
            if reply.status == 429:
                await asyncio.sleep(reply.retry_after_s or 2.0)
                continue
            if reply.status == 402:
                started = bool(session.total_cost_micros) or session.stage != SessionStage.CREATED
                status = "failed" if started else "not_run"
                raise RowStopped(status, reply.detail)
            if reply.status >= 500:
                await asyncio.sleep(TRANSIENT_WAIT_S)
                continue
            raise RowStopped("failed", reply.detail)
        raise RowStopped("failed", f"the gateway kept answering {reply.status}: {reply.detail}")

    async def _end_row(self, batch_id: str, position: int, status: str, reason: str | None) -> None:
        async with self.db.begin() as db:
            row = await db.get(BatchRow, (batch_id, position), with_for_update=True)
            batch = await db.get(Batch, batch_id)
            if row is None or batch is None or row.status in TERMINAL:
                return
            session = await db.get(Session, row.session_id) if row.session_id else None
            row.status, row.finished_at = status, datetime.now(UTC)
            row.reason = reason[:1000] if reason else None
            row.cost_micros = session.total_cost_micros if session is not None else 0
            if status == "not_run" and session is None:
                return
            data: dict[str, Any] = {
                "row": position,
                "session_id": row.session_id,
                "status": status,
                "total_cost": dollars(row.cost_micros),
            }
            if status == "complete" and session is not None:
                links = MediaLinks(self.settings, session.id)
                finals = await finals_of(db, session)
                data["final_videos"] = [final_view(a, links).model_dump(mode="json") for a in finals]
            else:
                data["error"] = reason
            event = "ad.completed" if status == "complete" else "ad.failed"
            enqueue_batch_event(db, batch, event, data)


_RUNNING: Sequence[SessionStage] = (
    SessionStage.IMAGE_GENERATION,
    SessionStage.CLIP_GENERATION,
    SessionStage.FINAL_COMPOSITION,
)


def _compose_body(session_id: str, spec: AdSpec, script: str | None) -> dict[str, Any]:
    overlay: dict[str, Any] = {"product_name": spec.product_name, "cta": spec.cta}
    if spec.brand_kit.font:
        overlay["font"] = spec.brand_kit.font
    if spec.brand_kit.color:
        overlay["color"] = spec.brand_kit.color
    music = spec.music != "none"
    return {
        "session_id": session_id,
        "text_overlay": overlay,
        "audio": {"enabled": music, "genre": spec.music if music else "upbeat"},
        "formats": list(spec.formats),
        "voiceover": {"enabled": script is not None, "script": script, "voice": spec.voice},
        "captions": {"style": spec.captions},
    }
