"""Tokens and links an outsider could pick up: the WebSocket URL carries a single-use ticket (never
the access token), a media URL opens its one object only, and a token's `sub` is ASCII digits only.

Real PostgreSQL and the gateway on uvicorn; no agents (nothing here starts a stage).
"""

from __future__ import annotations

import io
import time

import asyncpg
import httpx
import jwt
import websockets
from PIL import Image

from gateway.core.config import Settings
from tests.gateway_support import bearer, login, plain_dsn, socket_url


async def close_code(url: str) -> int | str:
    """The close code the gateway answers `url` with, or "open" when it sends the snapshot."""
    async with websockets.connect(url) as ws:
        try:
            await ws.recv()
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else 1006
        return "open"


async def test_the_socket_takes_a_single_use_ticket_never_the_access_token(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    token = await login(client)
    sid = (await client.post("/api/sessions/create", headers=bearer(token))).json()["session_id"]
    base = str(client.base_url).replace("http", "ws")
    # The 24 h access token in a URL is what every proxy logs: refused even though it is valid.
    assert await close_code(f"{base}/ws/{sid}?token={token}") == 4401

    url = await socket_url(client, token, sid)
    assert await close_code(url) == "open"
    assert await close_code(url) == 4401  # spent: a logged URL is worth nothing

    r = await client.post("/api/ws-ticket", headers=bearer(token), json={"session_id": sid})
    assert r.status_code == 201 and r.json()["expires_in"] == settings.ws_ticket_ttl_s == 60
    conn = await asyncpg.connect(plain_dsn(settings.database_url or ""))
    try:
        await conn.execute("UPDATE ws_tickets SET expires_at = now() - interval '1 second'")
    finally:
        await conn.close()
    assert await close_code(f"{base}/ws/{sid}?ticket={r.json()['ticket']}") == 4401  # expired

    # A ticket opens the session it was issued for, no other (not even the same user's).
    other = (await client.post("/api/sessions/create", headers=bearer(token))).json()["session_id"]
    ticket = (await socket_url(client, token, sid)).split("?", 1)[1]
    assert await close_code(f"{base}/ws/{other}?{ticket}") == 4404

    r = await client.post("/api/ws-ticket", json={"session_id": sid})
    assert r.status_code == 401
    r = await client.post("/api/ws-ticket", headers=bearer(token), json={"session_id": "nope"})
    assert r.status_code == 422 and "session_id" in r.text


def png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), color).save(out, "PNG")
    return out.getvalue()


async def test_a_media_token_opens_its_one_object(client: httpx.AsyncClient, settings: Settings) -> None:
    h = bearer(await login(client))
    sid = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
    files = [("files", ("a.png", png("red"), "image/png")), ("files", ("b.png", png("blue"), "image/png"))]
    r = await client.post(f"/api/sessions/{sid}/images", headers=h, files=files)
    assert r.status_code == 201, r.text
    a, b = (i["url"] for i in r.json()["images"])
    assert (await client.get(a)).status_code == 200 and (await client.get(b)).status_code == 200
    # A's link (say, one handed on or logged) with B's path: B stays closed.
    a_path, a_token = a.split("?", 1)
    b_path = b.split("?", 1)[0]
    assert a_path != b_path
    assert (await client.get(f"{b_path}?{a_token}")).status_code == 404
    # Nor does it open anything else the session holds.
    assert (await client.get(f"/media/sessions/{sid}/final/f.mp4?{a_token}")).status_code == 404
    # A token of the old, session-wide form is no token at all.
    session_wide = jwt.encode({"sid": sid, "typ": "media", "exp": int(time.time()) + 600}, settings.jwt_key)
    assert (await client.get(a_path, params={"token": session_wide})).status_code == 401


async def test_token_sub_is_ascii_digits_only(client: httpx.AsyncClient, settings: Settings) -> None:
    r = await client.post(
        "/api/auth/register", json={"email": f"sub{time.time_ns()}@example.com", "password": "Sub-pass-42"}
    )
    user_id = r.json()["user_id"]
    assert user_id >= 1
    now = int(time.time())

    def forged(sub: str) -> dict[str, str]:
        claims = {"sub": sub, "typ": "access", "iat": now, "exp": now + 600}
        return bearer(jwt.encode(claims, settings.jwt_key, "HS256"))

    assert (await client.get("/api/sessions", headers=forged(str(user_id)))).status_code == 200
    fullwidth = str(user_id).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for sub in (fullwidth, "²", "٣", "+1", " 1", "1 ", "0", "-1", "1e3", "99999999999", ""):
        r = await client.get("/api/sessions", headers=forged(sub))
        assert r.status_code == 401, (sub, r.status_code, r.text)
