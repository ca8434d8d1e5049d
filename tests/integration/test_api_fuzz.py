"""schemathesis against the gateway's /openapi.json, every operation, authenticated, with the whole
data path answering (fixed-latency agents on real gRPC): no server error, and every response
conforms to the document (status code, content type, headers, body schema).

About half the generated session ids (path and body) are replaced by a real session of the user,
so requests get past "not found" into stage checks and real stage runs. Supersedes
test_gateway_schema.py (which checks for 5xx only, with the agents down).
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
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bench.engines import running_engines
from gateway.app import create_app
from gateway.core.config import Settings
from services.common.storage import LocalStore
from tests.gateway_support import gateway_database, gateway_settings, running_gateway

__all__ = ["gateway_database"]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def live_gateway(
    gateway_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str, list[str]]]:
    """(base URL, bearer token, the user's session ids) of a gateway served from its own thread."""
    tmp: Path = tmp_path_factory.mktemp("fuzz")
    started: list[tuple[str, Settings]] = []
    ready, stop = threading.Event(), threading.Event()

    async def serve() -> None:
        store = LocalStore(tmp / "storage")
        async with running_engines(store, latency_s=0.0) as engines:
            cfg = gateway_settings(gateway_database, store.root, tmp / "state", **engines.addrs)
            async with running_gateway(cfg) as base:
                started.append((base, cfg))
                ready.set()
                await asyncio.to_thread(stop.wait)

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(60), "gateway did not start"
    base, cfg = started[0]
    r = httpx.post(f"{base}/api/auth/register", json={"email": "fuzz2@example.com", "password": "fuzz-pass"})
    token = r.json()["session_token"]
    h = {"Authorization": f"Bearer {token}"}
    sids = [httpx.post(f"{base}/api/sessions/create", headers=h).json()["session_id"] for _ in range(3)]
    assert httpx.get(f"{base}/openapi.json").json() == create_app(cfg).openapi()
    yield base, token, sids
    stop.set()
    thread.join(30)


schema = schemathesis.openapi.from_dict(
    create_app(Settings(database_url="postgresql://schema/only")).openapi()
)


def _real_ids(case: schemathesis.Case, sids: list[str]) -> None:
    """Point about half the cases at one of the user's real sessions (chosen from the generated id)."""

    def pick(generated: object) -> object:
        text = str(generated)
        if not text or int.from_bytes(text.encode()[-2:], "big") % 2:
            return generated
        return sids[len(text) % len(sids)]

    if case.path_parameters and "session_id" in case.path_parameters:
        case.path_parameters["session_id"] = pick(case.path_parameters["session_id"])
    if isinstance(case.body, dict) and "session_id" in case.body:
        case.body["session_id"] = pick(case.body["session_id"])


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_conforms(case: schemathesis.Case, live_gateway: tuple[str, str, list[str]]) -> None:
    base, token, sids = live_gateway
    _real_ids(case, sids)
    response = case.call(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    case.validate_response(response, checks=CHECKS)
