"""The gateway's side of cost events (the rest lives in services/common/costs): the outbox row
written in the caller's transaction, the relay that publishes pending rows to NATS JetStream for the
ledger (services/ledger), and budget alerts back onto the WebSocket.

Every agent call (paid or free, success or failure) is one event. Its id is a uuid5 of (session,
agent, item, attempt), so the same call always has the same id: JetStream drops a republished
event in its duplicate window (Nats-Msg-Id) and the ledger's upsert by event_id drops it after that.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import PubAck
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adreel.v1 import common_pb2
from gateway.background import cancel_and_wait
from gateway.core.config import Settings
from gateway.db.models import CostOutbox, Session
from gateway.progress import ProgressHub
from gateway.responses import dollars
from services.common.costs.book import book_events
from services.common.costs.contract import (
    CostEvent,
    alert_subject,
    cost_subject,
    event_id_for,
    stream_config,
)
from services.common.nats_conn import connect_nats, ensure_stream

log = logging.getLogger(__name__)

# NOTIFYed in the writing transaction (delivered at commit), so the relay wakes at once.
OUTBOX_CHANNEL = "adreel_cost_outbox"
# Where the app's sessionmaker keeps its CostBooking (SQLAlchemy's per-session `info` dict).
BOOKING_KEY = "adreel.cost_booking"


@dataclass(frozen=True)
class CostBooking:
    """How record_cost books: via the outbox and NATS (default), or inline when there is no bus.

    Inline, the gateway runs the ledger's own booking (services.common.costs.book) in the caller's
    transaction, so one piece of code writes generation_costs whichever way an event travels.
    """

    inline: bool = False
    alert_ratio: float = 0.8


async def record_cost(
    db: AsyncSession,
    *,
    session_id: str,
    agent: str,
    item_id: str | None,
    cost: common_pb2.Cost,
    success: bool = True,
    error: str | None = None,
) -> None:
    """Add the call's cost event to the caller's transaction (which holds the session row lock)."""
    booking: CostBooking = db.info.get(BOOKING_KEY) or CostBooking()
    same_item = CostOutbox.item_id.is_(None) if item_id is None else CostOutbox.item_id == item_id
    # Serialised by the session row lock: the n-th event of this (agent, item) is attempt n.
    attempt = await db.scalar(
        select(func.count())
        .select_from(CostOutbox)
        .where(CostOutbox.session_id == session_id, CostOutbox.agent_name == agent, same_item)
    )
    session = await db.get(Session, session_id)  # already loaded (and locked) by the caller
    budget = session.budget_micros if session is not None else 0
    now = datetime.now(UTC)
    cost_event = CostEvent(
        event_id=event_id_for(session_id, agent, item_id, attempt or 0),
        session_id=session_id,
        agent=agent,
        item_id=item_id,
        provider=cost.provider or "unknown",
        model=cost.model or "unknown",
        usd_micros=int(cost.usd_micros),
        seconds=round(cost.seconds, 3),
        success=success,
        error=error[:500] if error else None,
        at=now,
        budget_micros=budget,
        alert_micros=int(Decimal(budget) * Decimal(str(booking.alert_ratio))),
    )
    event: dict[str, Any] = cost_event.model_dump(mode="json")
    db.add(
        CostOutbox(
            event_id=event["event_id"],
            session_id=session_id,
            agent_name=agent,
            item_id=item_id,
            attempt=attempt or 0,
            payload=event,
            sent_at=now if booking.inline else None,
        )
    )
    if booking.inline:
        # The count above began the transaction: the raw connection writes inside it.
        connection = await (await db.connection()).get_raw_connection()
        await book_events(connection.driver_connection, [cost_event])
    else:
        await db.execute(text(f"NOTIFY {OUTBOX_CHANNEL}"))


class CostRelay:
    """Publishes pending outbox rows to JetStream, marking them sent only after the ack, and turns
    budget alerts into WebSocket warnings.

    Runs beside the requests, never in their way: with NATS down or slow the rows simply wait and
    the relay retries with backoff. Several gateways can relay at once (FOR UPDATE SKIP LOCKED).
    """

    def __init__(self, settings: Settings, db: async_sessionmaker[AsyncSession], hub: ProgressHub) -> None:
        self.settings = settings
        self.db = db
        self.hub = hub
        self.nc: NATS | None = None
        self._listener: asyncpg.Connection | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.published = 0
        # Set once NATS answered and the stream exists (benchmarks and tests wait for it).
        self.ready = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="cost-relay")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        if self.nc is not None:
            with contextlib.suppress(Exception):
                await self.nc.close()
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.close()

    async def _run(self) -> None:
        delay = 0.2
        while True:
            try:
                await self._connect()
                sent = await self.relay_once()
                delay = 0.2
                if sent < self.settings.outbox_batch:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.settings.outbox_poll_s)
                    self._wake.clear()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("cost relay waiting", extra={"error": repr(exc), "retry_in_s": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.outbox_backoff_max_s)

    async def _connect(self) -> None:
        s = self.settings
        if self._listener is None or self._listener.is_closed():
            dsn = s.async_database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
            self._listener = await asyncpg.connect(dsn)
            await self._listener.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
        if self.nc is None:
            assert s.nats_url
            nc = await connect_nats(
                s.nats_url,
                "adreel-gateway",
                on_disconnected=self._disconnected,
                on_reconnected=self._reconnected,
            )
            try:
                await ensure_stream(nc, stream_config(s.nats_stream, s.nats_subject_prefix))
                await nc.subscribe(alert_subject(s.nats_subject_prefix), cb=self._on_alert)
            except Exception:
                await nc.close()
                raise
            self.nc = nc
            self.ready.set()
            log.info("cost relay connected", extra={"nats": s.nats_url, "stream": s.nats_stream})

    async def _disconnected(self) -> None:
        log.warning("cost relay lost NATS; cost events wait in the outbox")

    async def _reconnected(self) -> None:
        self._wake.set()

    async def relay_once(self) -> int:
        """Publish one batch of pending rows; returns how many JetStream acknowledged."""
        assert self.nc is not None
        s = self.settings
        if not self.nc.is_connected:
            raise ConnectionError("NATS is not connected")
        js = self.nc.jetstream()
        async with self.db.begin() as db:
            rows = (
                await db.execute(
                    select(CostOutbox.id, CostOutbox.event_id, CostOutbox.session_id, CostOutbox.payload)
                    .where(CostOutbox.sent_at.is_(None))
                    .order_by(CostOutbox.id)
                    .limit(s.outbox_batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            futures = [
                await js.publish_async(
                    cost_subject(s.nats_subject_prefix, r.session_id),
                    json.dumps(r.payload, separators=(",", ":")).encode(),
                    headers={"Nats-Msg-Id": r.event_id},
                )
                for r in rows
            ]
            await asyncio.wait(futures, timeout=s.outbox_publish_timeout_s)
            acked = [r.id for r, f in zip(rows, futures, strict=True) if _acked(f)]
            missed = [r.id for r, f in zip(rows, futures, strict=True) if not _acked(f)]
            for f in futures:
                f.cancel()
            if acked:
                await db.execute(
                    update(CostOutbox).where(CostOutbox.id.in_(acked)).values(sent_at=func.now())
                )
            if missed:
                await db.execute(
                    update(CostOutbox)
                    .where(CostOutbox.id.in_(missed))
                    .values(publish_attempts=CostOutbox.publish_attempts + 1)
                )
        self.published += len(acked)
        if missed:
            raise TimeoutError(f"{len(missed)} of {len(rows)} cost events not acknowledged by JetStream")
        return len(acked)

    async def _on_alert(self, msg: Msg) -> None:
        try:
            alert = json.loads(msg.data)
            session_id = str(alert["session_id"])
            spent, budget = int(alert["spent_micros"]), int(alert["budget_micros"])
        except (ValueError, KeyError, TypeError):
            log.warning("malformed budget alert", extra={"subject": msg.subject})
            return
        latest = self.hub.latest(session_id)
        if latest is not None:
            stage, session_stage, progress = latest.stage, latest.session_stage, latest.progress
        else:
            async with self.db() as db:
                row = await db.get(Session, session_id)
            if row is None:
                return
            stage, session_stage, progress = row.stage, row.stage, row.progress
        share = round(100 * spent / budget) if budget else 100
        spent_usd, budget_usd = dollars(spent), dollars(budget)
        message = f"Budget warning: ${spent_usd:.2f} of the ${budget_usd:.2f} budget spent ({share}%)"
        # Keeps the stage and progress as they are; clients show the message beside the cost tracker.
        self.hub.publish(
            session_id,
            type="warning",
            stage=stage,
            session_stage=session_stage,
            progress=progress,
            message=message,
            current_cost=dollars(spent),
            data={
                "warning": {
                    "kind": "budget",
                    "spent": dollars(spent),
                    "budget": dollars(budget),
                    "threshold": dollars(int(alert.get("threshold_micros", 0))),
                }
            },
        )


def _acked(future: asyncio.Future[PubAck]) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None
