"""Helpers for the tests of Adreel for programs (batches, the MCP server, API keys): the four real
agents on loopback, a gateway in front of them with settings of the test's own, a user."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx

from gateway.core.config import Settings
from stack.processes import AGENTS
from tests.agents import start_agents
from tests.gateway_support import agent_addrs, gateway_settings, login

# Small and fast: 4 images, 2 clips of 2 s (an offline row takes a few seconds).
FAST_ROW = {"images": 4, "clips": 2, "clip_duration": 2.0}


async def start_agent_addrs(exits: AsyncExitStack) -> dict[str, str]:
    """The four agents in this event loop; their addresses as gateway settings."""
    return agent_addrs(await start_agents(exits, AGENTS))


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
