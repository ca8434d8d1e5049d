"""A whole journey with the cost ledger on NATS: NATS is stopped after the images, the journey still
completes, the events wait in the outbox, and once NATS is back the ledger holds exactly the
journey's events: the same ids, the same sum as the session's total and the costs endpoint's.
The budget warning reaches the session's WebSocket once.
"""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import websockets

from services.common.costs.contract import event_id_for
from services.ledger.server import Ledger
from stack.embedded import EmbeddedNats
from tests.gateway_support import events_until_terminal, gateway_database, plain_dsn, socket_url, start_stack
from tests.integration.test_ledger import Bus, eventually, running_ledger

__all__ = ["gateway_database"]


async def stage(
    client: httpx.AsyncClient, sid: str, h: dict[str, str], path: str, body: Any
) -> dict[str, Any]:
    """POST a stage and return its terminal WebSocket event."""
    async with websockets.connect(await socket_url(client, h["Authorization"][7:], sid)) as ws:
        await ws.recv()
        r = await client.post(path, headers=h, json=body)
        assert r.status_code == 202, r.text
        done = (await events_until_terminal(ws))[-1]
    assert done["type"] == "complete", done["message"]
    return done


async def warnings_until(ws: Any, wanted: int, timeout_s: float = 20.0) -> list[dict[str, Any]]:
    """Read events (any type) until `wanted` budget warnings arrived."""
    found: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout_s):
        while len(found) < wanted:
            event = json.loads(await ws.recv())
            if (event.get("data") or {}).get("warning"):
                found.append(event)
    return found


async def test_journey_with_nats_stopped_midway_books_every_event_once(
    gateway_database: str, storage_dir: Path, tmp_path: Path
) -> None:
    nats_server = EmbeddedNats(tmp_path / "nats")
    bus = Bus.fresh(await nats_server.start())
    db = await asyncpg.connect(plain_dsn(gateway_database))
    async with AsyncExitStack() as exits:
        exits.push_async_callback(nats_server.stop)
        exits.push_async_callback(db.close)
        ledger = Ledger(bus.ledger_settings(gateway_database))
        await exits.enter_async_context(running_ledger(ledger))
        stack = await start_stack(
            exits,
            gateway_database,
            storage_dir,
            tmp_path / "state",
            **bus.gateway_fields(),
            # $10 budget: a warning once one micro-dollar is booked (offline costs are tiny).
            budget_alert_ratio=1e-7,
            outbox_backoff_max_s=0.5,
        )
        client = stack.client

        token = (
            await client.post("/api/auth/login", json={"email": "demo@example.com", "password": "demo123"})
        ).json()["session_token"]
        h = {"Authorization": f"Bearer {token}"}
        sid = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]

        async def booked() -> dict[str, int]:
            rows = await db.fetch(
                "SELECT event_id, cost_micros FROM generation_costs WHERE session_id = $1", sid
            )
            return {r["event_id"]: r["cost_micros"] for r in rows}

        async def outbox() -> list[asyncpg.Record]:
            return await db.fetch(
                "SELECT event_id, attempt, sent_at, payload FROM cost_outbox WHERE session_id = $1", sid
            )

        # Images with NATS up: the events reach the ledger, and the budget warning the socket.
        async with websockets.connect(await socket_url(client, token, sid)) as watcher:
            await watcher.recv()
            body = {"session_id": sid, "product_prompt": "matte black ceramic coffee mug", "num_images": 4}
            images = (await stage(client, sid, h, "/api/generate-images", body))["data"]["images"]

            async def images_booked() -> bool:
                return len(await booked()) == 5  # parse + 4 images

            await eventually(images_booked, what="the image stage's events in the ledger")
            warning = (await warnings_until(watcher, 1))[0]
        # Sent whenever the ledger booked the crossing event: mid-stage or just after, stage unchanged.
        assert warning["type"] == "warning" and warning["session_stage"] in {
            "image_generation",
            "image_selection",
        }
        assert warning["data"]["warning"]["kind"] == "budget" and "Budget warning" in warning["message"]

        # NATS goes away; the rest of the journey does not notice.
        await nats_server.stop()
        ids = [i["id"] for i in images]
        r = await client.post(
            "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": ids[:2]}
        )
        assert r.status_code == 200, r.text
        body = {"session_id": sid, "video_prompt": "slow turn on a wooden table", "clip_duration": 2.0}
        clips = (await stage(client, sid, h, "/api/generate-clips", body))["data"]["clips"]
        clip_ids = [c["id"] for c in clips]
        r = await client.post(
            "/api/save-approved-clips",
            headers=h,
            json={"session_id": sid, "approved_clip_ids": clip_ids, "clip_order": clip_ids},
        )
        assert r.status_code == 200, r.text
        compose = {
            "session_id": sid,
            "text_overlay": {
                "product_name": "Mug",
                "cta": "Buy",
                "font": "Montserrat-Bold",
                "color": "#FFFFFF",
            },
            "audio": {"enabled": False, "genre": "chill"},
            "intro_duration": 0.5,
            "outro_duration": 0.5,
        }
        final = await stage(client, sid, h, "/api/compose-final-video", compose)
        assert final["session_stage"] == "complete"
        waiting = [r for r in await outbox() if r["sent_at"] is None]
        # plan + 2 clips + compose wait in the outbox; the ledger still has only the image stage.
        assert len(waiting) == 4 and len(await booked()) == 5
        session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
        costs = (await client.get(f"/api/sessions/{sid}/costs", headers=h)).json()
        assert costs["total_cost"] < session["total_cost"]

        # NATS is back (same port, same store): the relay drains the outbox and the ledger catches up.
        await nats_server.start()

        async def drained() -> bool:
            return all(r["sent_at"] is not None for r in await outbox()) and len(await booked()) == 9

        await eventually(drained, 30, "the outbox drained into the ledger")
        written = await outbox()
        events = {r["event_id"]: json.loads(r["payload"]) for r in written}
        # Ids are a function of (session, agent, item, attempt): a replayed item maps to the same id.
        for r in written:
            payload = events[r["event_id"]]
            assert r["event_id"] == event_id_for(sid, payload["agent"], payload["item_id"], r["attempt"])
        ledger_rows = await booked()
        assert set(ledger_rows) == set(events) and len(events) == 9
        assert all(ledger_rows[e] == p["usd_micros"] for e, p in events.items())
        total = await db.fetchval("SELECT total_cost_micros FROM sessions WHERE id = $1", sid)
        assert sum(ledger_rows.values()) == total > 0
        costs = (await client.get(f"/api/sessions/{sid}/costs", headers=h)).json()
        session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
        assert costs["total_cost"] == session["total_cost"] == round(total / 1e6, 6)
        agents = {line["agent"]: line["calls"] for line in costs["breakdown"]}
        assert agents == {"prompt_parser": 2, "image_gen": 4, "video_gen": 2, "compositor": 1}
        await bus.delete()
