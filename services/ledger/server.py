"""The ledger process: warmup connects PostgreSQL and NATS and starts the consumer; the monitor keeps
grpc.health.v1 SERVING only while both connections are up."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from services.common.costs.book import CostBook
from services.common.server import Agent, Report
from services.ledger.config import Settings
from services.ledger.consumer import CostConsumer

log = logging.getLogger(__name__)


class Ledger:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.book = CostBook(settings.dsn())
        self.consumer = CostConsumer(settings, self.book)
        self._run: asyncio.Task[None] | None = None

    async def warmup(self) -> None:
        """Raises until both PostgreSQL and NATS answer (the bootstrap retries with backoff)."""
        await self.book.open()
        if not await self.book.ping():
            raise ConnectionError("PostgreSQL does not answer")
        await self.consumer.connect()
        self.consumer.database_ok.set()
        if self._run is None:
            self._run = asyncio.create_task(self.consumer.run(), name="ledger-consumer")
            log.info(
                "consuming",
                extra={"stream": self.settings.nats_stream, "durable": self.settings.ledger_durable},
            )

    def healthy(self, database_ok: bool) -> bool:
        return database_ok and self.consumer.connected

    async def monitor(self, report: Report) -> None:
        serving = True  # warmup has just succeeded
        while True:
            await asyncio.sleep(self.settings.ledger_health_interval_s)
            database_ok = await self.book.ping()
            if database_ok:
                self.consumer.database_ok.set()
            else:
                self.consumer.database_ok.clear()
            if (now := self.healthy(database_ok)) != serving:
                serving = now
                await report(serving)

    def agent(self) -> Agent:
        return Agent(
            name="ledger",
            services=[],  # no RPCs of its own: health ("") is the whole interface
            register=lambda server: None,
            warmup=self.warmup,
            close=self.close,
            monitor=self.monitor,
        )

    async def close(self) -> None:
        if self._run is not None:
            self._run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._run
            self._run = None
        await self.consumer.close()
        await self.book.close()


def build(settings: Settings | None = None) -> tuple[Agent, Settings]:
    settings = settings or Settings()
    return Ledger(settings).agent(), settings
