"""The HTTP API without agents: auth, ownership, stages, validation, media, WebSocket auth.

Real PostgreSQL (a database of its own per run), the gateway served by uvicorn on loopback.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
import websockets

from gateway.core.config import Settings
from tests.gateway_support import bearer, login, plain_dsn, running_gateway, session_at, socket_url

GATEWAY_OVERRIDES = {"agent_retry_wait_s": 0.05}


async def test_demo_login_and_tokens(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/auth/login", json={"email": "demo@example.com", "password": "demo123"})
    assert r.status_code == 200
    body = r.json()
    assert body["success"] is True and body["email"] == "demo@example.com" and body["user_id"] >= 1
    assert (
        await client.post("/api/auth/login", json={"email": "demo@example.com", "password": "nope12"})
    ).status_code == 401
    assert (await client.get("/api/sessions")).status_code == 401
    assert (await client.get("/api/sessions", headers=bearer("not-a-jwt"))).status_code == 401
    assert (await client.get("/api/sessions", headers=bearer(body["session_token"]))).status_code == 200
    health = await client.get("/health")
    assert health.status_code == 200
    assert health.json()["database"] is True and health.json()["agents"]["image_gen"] == "UNREACHABLE"


async def test_sessions_are_private_and_listed_newest_first(client: httpx.AsyncClient) -> None:
    alice, bob = await login(client), await login(client)
    ids = []
    for _ in range(2):
        r = await client.post("/api/sessions/create", headers=bearer(alice), json={})
        assert r.status_code == 201 and r.json()["stage"] == "created"
        ids.append(r.json()["session_id"])
    listed = (await client.get("/api/sessions", headers=bearer(alice))).json()
    assert [s["id"] for s in listed] == ids[::-1]
    assert (await client.get("/api/sessions", headers=bearer(bob))).json() == []
    mine = await client.get(f"/api/sessions/{ids[0]}", headers=bearer(alice))
    assert mine.status_code == 200
    s = mine.json()
    assert (
        s["stage"] == "created" and s["generated_images"] == [] and s["total_cost"] == 0 and s["budget"] == 10
    )
    assert (await client.get(f"/api/sessions/{ids[0]}", headers=bearer(bob))).status_code == 404
    assert (await client.get(f"/api/sessions/{ids[0]}/costs", headers=bearer(bob))).status_code == 404
    body = {"session_id": ids[0], "product_prompt": "pink tennis shoes", "num_images": 4}
    assert (await client.post("/api/generate-images", headers=bearer(bob), json=body)).status_code == 404
    assert (await client.get(f"/api/sessions/{uuid.uuid4()}", headers=bearer(alice))).status_code == 404


async def test_wrong_stage_and_invalid_bodies(client: httpx.AsyncClient) -> None:
    token = await login(client)
    sid = (await client.post("/api/sessions/create", headers=bearer(token))).json()["session_id"]
    h = bearer(token)
    r = await client.post(
        "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": ["a", "b"]}
    )
    # A step whose input is missing is refused with the reason, not with a stage name.
    assert r.status_code == 409 and "no images yet" in r.json()["detail"]
    r = await client.post(
        "/api/generate-clips", headers=h, json={"session_id": sid, "video_prompt": "girl running in the sun"}
    )
    assert r.status_code == 409 and "at least 2 images" in r.json()["detail"]
    r = await client.post(f"/api/sessions/{sid}/retry", headers=h)
    assert r.status_code == 409 and "no failed stage" in r.json()["detail"]
    bad = [
        {"session_id": sid, "product_prompt": "x"},  # too short
        {"session_id": sid, "product_prompt": "pink shoes", "num_images": 9},
        {"session_id": "not-a-uuid", "product_prompt": "pink shoes"},
        {"session_id": sid, "product_prompt": "pink\x00shoes"},
        {"session_id": sid, "product_prompt": "pink shoes", "surprise": 1},
    ]
    for body in bad:
        r = await client.post("/api/generate-images", headers=h, json=body)
        assert r.status_code == 422, body
    r = await client.post(
        "/api/generate-images",
        headers=h,
        content=b"{not json",
    )
    assert r.status_code == 422
    r = await client.post(
        "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": ["a"]}
    )
    assert r.status_code == 422


async def test_budget_refuses_before_spending(settings: Settings) -> None:
    cheap = settings.model_copy(update={"budget_usd": settings.estimate_image_usd})
    async with running_gateway(cheap) as base, httpx.AsyncClient(base_url=base) as client:
        h = bearer(await login(client))
        sid = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
        r = await client.post(
            "/api/generate-images", headers=h, json={"session_id": sid, "product_prompt": "red mug"}
        )
        assert r.status_code == 402 and "budget" in r.json()["detail"]
        s = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
        assert s["stage"] == "created" and s["total_cost"] == 0


async def test_agent_down_fails_the_stage_with_its_name(client: httpx.AsyncClient) -> None:
    h = bearer(await login(client))
    sid = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
    token = h["Authorization"].split()[1]
    async with websockets.connect(await socket_url(client, token, sid)) as ws:
        first = json.loads(await ws.recv())
        assert first["type"] == "snapshot" and first["stage"] == "created"
        r = await client.post(
            "/api/generate-images", headers=h, json={"session_id": sid, "product_prompt": "red mug"}
        )
        assert r.status_code == 202 and r.json()["status"] == "processing"
        events = []
        while not events or events[-1]["type"] != "failed":
            events.append(json.loads(await ws.recv()))
    assert "prompt_parser" in events[-1]["message"] and events[-1]["data"]["retry"] is True
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    s = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
    assert (
        s["stage"] == "failed" and s["failed_stage"] == "image_generation" and "prompt_parser" in s["error"]
    )


async def test_websocket_refuses_strangers(client: httpx.AsyncClient) -> None:
    alice, bob = await login(client), await login(client)
    sid = (await client.post("/api/sessions/create", headers=bearer(alice))).json()["session_id"]
    bobs = (await client.post("/api/sessions/create", headers=bearer(bob))).json()["session_id"]
    base = str(client.base_url).replace("http", "ws")
    r = await client.post("/api/ws-ticket", headers=bearer(bob), json={"session_id": sid})
    assert r.status_code == 404  # no ticket for someone else's session
    # Bob's ticket (for his own session) does not open Alice's.
    bobs_ticket = (await socket_url(client, bob, bobs)).split("?", 1)[1]
    for url, code in ((f"{base}/ws/{sid}", 4401), (f"{base}/ws/{sid}?{bobs_ticket}", 4404)):
        async with websockets.connect(url) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == code


async def test_media_needs_a_token_and_serves_ranges(client: httpx.AsyncClient, storage_dir: Path) -> None:
    h = bearer(await login(client))
    sid = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
    payload = bytes(range(256)) * 40
    target = storage_dir / "sessions" / sid / "clips" / "c1.mp4"
    target.parent.mkdir(parents=True)
    target.write_bytes(payload)
    key = f"sessions/{sid}/clips/c1.mp4"
    assert (await client.get(f"/media/{key}")).status_code == 401
    other = bearer(await login(client))
    assert (await client.get(f"/media/{key}", headers=other)).status_code == 404
    r = await client.get(f"/media/{key}", headers={**h, "Range": "bytes=100-199"})
    assert r.status_code == 206 and r.content == payload[100:200]
    assert (
        r.headers["content-type"] == "video/mp4"
        and r.headers["content-range"] == f"bytes 100-199/{len(payload)}"
    )
    full = await client.get(f"/media/{key}", headers=h)
    assert full.status_code == 200 and full.content == payload
    for evil in ("sessions/../../etc/passwd", f"sessions/{sid}/../x", "%2e%2e/%2e%2e/etc/passwd"):
        assert (await client.get(f"/media/{evil}", headers=h)).status_code == 404
    assert (await client.get(f"/media/{key}?token=forged")).status_code == 401


async def test_interrupted_and_overdue_stages_become_resumable(settings: Settings) -> None:
    quick = settings.model_copy(update={"watchdog_interval_s": 0.1})
    async with running_gateway(quick) as base, httpx.AsyncClient(base_url=base) as client:
        h = bearer(await login(client))
        a = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
        b = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
        conn = await asyncpg.connect(plain_dsn(settings.database_url or ""))
        try:
            # a: left running by a process that died; b: running here but past its deadline.
            await conn.execute("UPDATE sessions SET stage = 'clip_generation' WHERE id = $1", a)
            await conn.execute(
                "UPDATE sessions SET stage = 'image_generation', stage_deadline = now() - interval '1 s'"
                " WHERE id = $1",
                b,
            )
        finally:
            await conn.close()
        sb = await session_at(client, h, b, "failed", tries=50, pause_s=0.1)
        assert (
            sb["stage"] == "failed" and sb["failed_stage"] == "image_generation" and "deadline" in sb["error"]
        )
    # A restarted gateway finds `a` (the watchdog would also catch it once overdue; this is at startup).
    async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base) as client:
        sa = (await client.get(f"/api/sessions/{a}", headers=h)).json()
    assert sa["stage"] == "failed" and sa["failed_stage"] == "clip_generation" and "restart" in sa["error"]


async def test_websocket_heartbeats(settings: Settings) -> None:
    async with running_gateway(settings.model_copy(update={"ws_heartbeat_s": 0.2})) as base:
        async with httpx.AsyncClient(base_url=base) as client:
            token = await login(client)
            sid = (await client.post("/api/sessions/create", headers=bearer(token))).json()["session_id"]
            url = await socket_url(client, token, sid)
        async with websockets.connect(url) as ws:
            snapshot = json.loads(await ws.recv())
            beats = [json.loads(await ws.recv()) for _ in range(2)]
    assert [b["type"] for b in beats] == ["heartbeat", "heartbeat"]
    # A heartbeat carries the session's current sequence number and takes none of its own, so the
    # events' numbers stay gapless (1, 2, 3, ...) for the client's reconnect-and-replay.
    assert snapshot["seq"] == beats[0]["seq"] == beats[1]["seq"] == 0
