"""Fixtures of the API journeys: the four real agents on loopback and a gateway in front of them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from gateway.core.config import Settings
from services.compositor.server import build as build_compositor
from services.image_gen.server import build as build_image_gen
from services.prompt_parser.server import build as build_prompt_parser
from services.video_gen.server import build as build_video_gen
from tests.agents import running_agent
from tests.gateway_support import gateway_database, gateway_settings, running_gateway

__all__ = ["gateway_database"]


@dataclass
class Stack:
    client: httpx.AsyncClient
    ws_base: str
    settings: Settings
    ports: dict[str, int]


async def start_stack(
    stack: AsyncExitStack,
    database_url: str,
    storage_dir: Path,
    state_dir: Path,
    external: dict[str, int] | None = None,
) -> Stack:
    """Agents in this event loop (except those in `external`: name -> port of a running process)."""
    builders = {
        "prompt_parser": build_prompt_parser,
        "image_gen": build_image_gen,
        "video_gen": build_video_gen,
        "compositor": build_compositor,
    }
    ports: dict[str, int] = dict(external or {})
    for name, build in builders.items():
        if name in ports:
            continue
        agent, agent_settings = build()
        server, _ = await stack.enter_async_context(running_agent(agent, agent_settings))
        ports[name] = server.port
    addrs = {f"{name}_addr": f"127.0.0.1:{port}" for name, port in ports.items()}
    settings = gateway_settings(database_url, storage_dir, state_dir, **addrs)
    base = await stack.enter_async_context(running_gateway(settings))
    client = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=60))
    return Stack(client, base.replace("http", "ws"), settings, ports)


@pytest.fixture
async def stack(gateway_database: str, storage_dir: Path, tmp_path: Path) -> AsyncIterator[Stack]:
    async with AsyncExitStack() as exits:
        yield await start_stack(exits, gateway_database, storage_dir, tmp_path / "state")
