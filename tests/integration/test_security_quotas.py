"""Fair use: the generation limit counts atomically, and per-user quotas kept in PostgreSQL (running
stages at once: 429; spend per day: 402) name the limit they enforce.

Real PostgreSQL and the gateway on uvicorn. The agents' address answers nothing and the gateway
waits a few seconds before giving up on it, so a started stage stays running long enough to count.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from gateway.core.config import Settings
from tests.gateway_support import bearer, login, plain_dsn, running_gateway
from tests.integration.test_security_tokens import png as photo

GATEWAY_OVERRIDES = {
    "agent_retry_wait_s": 4.0,  # a started stage stays running this long
    "agent_ready_timeout_s": 0.05,
}


async def new_sessions(c: httpx.AsyncClient, token: str, n: int) -> list[str]:
    return [
        (await c.post("/api/sessions/create", headers=bearer(token))).json()["session_id"] for _ in range(n)
    ]


async def start_images(c: httpx.AsyncClient, token: str, sid: str) -> httpx.Response:
    body = {"session_id": sid, "product_prompt": "red leather handbag", "num_images": 4}
    return await c.post("/api/generate-images", headers=bearer(token), json=body)


async def test_concurrent_starts_are_counted_atomically(settings: Settings) -> None:
    quick = settings.model_copy(
        update={"generation_max_starts": 5, "max_running_stages_per_user": 100, "agent_retry_wait_s": 0.05}
    )
    async with running_gateway(quick) as base, httpx.AsyncClient(base_url=base, timeout=60) as c:
        token = await login(c)
        sids = await new_sessions(c, token, 20)
        replies = await asyncio.gather(*(start_images(c, token, sid) for sid in sids))
    codes = [r.status_code for r in replies]
    # A check made before and a count made after the 202 let all 20 through.
    assert codes.count(202) == 5 and codes.count(429) == 15, codes
    refused = next(r for r in replies if r.status_code == 429)
    assert "at most 5 starts per 60 s per user" in refused.json()["detail"]


async def test_running_stages_per_user_hold_across_concurrent_starts(settings: Settings) -> None:
    async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base, timeout=60) as c:
        greedy, other = await login(c), await login(c)
        sids = await new_sessions(c, greedy, 6)
        replies = await asyncio.gather(*(start_images(c, greedy, sid) for sid in sids))
        codes = [r.status_code for r in replies]
        assert codes.count(202) == 2 and codes.count(429) == 4, codes
        refused = next(r for r in replies if r.status_code == 429)
        assert refused.json()["detail"].startswith("running stages: at most 2 at once per user")
        assert int(refused.headers["retry-after"]) >= 1
        # Another user is not held by the first one's stages.
        (theirs,) = await new_sessions(c, other, 1)
        assert (await start_images(c, other, theirs)).status_code == 202
        # Once the greedy user's stages have ended (failed: no agents), a new one starts.
        waiting = [sid for sid, code in zip(sids, codes, strict=True) if code == 429]
        for _ in range(100):
            stages = [
                (await c.get(f"/api/sessions/{s}", headers=bearer(greedy))).json()["stage"] for s in sids
            ]
            if "image_generation" not in stages:
                break
            await asyncio.sleep(0.2)
        assert (await start_images(c, greedy, waiting[0])).status_code == 202
        # A retry is a start like any other.
        failed = next(s for s, code in zip(sids, codes, strict=True) if code == 202)
        (extra,) = await new_sessions(c, greedy, 1)
        assert (await start_images(c, greedy, extra)).status_code == 202
        r = await c.post(f"/api/sessions/{failed}/retry", headers=bearer(greedy))
        assert r.status_code == 429 and "running stages" in r.json()["detail"]


async def test_spend_per_user_per_day(settings: Settings) -> None:
    capped = settings.model_copy(update={"max_daily_spend_usd": 5})
    async with running_gateway(capped) as base, httpx.AsyncClient(base_url=base, timeout=60) as c:
        spender, fresh = await login(c), await login(c)
        first, second = await new_sessions(c, spender, 2)
        (theirs,) = await new_sessions(c, fresh, 1)
        conn = await asyncpg.connect(plain_dsn(settings.database_url or ""))
        try:
            now = datetime.now(UTC)
            book = (
                "INSERT INTO generation_costs (session_id, agent_name, model_used, cost_micros, "
                "duration_seconds, success, created_at, event_id) "
                "VALUES ($1, 'image_gen', 'm', $2, 1, true, $3, $4)"
            )
            # $4.90 booked today on one session, and $100 yesterday (a past day does not count).
            await conn.execute(book, first, 4_900_000, now, str(uuid.uuid4()))
            await conn.execute(book, second, 100_000_000, now - timedelta(days=1, hours=1), str(uuid.uuid4()))
            await conn.execute(book, theirs, 100_000_000, now - timedelta(days=1, hours=1), str(uuid.uuid4()))
        finally:
            await conn.close()
        # Four images and the parse: ~$0.20, over what is left of $5 today, on any session of theirs.
        r = await start_images(c, spender, second)
        assert r.status_code == 402, r.text
        assert r.json()["detail"].startswith("daily spend: at most $5.00 per user per day; $4.90 spent today")
        assert (await c.get(f"/api/sessions/{second}", headers=bearer(spender))).json()["stage"] == "created"
        assert (await start_images(c, fresh, theirs)).status_code == 202


async def test_photo_uploads_per_user_are_limited(settings: Settings) -> None:
    limited = settings.model_copy(update={"upload_max_requests": 2})
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 100  # refused (422): a refused upload is not counted
    async with running_gateway(limited) as base, httpx.AsyncClient(base_url=base, timeout=60) as c:
        uploader, other = await login(c), await login(c)
        (sid,) = await new_sessions(c, uploader, 1)

        async def send(token: str, session: str, data: bytes) -> httpx.Response:
            files = [("files", ("a.png", data, "image/png"))]
            return await c.post(f"/api/sessions/{session}/images", headers=bearer(token), files=files)

        assert (await send(uploader, sid, png)).status_code == 422
        codes = [(await send(uploader, sid, photo("red"))).status_code for _ in range(3)]
        assert codes == [201, 201, 429], codes
        r = await send(uploader, sid, photo("blue"))
        assert r.status_code == 429 and "files: at most 2 uploads per 600 s per user" in r.json()["detail"]
        (theirs,) = await new_sessions(c, other, 1)
        assert (await send(other, theirs, photo("green"))).status_code == 201
