"""schemathesis over /openapi.json: generated requests (valid and invalid) never get a 5xx.

The gateway runs on a real uvicorn in a thread of its own with a real PostgreSQL; agents are down,
so the generation endpoints get as far as the database allows.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from gateway.app import create_app
from gateway.core.config import Settings
from tests.gateway_support import gateway_database, gateway_settings, running_gateway, unused_addr

__all__ = ["gateway_database"]


@pytest.fixture(scope="module")
def live_gateway(
    gateway_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(base URL, bearer token of a user owning one session) of a gateway served from a thread."""
    tmp: Path = tmp_path_factory.mktemp("schema")
    down = unused_addr()
    cfg = gateway_settings(
        gateway_database,
        tmp / "storage",
        tmp / "state",
        prompt_parser_addr=down,
        image_gen_addr=down,
        video_gen_addr=down,
        compositor_addr=down,
        agent_retry_wait_s=0.01,
        agent_ready_timeout_s=0.05,
    )
    started: list[str] = []
    ready, stop = threading.Event(), threading.Event()

    async def serve() -> None:
        async with running_gateway(cfg) as base:
            started.append(base)
            ready.set()
            await asyncio.to_thread(stop.wait)

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(30), "gateway did not start"
    base = started[0]
    r = httpx.post(f"{base}/api/auth/register", json={"email": "fuzz@example.com", "password": "fuzz-pass"})
    token = r.json()["session_token"]
    httpx.post(f"{base}/api/sessions/create", headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    assert httpx.get(f"{base}/openapi.json").json() == create_app(cfg).openapi()
    yield base, token
    stop.set()
    thread.join(20)


# The document the gateway serves at /openapi.json (building it needs no database).
schema = schemathesis.openapi.from_dict(
    create_app(Settings(database_url="postgresql://schema/only")).openapi()
)


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: schemathesis.Case, live_gateway: tuple[str, str]) -> None:
    base, token = live_gateway
    response = case.call(base_url=base, headers={"Authorization": f"Bearer {token}"})
    # 503 is the documented answer while an agent is down (they all are here); anything else 5xx is a bug.
    agent_down = response.status_code == 503 and "agent" in response.text
    assert response.status_code < 500 or agent_down, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text}"
    )
