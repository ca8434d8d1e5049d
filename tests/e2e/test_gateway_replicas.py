"""Two gateway processes on loopback against one PostgreSQL, one NATS, one set of agents and the ledger.

A session is started through one gateway while sockets listen on both. The replica that took up the
clip stage is killed (kill -9, then in a second run SIGTERM): the other replica resumes the job from
its saved plan with no retry call, the surviving socket sees every event of the session in sequence
with no gap, and every item exists once, as one file, with one ledger row.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import websockets

from services.common.storage import key_from_uri
from services.ledger.server import Ledger
from stack.embedded import free_port
from stack.processes import AGENTS
from tests.agents import start_agents
from tests.gateway_support import gateway_database, plain_dsn, session_at, socket_url
from tests.integration.test_ledger import Bus, running_ledger

__all__ = ["gateway_database"]

ROOT = Path(__file__).resolve().parents[2]
ACK_WAIT_S = 3.0
pytestmark = pytest.mark.skipif(not os.environ.get("NATS_URL"), reason="needs NATS (NATS_URL)")


@dataclass
class Replica:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def spawn_gateway(name: str, env: dict[str, str], home: Path) -> Replica:
    port = free_port()
    log = home / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway"],
            cwd=ROOT,
            env={**os.environ, **env, "ADREEL_GATEWAY_PORT": str(port), "ADREEL_STATE_DIR": str(home / name)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Replica(name, port, process, log)


async def healthy(replica: Replica, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            assert replica.process.poll() is None, replica.log.read_text()[-3000:]
            try:
                if (await http.get(f"{replica.url}/health")).status_code in (200, 503):
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"{replica.name} never answered")


async def read_events(ws: Any, into: list[dict[str, Any]], until: str) -> None:
    """Every non-heartbeat event until `until` completes (or fails)."""
    while True:
        event = json.loads(await ws.recv())
        if event["type"] == "heartbeat":
            continue
        into.append(event)
        if event["type"] in ("complete", "failed") and event["stage"] == until:
            return


async def claimer(dsn: str, sid: str) -> int | None:
    """The pid of the replica whose worker holds the session's stage (worker ids are host:pid:tag)."""
    conn = await asyncpg.connect(dsn)
    try:
        worker = await conn.fetchval("SELECT claimed_by FROM sessions WHERE id = $1", sid)
    finally:
        await conn.close()
    return int(worker.split(":")[1]) if worker else None


