"""schemathesis against the gateway's /openapi.json, every operation, authenticated, with the whole
data path answering (fixed-latency agents on real gRPC): no server error, and every response
conforms to the document (status code, content type, headers, body schema).

About half the generated session ids (path and body) are replaced by a real session of the user,
so requests get past "not found" into stage checks and real stage runs. Supersedes
test_gateway_schema.py (which checks for 5xx only, with the agents down).
"""

from __future__ import annotations

import asyncio
import copy
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


# ---------------------------------------------------------------- stateful: links from a new session


def _body_schema(doc: dict[str, Any], op: dict[str, Any]) -> dict[str, Any]:
    content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref", "")
    return doc["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}) if ref else {}


def with_session_links(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with OpenAPI links from POST /api/sessions/create to every operation that takes
    a session id (in its path or its JSON body), so the state machine chains real sessions through
    every step: a ticket for the socket, uploads, stages, retries, webhooks, shares, deletion."""
    doc = copy.deepcopy(doc)
    links: dict[str, Any] = {}
    for ops in doc["paths"].values():
        for op in ops.values():
            if not isinstance(op, dict) or "operationId" not in op:
                continue
            path_params = {p["name"] for p in op.get("parameters", []) if p.get("in") == "path"}
            if path_params == {"session_id"}:
                expression = {"parameters": {"path.session_id": "$response.body#/session_id"}}
            elif "session_id" in _body_schema(doc, op).get("properties", {}):
                expression = {"requestBody": {"session_id": "$response.body#/session_id"}}
            else:
                continue
            links[op["operationId"]] = {"operationId": op["operationId"], **expression}
    doc["paths"]["/api/sessions/create"]["post"]["responses"]["201"]["links"] = links
    return doc


stateful_schema = schemathesis.openapi.from_dict(
    with_session_links(create_app(Settings(database_url="postgresql://schema/only")).openapi())
)


def test_linked_operations_conform(live_gateway: tuple[str, str, list[str]]) -> None:
    base, token, _ = live_gateway
    links = stateful_schema.raw_schema["paths"]["/api/sessions/create"]["post"]["responses"]["201"]["links"]
    assert {
        "issue_ws_ticket_api_ws_ticket_post",
        "upload_images_api_sessions__session_id__images_post",
    } <= set(links)

    class Fuzz(stateful_schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"base_url": base, "headers": {"Authorization": f"Bearer {token}"}, "timeout": 30}

        def validate_response(self, response: Any, case: schemathesis.Case, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Fuzz.run(
        settings=settings(
            max_examples=12,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
