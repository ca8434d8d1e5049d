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
from nats.js.errors import BadRequestError
from pydantic import ValidationError

from services.common.cost_events import BudgetAlert, CostEvent, stream_config
from services.ledger.book import CostBook
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
        self._closing = False

    @property
    def connected(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def connect(self) -> None:
        """Connect (reconnecting forever afterwards), make sure of the stream and the consumer."""
        s = self.settings
        if self.nc is None:
            self.nc = await nats.connect(
                s.nats_url,
                name="adreel-ledger",
                connect_timeout=2,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                error_cb=_quiet,
                disconnected_cb=self._disconnected,
                reconnected_cb=_reconnected,
            )
            self.js = self.nc.jetstream()
        assert self.js is not None
        if self.sub is None:
            config = stream_config(s.nats_stream, s.nats_subject_prefix)
            try:
                await self.js.add_stream(config)
            except BadRequestError:
                await self.js.update_stream(config)
            self.sub = await self.js.pull_subscribe(
                f"{s.nats_subject_prefix}.cost.>",
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

    async def _disconnected(self) -> None:
        if not self._closing:
            log.warning("lost NATS; reconnecting")

    async def close(self) -> None:
        self._closing = True
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
                f"{self.settings.nats_subject_prefix}.alert.budget.{alert.session_id}",
                json.dumps(alert.model_dump(mode="json")).encode(),
                headers={"Nats-Msg-Id": alert.msg_id},
                timeout=5,
            )


async def _quiet(exc: Exception) -> None:
    log.debug("nats client error", extra={"error": repr(exc)})


async def _reconnected() -> None:
    log.info("reconnected to NATS")
