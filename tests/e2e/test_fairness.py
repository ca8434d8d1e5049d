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
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
import websockets

from services.image_gen.server import build as build_image_gen
from services.prompt_parser.server import build as build_prompt_parser
from tests.agents import running_agent
from tests.gateway_support import (
    gateway_database,
    gateway_settings,
    login,
    running_gateway,
    socket_url,
    unused_addr,
)

__all__ = ["gateway_database"]


@pytest.fixture
async def client(
    gateway_database: str, storage_dir: Path, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async with AsyncExitStack() as stack:
        ports = {}
        for name, build in (("prompt_parser", build_prompt_parser), ("image_gen", build_image_gen)):
            agent, agent_settings = build()
            server, _ = await stack.enter_async_context(running_agent(agent, agent_settings))
            ports[f"{name}_addr"] = f"127.0.0.1:{server.port}"
        down = unused_addr()
        settings = gateway_settings(
            gateway_database,
            storage_dir,
            tmp_path / "state",
            **ports,
            video_gen_addr=down,
            compositor_addr=down,
        )
        base = await stack.enter_async_context(running_gateway(settings))
        yield await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=60))


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
