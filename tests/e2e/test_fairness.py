"""No user starves another: while one user floods the image agent (as many 8-image stages as their
quota lets run, again and again), another user's 4-image job finishes within twice its unloaded time.

The real prompt parser and image agent (offline engines) on loopback, the gateway in front of them,
real PostgreSQL. The ratio is printed (run with -s to see it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time

import httpx
import pytest
import websockets

from tests.gateway_support import Stack, fixture_image_stack, gateway_database, login, socket_url

__all__ = ["fixture_image_stack", "gateway_database"]


@pytest.fixture
def client(image_stack: Stack) -> httpx.AsyncClient:
    return image_stack.client


async def images_job(c: httpx.AsyncClient, token: str, num_images: int) -> float:
    """A new session's image stage, from the start request to its terminal event, in seconds."""
    h = {"Authorization": f"Bearer {token}"}
    sid = (await c.post("/api/sessions/create", headers=h)).json()["session_id"]
    async with websockets.connect(await socket_url(c, token, sid)) as ws:
        await ws.recv()
        body = {"session_id": sid, "product_prompt": "red leather handbag", "num_images": num_images}
        started = time.monotonic()
        for _ in range(2400):  # the flooder's quota of running stages: try again until one ends
            if (r := await c.post("/api/generate-images", headers=h, json=body)).status_code != 429:
                break
            await asyncio.sleep(0.05)
        assert r.status_code == 202, r.text
        while (event := json.loads(await asyncio.wait_for(ws.recv(), 120)))["type"] not in (
            "complete",
            "failed",
        ):
            pass
    assert event["type"] == "complete", event["message"]
    return time.monotonic() - started


async def test_a_flood_does_not_starve_another_user(client: httpx.AsyncClient) -> None:
    victim, flooder = await login(client), await login(client)
    await images_job(client, victim, 4)  # warm up engines and connections
    unloaded = min([await images_job(client, victim, 4) for _ in range(2)])

    stop = asyncio.Event()

    async def flood() -> None:
        while not stop.is_set():
            await images_job(client, flooder, 8)

    floods = [asyncio.create_task(flood()) for _ in range(3)]  # one more than the quota lets run
    try:
        await asyncio.sleep(1.5)  # the agent's slots and queue are full of the flooder's items
        loaded = await images_job(client, victim, 4)
    finally:
        stop.set()
        for task in floods:
            task.cancel()
        for task in floods:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    ratio = loaded / unloaded
    print(f"\nfairness: 4 images alone {unloaded:.2f} s, during a flood {loaded:.2f} s, ratio {ratio:.2f}")
    assert ratio <= 2.0, (unloaded, loaded)
