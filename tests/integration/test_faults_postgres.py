"""PostgreSQL stops under a running gateway: every request fails cleanly (503, a message, Retry-After,
never a 500) and the gateway recovers by itself once the database is back, with nothing lost.

A private PostgreSQL (pgserver, in the test's folder) is stopped and restarted; the machine's
PostgreSQL is never touched.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pgserver

from gateway.db.migrate import upgrade
from tests.gateway_support import gateway_settings, running_gateway, unused_addr

DATABASE = "adreel_faults"


def start_private_postgres(data_dir: Path) -> pgserver.PostgresServer:
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    server.psql(
        f"SELECT 'CREATE DATABASE {DATABASE}' "
        f"WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{DATABASE}')\\gexec\n"
    )
    return server


async def test_postgres_restart_fails_cleanly_then_recovers(tmp_path: Path, storage_dir: Path) -> None:
    data_dir = tmp_path / "pg"
    server = await asyncio.to_thread(start_private_postgres, data_dir)
    url = server.get_uri(DATABASE)
    await asyncio.to_thread(upgrade, url)
    down = unused_addr()
    settings = gateway_settings(
        url, storage_dir, tmp_path / "state", **{f"{a}_addr": down for a in ("image_gen", "compositor")}
    )
    try:
        async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base, timeout=30) as c:
            email = "survivor@example.com"
            r = await c.post("/api/auth/register", json={"email": email, "password": "pg-restart"})
            token = r.json()["session_token"]
            h = {"Authorization": f"Bearer {token}"}
            sid = (await c.post("/api/sessions/create", headers=h)).json()["session_id"]

            await asyncio.to_thread(server.cleanup)  # PostgreSQL stops (fast shutdown)
            calls = [
                c.get("/api/sessions", headers=h),
                c.get(f"/api/sessions/{sid}", headers=h),
                c.post("/api/sessions/create", headers=h),
                c.post("/api/auth/login", json={"email": email, "password": "pg-restart"}),
                c.post("/api/auth/register", json={"email": "new@example.com", "password": "pg-restart"}),
                c.post(
                    "/api/generate-images",
                    headers=h,
                    json={"session_id": sid, "product_prompt": "blue ceramic vase", "num_images": 4},
                ),
            ]
            for r in [await call for call in calls]:
                assert r.status_code == 503, (
                    f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}"
                )
                assert r.json() == {"detail": "the database is unavailable; try again in a few seconds"}
                assert r.headers["retry-after"] == "5"
            health = await c.get("/health")
            assert health.status_code == 503 and health.json()["database"] is False

            server = await asyncio.to_thread(start_private_postgres, data_dir)  # same data, restarted
            deadline = time.monotonic() + 30
            while (r := await c.get("/api/sessions", headers=h)).status_code == 503:
                assert time.monotonic() < deadline, "the gateway did not recover"
                await asyncio.sleep(0.2)
            assert r.status_code == 200 and [s["id"] for s in r.json()] == [sid]
            r = await c.post("/api/auth/login", json={"email": email, "password": "pg-restart"})
            assert r.status_code == 200
            assert (await c.post("/api/sessions/create", headers=h)).status_code == 201
            assert (await c.get("/health")).json()["database"] is True
    finally:
        await asyncio.to_thread(server.cleanup)
