"""Helpers for the tests of Adreel for programs (batches, the MCP server, API keys): the four real
agents on loopback, a gateway in front of them with settings of the test's own, a user."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from gateway.core.config import Settings
from services.compositor.server import build as build_compositor
from services.image_gen.server import build as build_image_gen
from services.prompt_parser.server import build as build_prompt_parser
from services.video_gen.server import build as build_video_gen
from tests.agents import running_agent
from tests.gateway_support import gateway_settings, login, running_gateway

# Small and fast: 4 images, 2 clips of 2 s (an offline row takes a few seconds).
FAST_ROW = {"images": 4, "clips": 2, "clip_duration": 2.0}


async def start_agents(exits: AsyncExitStack) -> dict[str, str]:
    """The four agents in this event loop; their addresses as gateway settings."""
    builders = {
        "prompt_parser": build_prompt_parser,
        "image_gen": build_image_gen,
        "video_gen": build_video_gen,
        "compositor": build_compositor,
    }
    addrs: dict[str, str] = {}
    for name, build in builders.items():
        agent, agent_settings = build()
        server, _ = await exits.enter_async_context(running_agent(agent, agent_settings))
        addrs[f"{name}_addr"] = f"127.0.0.1:{server.port}"
    return addrs


def program_settings(
    database_url: str, storage_dir: Path, state_dir: Path, addrs: dict[str, str], **overrides: Any
) -> Settings:
    fields: dict[str, Any] = {
        **addrs,
        "webhook_allow_private": True,  # the receiver is on loopback
        "webhook_backoff_s": 0.2,
        "webhook_poll_s": 0.1,
        "batch_poll_s": 0.1,
        "batch_lease_s": 3.0,
    }
    return gateway_settings(database_url, storage_dir, state_dir, **(fields | overrides))


@asynccontextmanager
async def gateway_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base, timeout=60) as client:
        yield client


async def bearer(client: httpx.AsyncClient) -> dict[str, str]:
    """A fresh user's Authorization header."""
    return {"Authorization": f"Bearer {await login(client)}"}


async def wait_batch(
    client: httpx.AsyncClient, headers: dict[str, str], batch_id: str, timeout_s: float = 240
) -> dict[str, Any]:
    async with asyncio.timeout(timeout_s):
        while True:
            r = await client.get(f"/api/batches/{batch_id}", headers=headers)
            r.raise_for_status()
            if (view := r.json())["status"] != "running":
                return view
            await asyncio.sleep(0.3)
