"""Personal API keys against the real gateway and PostgreSQL: shown once and stored hashed, the scope
enforced, revoked and expired keys refused, the WebSocket opened with a key's ticket, a key counted
against its user's rate limit, and no key ever in a log line."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import httpx
import pytest
import websockets
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.core.config import to_asyncpg_url
from tests.gateway_support import gateway_database, gateway_settings, login, running_gateway, unused_addr

__all__ = ["gateway_database"]

AGENTS_DOWN = {f"{a}_addr": unused_addr() for a in ("prompt_parser", "image_gen", "video_gen", "compositor")}


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def make_key(client: httpx.AsyncClient, token: str, scope: str, name: str = "ci") -> dict[str, str]:
    r = await client.post(
        "/api/api-keys", headers={"Authorization": f"Bearer {token}"}, json={"name": name, "scope": scope}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_api_keys(
    gateway_database: str, storage_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    kept = Kept()
    settings = gateway_settings(
        gateway_database, storage_dir, tmp_path / "state", generation_max_starts=1, **AGENTS_DOWN
    )
    async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        # The access log on, as deployed (the test server starts it at warning), and every line the
        # server logs kept (uvicorn's loggers do not propagate to the root, where caplog listens).
        logging.getLogger("uvicorn.access").setLevel(logging.INFO)
        for name in ("uvicorn.access", "uvicorn.error"):
            logging.getLogger(name).addHandler(kept)
        token = await login(client)
        signed_in = {"Authorization": f"Bearer {token}"}
        reader = await make_key(client, token, "read", "dashboard")
        writer = await make_key(client, token, "generate", "feed script")
        assert reader["key"].startswith("adr_") and len(reader["key"]) == 47
        assert reader["hint"] == reader["key"][:8] + "…" and reader["active"]
        as_reader = {"Authorization": f"Bearer {reader['key']}"}
        as_writer = {"Authorization": f"Bearer {writer['key']}"}

        # Listed without the keys themselves.
        listed = (await client.get("/api/api-keys", headers=signed_in)).json()
        assert {k["name"] for k in listed} == {"dashboard", "feed script"}
        assert all("key" not in k for k in listed) and reader["key"] not in json.dumps(listed)

        # Scope: a read key reads, takes a progress ticket, prices an ad; it starts nothing.
        sid = (await client.post("/api/sessions/create", headers=as_writer)).json()["session_id"]
        assert (await client.get(f"/api/sessions/{sid}", headers=as_reader)).status_code == 200
        assert (await client.get("/api/sessions", headers=as_reader)).status_code == 200
        quote = {"product": "pink tennis shoes", "scene": "a runner on a track at golden hour"}
        assert (await client.post("/api/quote", headers=as_reader, json=quote)).status_code == 200
        refused = await client.post("/api/sessions/create", headers=as_reader)
        assert refused.status_code == 403 and refused.json()["detail"].startswith("api key scope:")
        body = {"session_id": sid, "product_prompt": "pink tennis shoes", "num_images": 4}
        assert (await client.post("/api/generate-images", headers=as_reader, json=body)).status_code == 403

        # The WebSocket opens with a ticket a key asked for.
        ticket = (await client.post("/api/ws-ticket", headers=as_reader, json={"session_id": sid})).json()
        ws_url = f"{base.replace('http', 'ws', 1)}/ws/{sid}?ticket={ticket['ticket']}"
        async with websockets.connect(ws_url) as ws:
            assert json.loads(await ws.recv())["type"] == "snapshot"

        # A key counts against its user's generation limit (1 start per window here).
        assert (await client.post("/api/generate-images", headers=as_writer, json=body)).status_code == 202
        sid2 = (await client.post("/api/sessions/create", headers=signed_in)).json()["session_id"]
        again = await client.post(
            "/api/generate-images", headers=as_writer, json={**body, "session_id": sid2}
        )
        assert again.status_code == 429 and "generation" in again.json()["detail"]

        # Keys are managed signed in only: a key cannot mint or revoke keys.
        minted = await client.post(
            "/api/api-keys", headers=as_writer, json={"name": "x", "scope": "generate"}
        )
        assert minted.status_code == 403 and minted.json()["detail"].startswith("api key:")
        gone = await client.delete(f"/api/api-keys/{reader['id']}", headers=as_writer)
        assert gone.status_code == 403

        # Revoked: refused everywhere, at once.
        assert (await client.delete(f"/api/api-keys/{reader['id']}", headers=signed_in)).status_code == 204
        r = await client.get("/api/sessions", headers=as_reader)
        assert r.status_code == 401 and "revoked" in r.json()["detail"]
        listed = {k["id"]: k for k in (await client.get("/api/api-keys", headers=signed_in)).json()}
        assert not listed[reader["id"]]["active"] and listed[writer["id"]]["last_used_at"] is not None
        other = await login(client)
        mine = await client.delete(
            f"/api/api-keys/{writer['id']}", headers={"Authorization": f"Bearer {other}"}
        )
        assert mine.status_code == 404

        # Bad input names the field.
        r = await client.post("/api/api-keys", headers=signed_in, json={"name": " ", "scope": "admin"})
        assert r.status_code == 422 and {e["loc"][-1] for e in r.json()["detail"]} == {"name", "scope"}
        # A key-shaped string that is no key, and one sent in a URL, are refused and never logged.
        fake = "adr_" + "x" * 43
        assert (
            await client.get("/api/sessions", headers={"Authorization": f"Bearer {fake}"})
        ).status_code == 401
        await client.get(f"/api/sessions?api_key={writer['key']}")
        await client.get(f"/api/nothing/{writer['key']}")

        # Expired: refused.
        engine = create_async_engine(to_asyncpg_url(gateway_database))
        try:
            async with engine.begin() as db:
                await db.execute(
                    text("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = :id"),
                    {"id": writer["id"]},
                )
                stored = (await db.execute(text("SELECT key_sha256, hint FROM api_keys"))).all()
        finally:
            await engine.dispose()
        assert (await client.get("/api/sessions", headers=as_writer)).status_code == 401
        # At rest: the sha256 and a hint, never the key.
        assert hashlib.sha256(writer["key"].encode()).hexdigest() in {s[0] for s in stored}
        assert all(writer["key"] not in "".join(s) for s in stored)

    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).removeHandler(kept)
    # What the server logged (this test's own HTTP client logs its requests too: not the server's).
    server = [r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(server + kept.lines)
    assert "GET /api/sessions?api_key=[redacted]" in logged  # the access log was captured
    for secret in (reader["key"], writer["key"], fake):
        assert secret not in logged
