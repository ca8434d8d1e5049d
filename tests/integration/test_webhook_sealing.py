"""Webhook signing secrets are sealed at rest, and keys rotate: a database dump signs nothing.

Real PostgreSQL and the gateway on uvicorn; the stored column is read with asyncpg.
"""

from __future__ import annotations

from pathlib import Path

import asyncpg
import httpx
import pytest

from gateway.core.config import Settings
from gateway.webhooks.sealing import Keyring, SealError, new_key, parse_key
from gateway.webhooks.signing import new_secret
from tests.gateway_support import gateway_database, gateway_settings, login, plain_dsn, running_gateway

__all__ = ["gateway_database"]


def settings_with(database_url: str, tmp: Path, *keys: str) -> Settings:
    return gateway_settings(
        database_url, tmp / "storage", tmp / "state", webhook_allow_private=True, webhook_keys=list(keys)
    )


async def stored(settings: Settings, sid: str) -> str:
    conn = await asyncpg.connect(plain_dsn(settings.database_url or ""))
    try:
        return str(await conn.fetchval("SELECT webhook_secret FROM sessions WHERE id = $1", sid))
    finally:
        await conn.close()


async def test_secrets_are_sealed_and_resealed_under_a_new_key(gateway_database: str, tmp_path: Path) -> None:
    old, new = new_key(), new_key()
    first = settings_with(gateway_database, tmp_path, old)
    async with running_gateway(first) as base, httpx.AsyncClient(base_url=base, timeout=30) as c:
        h = {"Authorization": f"Bearer {await login(c)}"}
        sid = (await c.post("/api/sessions/create", headers=h)).json()["session_id"]
        r = await c.put(f"/api/sessions/{sid}/webhook", headers=h, json={"url": "http://127.0.0.1:9/hook"})
        assert r.status_code == 200, r.text
        secret = r.json()["secret"]
    at_rest = await stored(first, sid)
    assert secret.startswith("whsec_") and at_rest.startswith("enc1:")
    assert secret.removeprefix("whsec_")[:20] not in at_rest
    assert Keyring([parse_key(old)]).reveal(at_rest) == secret

    # Rotation: the new key first; a gateway starting with that list reseals what the old one sealed.
    rotated = settings_with(gateway_database, tmp_path, new, old)
    async with running_gateway(rotated):
        pass
    resealed = await stored(rotated, sid)
    assert resealed != at_rest and Keyring([parse_key(new)]).reveal(resealed) == secret
    with pytest.raises(SealError):
        Keyring([parse_key(old)]).reveal(resealed)  # the old key alone opens nothing any more


async def test_a_secret_from_before_sealing_is_sealed_at_start(gateway_database: str, tmp_path: Path) -> None:
    key = new_key()
    settings = settings_with(gateway_database, tmp_path, key)
    async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base, timeout=30) as c:
        h = {"Authorization": f"Bearer {await login(c)}"}
        sid = (await c.post("/api/sessions/create", headers=h)).json()["session_id"]
    plain = new_secret()
    conn = await asyncpg.connect(plain_dsn(gateway_database))
    try:
        await conn.execute(
            "UPDATE sessions SET webhook_url = 'http://127.0.0.1:9/x', webhook_secret = $1 WHERE id = $2",
            plain,
            sid,
        )
    finally:
        await conn.close()
    async with running_gateway(settings):
        pass
    at_rest = await stored(settings, sid)
    assert at_rest.startswith("enc1:") and Keyring([parse_key(key)]).reveal(at_rest) == plain
