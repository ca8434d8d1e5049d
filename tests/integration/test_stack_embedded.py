"""The embedded servers `make run` uses when no URL is configured: real PostgreSQL and NATS JetStream."""

from __future__ import annotations

import time
from pathlib import Path

import asyncpg
import nats
import psutil

from stack.embedded import EmbeddedNats, EmbeddedPostgres


def stopped(pid: int) -> bool:
    """Gone, or a zombie waiting for this test process to reap it (it was our child)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


async def test_embedded_postgres_starts_fast_answers_sql_and_stops(tmp_path: Path) -> None:
    pg = EmbeddedPostgres(tmp_path / "pg")
    start = time.monotonic()
    url = pg.start()
    started_s = time.monotonic() - start
    pid = pg.pid
    try:
        assert url.startswith("postgresql://") and "/adreel" in url
        assert started_s < 10, f"initdb + start took {started_s:.1f} s"
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT current_database()") == "adreel"
            await conn.execute("CREATE TABLE t (n int)")
            await conn.execute("INSERT INTO t SELECT generate_series(1, 10)")
            assert await conn.fetchval("SELECT sum(n) FROM t") == 55
        finally:
            await conn.close()
    finally:
        pg.stop()
    assert pid is not None and stopped(pid)

    # A second start reuses the data folder (and the database already there).
    url = pg.start()
    try:
        conn = await asyncpg.connect(url)
        assert await conn.fetchval("SELECT count(*) FROM t") == 10
        await conn.close()
    finally:
        pg.stop()


async def test_embedded_nats_has_jetstream_and_stops(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "nats")
    url = await server.start()
    assert server.process is not None
    pid = server.process.pid
    try:
        client = await nats.connect(url)
        js = client.jetstream()
        await js.add_stream(name="COSTS", subjects=["adreel.cost.>"])
        first = await js.publish("adreel.cost.s1", b"1", headers={"Nats-Msg-Id": "row-1"})
        again = await js.publish("adreel.cost.s1", b"1", headers={"Nats-Msg-Id": "row-1"})
        assert first.seq == 1 and again.duplicate  # JetStream dedupe by message id: the ledger relies on it
        await client.close()
    finally:
        await server.stop()
    assert stopped(pid)
    assert any((tmp_path / "nats").rglob("*")), "JetStream wrote no store"
