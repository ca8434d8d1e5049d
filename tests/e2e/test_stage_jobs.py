"""Stage jobs on the JetStream work queue, in one gateway with real agents, PostgreSQL and NATS:
a poison job ends its stage failed with the reason, and one user's many jobs can't hold every
worker (another user's job starts at once)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
import httpx
import nats
import pytest

from gateway.stage_jobs import StageJob, subject
from gateway.stages import SessionStage
from tests.gateway_support import gateway_database, plain_dsn, session_at, start_stack
from tests.integration.test_ledger import Bus

__all__ = ["gateway_database"]
pytestmark = pytest.mark.skipif(not os.environ.get("NATS_URL"), reason="needs NATS (NATS_URL)")


@pytest.fixture
async def mesh(
    gateway_database: str, storage_dir: Path, tmp_path: Path
) -> AsyncIterator[tuple[httpx.AsyncClient, dict]]:
    bus = Bus.fresh(os.environ["NATS_URL"])
    tag = bus.prefix.upper()
    async with AsyncExitStack() as exits:
        stack = await start_stack(
            exits,
            gateway_database,
            storage_dir,
            tmp_path / "state",
            **bus.gateway_fields(),
            stage_jobs_stream=f"JOBS_{tag}",
            progress_stream=f"PROGRESS_{tag}",
            stage_workers=2,
            stage_workers_per_user=1,
            stage_max_attempts=2,
            max_running_stages_per_user=5,
        )
        yield stack.client, {"settings": stack.settings, "dsn": plain_dsn(gateway_database)}


async def account(client: httpx.AsyncClient, email: str) -> dict[str, str]:
    body = {"email": email, "password": "a-long-unusual-passphrase"}
    await client.post("/api/auth/register", json=body)
    token = (await client.post("/api/auth/login", json=body)).json()["session_token"]
    return {"Authorization": f"Bearer {token}"}


async def start_images(client: httpx.AsyncClient, h: dict[str, str]) -> str:
    sid = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
    body = {"session_id": sid, "product_prompt": "pink tennis shoes with white laces", "num_images": 4}
    r = await client.post("/api/generate-images", headers=h, json=body)
    assert r.status_code == 202, r.text
    return sid


async def finished_at(client: httpx.AsyncClient, h: dict[str, str], sid: str) -> float:
    for _ in range(1200):
        stage = (await client.get(f"/api/sessions/{sid}", headers=h)).json()["stage"]
        if stage not in ("image_generation", "clip_generation", "final_composition"):
            assert stage == "image_selection", stage
            return time.monotonic()
        await asyncio.sleep(0.05)
    raise AssertionError("never finished")


async def claimed_at(dsn: str, sid: str) -> float:
    """When a worker took the session's stage up (polled: the claim is in the session row)."""
    conn = await asyncpg.connect(dsn)
    try:
        for _ in range(2400):
            if await conn.fetchval(
                "SELECT claimed_by IS NOT NULL OR stage <> 'image_generation' FROM sessions WHERE id = $1",
                sid,
            ):
                return time.monotonic()
            await asyncio.sleep(0.025)
    finally:
        await conn.close()
    raise AssertionError("never taken up")


async def test_one_users_jobs_cannot_hold_every_worker(mesh: tuple[httpx.AsyncClient, dict]) -> None:
    client, ctx = mesh
    flooder, other = await account(client, "flood@example.com"), await account(client, "other@example.com")
    floods = [await start_images(client, flooder) for _ in range(3)]
    first_taken = await claimed_at(ctx["dsn"], floods[0])
    submitted = time.monotonic()
    mine = await start_images(client, other)
    taken = await claimed_at(ctx["dsn"], mine)
    done = sorted(await asyncio.gather(*(finished_at(client, flooder, s) for s in floods)))
    await finished_at(client, other, mine)
    # Two workers, one per user: the flooder's queued jobs wait their turn, and the other user's
    # job is taken up at once, not after the flooder's backlog (or even one of its jobs).
    one_job = done[0] - first_taken
    assert taken - submitted < one_job, (taken - submitted, one_job)
    waited = taken - submitted
    print(f"fairness: the other user's job began {waited:.2f} s after its 202 (one job: {one_job:.1f} s)")


async def test_a_poison_job_ends_failed_with_its_reason(mesh: tuple[httpx.AsyncClient, dict]) -> None:
    client, ctx = mesh
    settings = ctx["settings"]
    h = await account(client, "poison@example.com")
    sid = await start_images(client, h)
    await finished_at(client, h, sid)
    # Its clip stage was taken up as often as allowed by workers that went away (never acked).
    conn = await asyncpg.connect(ctx["dsn"])
    try:
        await conn.execute(
            "UPDATE sessions SET stage = 'clip_generation', stage_run = 7, stage_attempts = $2,"
            " claimed_by = 'gone:1:x' WHERE id = $1",
            sid,
            settings.stage_max_attempts,
        )
    finally:
        await conn.close()
    nc = await nats.connect(settings.nats_url)
    try:
        await nc.jetstream().publish(
            subject(settings), StageJob(sid, SessionStage.CLIP_GENERATION.value, 7).encode()
        )
    finally:
        await nc.close()
    session = await session_at(client, h, sid, "failed", tries=200, pause_s=0.05)
    assert session["stage"] == "failed" and session["failed_stage"] == "clip_generation"
    assert f"stopped {settings.stage_max_attempts} times" in session["error"]
