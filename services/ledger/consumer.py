"""The durable JetStream pull consumer: fetch a batch, book it in one transaction, then ack.

An event is acknowledged only after its row is committed, so a crash at any point means a
redelivery, never a loss; the upsert by event_id makes the redelivery harmless. While the database
is unreachable the consumer stops pulling, so redeliveries are not spent on an outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import nats
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext
from pydantic import ValidationError

from services.common.costs.book import CostBook
from services.common.costs.contract import (
    BudgetAlert,
    CostEvent,
    alert_subject,
    cost_subject,
    stream_config,
)
from services.common.nats_conn import connect_nats, ensure_stream
from services.ledger.config import Settings

log = logging.getLogger(__name__)


class CostConsumer:
    def __init__(self, settings: Settings, book: CostBook) -> None:
        self.settings = settings
        self.book = book
        self.nc: NATS | None = None
        self.js: JetStreamContext | None = None
        self.sub: JetStreamContext.PullSubscription | None = None
        # Cleared by the health monitor while the database is unreachable.
        self.database_ok = asyncio.Event()
        self.booked = 0

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def connect(self) -> None:
        """Connect (reconnecting forever afterwards), make sure of the stream and the consumer."""
        s = self.settings
        if self.nc is None:
            self.nc = await connect_nats(s.nats_url, "adreel-ledger")
            self.js = self.nc.jetstream()
        assert self.js is not None
        if self.sub is None:
            await ensure_stream(self.nc, stream_config(s.nats_stream, s.nats_subject_prefix))
            self.sub = await self.js.pull_subscribe(
                cost_subject(s.nats_subject_prefix, ">"),
                durable=s.ledger_durable,
                stream=s.nats_stream,
                config=ConsumerConfig(
                    durable_name=s.ledger_durable,
                    ack_policy=AckPolicy.EXPLICIT,
                    deliver_policy=DeliverPolicy.ALL,
                    ack_wait=s.ledger_ack_wait_s,
                    max_deliver=s.ledger_max_deliver,
                    max_ack_pending=max(1000, 4 * s.ledger_batch),
                ),
            )

    async def close(self) -> None:
        if self.nc is not None:
            with contextlib.suppress(Exception):
                await self.nc.close()
        self.nc = self.js = self.sub = None

    async def run(self) -> None:
        """Pull and book until cancelled."""
        s = self.settings
        while True:
            await self.database_ok.wait()
            if not self.connected or self.sub is None:
                await asyncio.sleep(0.2)
                continue
            try:
                msgs = await self.sub.fetch(s.ledger_batch, timeout=s.ledger_fetch_timeout_s)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            except nats.errors.Error as exc:
                log.warning("fetch failed", extra={"error": repr(exc)})
                await asyncio.sleep(0.5)
                continue
            await self.handle(msgs)

    async def handle(self, msgs: list[Msg]) -> None:
        events: list[CostEvent] = []
        valid: list[Msg] = []
        for msg in msgs:
            try:
                events.append(CostEvent.model_validate_json(msg.data))
                valid.append(msg)
            except ValidationError as exc:
                # Redelivering a malformed event can never succeed: drop it, loudly.
                log.error("malformed cost event dropped", extra={"subject": msg.subject, "error": str(exc)})
                await msg.term()
        if not events:
            return
        try:
            booked, alerts = await self.book.book(events, before_commit=self.publish_alerts)
        except Exception as exc:
            log.warning("booking failed; the batch will be delivered again", extra={"error": repr(exc)})
            for msg in valid:
                with contextlib.suppress(Exception):
                    await msg.nak(delay=1.0)
            return
        self.booked += booked
        for alert in alerts:
            log.info("budget alert", extra=alert.model_dump(mode="json"))
        await self.acknowledge(valid)

    async def acknowledge(self, msgs: list[Msg]) -> None:
        """Ack after the commit (a lost ack only means a redelivery the upsert ignores)."""
        for msg in msgs:
            await msg.ack()

    async def publish_alerts(self, alerts: list[BudgetAlert]) -> None:
        assert self.js is not None
        for alert in alerts:
            await self.js.publish(
                alert_subject(self.settings.nats_subject_prefix, alert.session_id),
                json.dumps(alert.model_dump(mode="json")).encode(),
                headers={"Nats-Msg-Id": alert.msg_id},
                timeout=5,
            )