@pytest.mark.parametrize("how", ["kill", "sigterm"])
async def test_a_replica_dies_mid_stage_and_the_other_finishes_it(
    how: str, gateway_database: str, storage_dir: Path, tmp_path: Path
) -> None:
    bus = Bus.fresh(os.environ["NATS_URL"])
    tag = bus.prefix.upper()
    # With SIGTERM the job must move at once: a long AckWait shows it did not wait for redelivery.
    ack_wait = ACK_WAIT_S if how == "kill" else 60.0
    storage = storage_dir  # the agents' store (ADREEL_STORAGE_DIR), shared with both gateways
    async with AsyncExitStack() as exits:
        ports = await start_agents(exits, AGENTS)
        ledger = Ledger(bus.ledger_settings(gateway_database))
        await exits.enter_async_context(running_ledger(ledger))
        env = {
            **bus.env(),
            "DATABASE_URL": gateway_database,
            "ADREEL_STAGE_JOBS_STREAM": f"JOBS_{tag}",
            "ADREEL_PROGRESS_STREAM": f"PROGRESS_{tag}",
            "ADREEL_STAGE_ACK_WAIT_S": str(ack_wait),
            "ADREEL_STAGE_WORKERS": "2",
            "ADREEL_STORAGE_DIR": str(storage),
            "ADREEL_JWT_SECRET": secrets.token_urlsafe(32),
            "ADREEL_BCRYPT_ROUNDS": "4",
            **{f"ADREEL_{name.upper()}_ADDR": f"127.0.0.1:{port}" for name, port in ports.items()},
        }
        replicas = [spawn_gateway(name, env, tmp_path) for name in ("a", "b")]
        for r in replicas:
            exits.callback(lambda r=r: r.process.poll() is None and r.process.kill())
        await asyncio.gather(*(healthy(r) for r in replicas))
        a = await exits.enter_async_context(httpx.AsyncClient(base_url=replicas[0].url, timeout=30))
        clients = {
            r.name: await exits.enter_async_context(httpx.AsyncClient(base_url=r.url, timeout=30))
            for r in replicas
        }

        login = await a.post("/api/auth/login", json={"email": "demo@example.com", "password": "demo123"})
        token = login.json()["session_token"]
        h = {"Authorization": f"Bearer {token}"}
        sid = (await a.post("/api/sessions/create", headers=h)).json()["session_id"]
        body = {"session_id": sid, "product_prompt": "luxury gold watch with leather strap", "num_images": 4}
        assert (await a.post("/api/generate-images", headers=h, json=body)).status_code == 202
        session = await session_at(a, h, sid, "image_selection", tries=300, pause_s=0.1)
        ids = [i["id"] for i in session["generated_images"]]
        r = await a.post(
            "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": ids}
        )
        assert r.status_code == 200

        # Sockets on both replicas before the clip stage starts; then the stage, through A.
        sockets = {
            r.name: await exits.enter_async_context(
                websockets.connect(await socket_url(clients[r.name], token, sid))
            )
            for r in replicas
        }
        seen: dict[str, list[dict[str, Any]]] = {name: [] for name in sockets}
        for name, ws in sockets.items():
            seen[name].append(json.loads(await ws.recv()))  # the snapshot
        readers = {
            name: asyncio.create_task(read_events(ws, seen[name], "clip_generation"))
            for name, ws in sockets.items()
        }
        clips = {"session_id": sid, "video_prompt": "a slow turn on a marble plinth", "clip_duration": 3.0}
        assert (await a.post("/api/generate-clips", headers=h, json=clips)).status_code == 202

        # Once a clip is delivered, the replica running the stage goes away.
        dsn = plain_dsn(gateway_database)
        for _ in range(600):
            if any(e["message"].startswith("Clip 1 of") for e in seen["a"] + seen["b"]):
                break
            await asyncio.sleep(0.05)
        pid = await claimer(dsn, sid)
        victim = next(r for r in replicas if r.process.pid == pid)
        survivor = next(r for r in replicas if r is not victim)
        stopped_at = time.monotonic()
        victim.process.send_signal(signal.SIGKILL if how == "kill" else signal.SIGTERM)
        readers[victim.name].cancel()

        # The survivor takes the job up by itself, without a retry call.
        resumed_after = None
        for _ in range(int((ack_wait * 3 + 60) * 10)):
            now_pid = await claimer(dsn, sid)
            if resumed_after is None and now_pid == survivor.process.pid:
                resumed_after = time.monotonic() - stopped_at
            if readers[survivor.name].done():
                break
            await asyncio.sleep(0.1)
        await asyncio.wait_for(readers[survivor.name], 120)
        events = seen[survivor.name]
        assert events[-1]["type"] == "complete", events[-1]
        assert resumed_after is not None
        if how == "sigterm":
            assert resumed_after < 15, resumed_after  # handed back at once, not after the 60 s AckWait
            assert victim.process.wait(30) == 0
        print(f"{how}: resumed on the other replica after {resumed_after:.1f} s (AckWait {ack_wait:g} s)")

        # Every event of the session on the surviving socket, in sequence, with no gap.
        seqs = [e["seq"] for e in events[1:]]
        assert seqs == list(range(events[0]["seq"] + 1, events[0]["seq"] + 1 + len(seqs))), seqs

        # Each clip once: one asset row, one stored file, one ledger row.
        session = (await clients[survivor.name].get(f"/api/sessions/{sid}", headers=h)).json()
        assert session["stage"] == "clip_selection" and len(session["generated_clips"]) == len(ids)
        conn = await asyncpg.connect(dsn)
        try:
            assets = await conn.fetch(
                "SELECT id, uri FROM assets WHERE session_id = $1 AND asset_type = 'video'", sid
            )
            for _ in range(100):
                rows = await conn.fetch(
                    "SELECT item_id, count(*) AS n FROM generation_costs"
                    " WHERE session_id = $1 AND agent_name = 'video_gen' GROUP BY item_id",
                    sid,
                )
                if len(rows) == len(ids):
                    break
                await asyncio.sleep(0.1)
        finally:
            await conn.close()
        assert sorted(a["id"] for a in assets) == sorted(c["id"] for c in session["generated_clips"])
        assert {r["item_id"]: r["n"] for r in rows} == {c["id"]: 1 for c in session["generated_clips"]}
        # One file per clip, and no other clip file left behind by the replica that died.
        stored = {p.stem for p in (storage / "sessions" / sid).rglob("*.mp4") if p.stem.startswith("clip_")}
        assert stored == {key_from_uri(a["uri"]).rsplit("/", 1)[1].removesuffix(".mp4") for a in assets}
