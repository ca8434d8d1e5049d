"""Cost events from the outbox to ledger rows: throughput and end-to-end lag.

The gateway's real relay (gateway.cost_outbox.CostRelay) in this process, the real ledger
(`python -m services.ledger`) as a process of its own, real NATS JetStream and PostgreSQL.

1. Throughput: N events land in the outbox in one transaction (a burst, e.g. after a NATS outage);
   events/s = N / time until the last one is a generation_costs row. Goal: >= 2,000/s.
2. Lag: events written one transaction each, the way the orchestrator writes them (session row
   locked, record_cost), at a steady rate; lag = the ledger row's recorded_at minus the outbox
   row's created_at (one clock: PostgreSQL's). Reported as p50/p95/max.

`python -m bench.ledger [--events 20000] [--rate 300] [--seconds 5]`; uses DATABASE_URL or an
embedded PostgreSQL, NATS_URL or the machine's nats://127.0.0.1:4222 or an embedded nats-server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import grpc
import nats
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adreel.v1 import common_pb2
from gateway.core.config import Settings
from gateway.cost_outbox import BOOKING_KEY, CostBooking, CostRelay, record_cost
from gateway.db.engine import make_engine, make_sessionmaker
from gateway.db.models import Session
from gateway.progress import ProgressHub
from services.common.costs.contract import event_id_for
from stack.embedded import EmbeddedNats, free_port, nats_answers
from tests.gateway_support import plain_dsn, scratch_database

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def nats_server(tmp: Path) -> AsyncIterator[str]:
    url = os.environ.get("NATS_URL", "nats://127.0.0.1:4222")
    if nats_answers(url):
        yield url
        return
    server = EmbeddedNats(tmp / "nats")
    try:
        yield await server.start()
    finally:
        await server.stop()


@asynccontextmanager
async def ledger_process(env: dict[str, str], log: Path) -> AsyncIterator[None]:
    port = free_port()
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "services.ledger",
            cwd=ROOT,
            env={**os.environ, **env, "PORT": str(port), "ADREEL_LOG_LEVEL": "WARNING"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            for _ in range(300):
                try:
                    reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1)
                    if reply.status == health_pb2.HealthCheckResponse.SERVING:
                        break
                except grpc.aio.AioRpcError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise TimeoutError(f"the ledger never became SERVING; see {log}")
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 15)


async def new_sessions(conn: asyncpg.Connection, count: int) -> list[str]:
    uid = await conn.fetchval(
        "INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id",
        f"bench-{secrets.token_hex(4)}@example.com",
    )
    sids = [str(uuid.uuid4()) for _ in range(count)]
    await conn.executemany(
        "INSERT INTO sessions (id, user_id, budget_micros) VALUES ($1, $2, $3)",
        [(sid, uid, 10**12) for sid in sids],
    )
    return sids


async def wait_rows(conn: asyncpg.Connection, sids: list[str], count: int, timeout_s: float = 300) -> None:
    deadline = time.monotonic() + timeout_s
    while (
        await conn.fetchval("SELECT count(*) FROM generation_costs WHERE session_id = ANY($1)", sids) < count
    ):
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {count} ledger rows after {timeout_s} s")
        await asyncio.sleep(0.01)


async def burst(conn: asyncpg.Connection, sids: list[str], n: int, tag: str) -> float:
    """N outbox rows in one transaction; seconds until all N are ledger rows."""
    now = datetime.now(UTC)
    before = await conn.fetchval("SELECT count(*) FROM generation_costs WHERE session_id = ANY($1)", sids)
    rows = []
    for i in range(n):
        sid = sids[i % len(sids)]
        eid = event_id_for(sid, "image_gen", f"img_{tag}_{i}", 0)
        payload = {
            "event_id": eid,
            "session_id": sid,
            "agent": "image_gen",
            "item_id": f"img_{tag}_{i}",
            "provider": "local",
            "model": "bench/burst",
            "usd_micros": 1 + i % 1000,
            "seconds": 0.1,
            "success": True,
            "error": None,
            "at": now.isoformat(),
            "budget_micros": 10**12,
            "alert_micros": 0,
        }
        rows.append((eid, sid, "image_gen", f"img_{tag}_{i}", 0, json.dumps(payload)))
    async with conn.transaction():
        await conn.executemany(
            "INSERT INTO cost_outbox (event_id, session_id, agent_name, item_id, attempt, payload)"
            " VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
            rows,
        )
        await conn.execute("NOTIFY adreel_cost_outbox")
    started = time.perf_counter()
    await wait_rows(conn, sids, before + n)
    return time.perf_counter() - started


async def steady(db: async_sessionmaker[AsyncSession], sids: list[str], rate: float, seconds: float) -> int:
    """One transaction per event, like the orchestrator's; returns how many were written."""
    count = int(rate * seconds)
    started = time.perf_counter()
    for i in range(count):
        sid = sids[i % len(sids)]
        async with db.begin() as s:
            await s.get(Session, sid, with_for_update=True)
            cost = common_pb2.Cost(
                usd_micros=1 + i % 1000, provider="local", model="bench/steady", seconds=0.1
            )
            await record_cost(s, session_id=sid, agent="video_gen", item_id=f"clip_{i}", cost=cost)
        if (ahead := started + (i + 1) / rate - time.perf_counter()) > 0:
            await asyncio.sleep(ahead)
    return count


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def run(database_url: str, args: argparse.Namespace, tmp: Path) -> None:
    async with AsyncExitStack() as exits:
        url = await exits.enter_async_context(nats_server(tmp))
        tag = secrets.token_hex(4)
        stream, prefix = f"ADREEL_COSTS_B{tag.upper()}", f"adreel_b{tag}"
        env = {
            "DATABASE_URL": database_url,
            "NATS_URL": url,
            "ADREEL_NATS_STREAM": stream,
            "ADREEL_NATS_SUBJECT_PREFIX": prefix,
        }
        settings = Settings(
            database_url=database_url,
            nats_url=url,
            nats_stream=stream,
            nats_subject_prefix=prefix,
            state_dir=tmp / "state",
            outbox_poll_s=0.5,
        )
        engine = make_engine(settings.async_database_url)
        exits.push_async_callback(engine.dispose)
        db = make_sessionmaker(engine)
        db.configure(info={BOOKING_KEY: CostBooking(inline=False)})
        conn = await asyncpg.connect(plain_dsn(database_url))
        exits.push_async_callback(conn.close)
        sids = await new_sessions(conn, 50)

        relay = CostRelay(settings, db, ProgressHub())
        await relay.start()
        exits.push_async_callback(relay.stop)
        await exits.enter_async_context(ledger_process(env, tmp / "ledger.log"))
        nc = await nats.connect(url)
        exits.push_async_callback(nc.close)
        exits.push_async_callback(nc.jetstream().delete_stream, stream)
        await asyncio.wait_for(relay.ready.wait(), 30)

        await burst(conn, sids, 500, "warm")  # both ends warmed up (connections, caches)
        elapsed = await burst(conn, sids, args.events, "burst")
        rate = args.events / elapsed
        print(f"throughput: {args.events} events outbox -> ledger rows in {elapsed:.2f} s: {rate:,.0f}/s")
        print(f"  goal >= 2,000 events/s: {'met' if rate >= 2000 else 'NOT met'} ({rate / 2000:.1f}x)")

        written = await steady(db, sids, args.rate, args.seconds)
        await wait_rows(conn, sids, 500 + args.events + written)
        lags = [
            float(v)
            for v in await conn.fetch(
                "SELECT extract(epoch FROM g.recorded_at - o.created_at) * 1000 FROM cost_outbox o"
                " JOIN generation_costs g USING (event_id) WHERE o.agent_name = 'video_gen'"
                " AND o.session_id = ANY($1)",
                sids,
            )
            for v in v.values()
        ]
        print(
            f"lag at {args.rate:.0f} events/s ({written} events, one transaction each): "
            f"p50 {pct(lags, 50):.1f} ms, p95 {pct(lags, 95):.1f} ms, max {max(lags):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000, help="events in the burst")
    parser.add_argument("--rate", type=float, default=300.0, help="events/s in the lag phase")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of the lag phase")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="adreel-bench-ledger-") as tmp, scratch_database() as url:
        asyncio.run(run(url, args, Path(tmp)))


if __name__ == "__main__":
    main()
