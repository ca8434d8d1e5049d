"""Helpers for gateway tests: a database of its own per run, a gateway on a free port, the agents.

The database comes from DATABASE_URL when set (the machine's PostgreSQL), else from an embedded
pgserver under a temporary folder; either way a uniquely named `adreel_test_<hex>` database is
created, migrated to head and dropped afterwards.

Fixtures are used by importing them into a test module (and naming them in its `__all__`):
`gateway_database`; `fixture_settings` (the fixture `settings`: a gateway with every agent down and
the module's `GATEWAY_OVERRIDES`, a dict of settings, if it has one) and `fixture_client` (the fixture
`client`: the gateway of `settings` on loopback and an httpx client to it; a module that defines a
`settings` of its own gets `client` for its own settings); `fixture_stack` (the fixture `stack`: the
four agents in this event loop and a gateway in front of them, see `start_stack`); `fixture_image_stack`
(the fixture `image_stack`: the same with only the agents of the image stage). tests/integration's
conftest.py provides `gateway_database`, `settings` and `client` to every integration module.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
import websockets
from sqlalchemy.engine import make_url

from gateway.app import create_app
from gateway.core.config import Settings, to_asyncpg_url
from gateway.db.embedded import start_embedded_postgres
from gateway.db.migrate import upgrade
from stack.embedded import free_port
from stack.processes import AGENTS
from tests.agents import start_agents

IMAGE_AGENTS = ("prompt_parser", "image_gen")  # what the image stage calls


def plain_dsn(url: str, database: str | None = None) -> str:
    """A plain libpq DSN asyncpg accepts, optionally for another database on the same server."""
    u = make_url(to_asyncpg_url(url)).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


@contextmanager
def scratch_database() -> Iterator[str]:
    """Yield the postgresql:// URL of a fresh, migrated database; drop it afterwards."""
    server: Any = None
    tmp: tempfile.TemporaryDirectory[str] | None = None
    base = os.environ.get("DATABASE_URL")
    if not base:
        tmp = tempfile.TemporaryDirectory(prefix="adreel-pg-")
        base, server = start_embedded_postgres(Path(tmp.name) / "pgdata")
    name = f"adreel_test_{secrets.token_hex(6)}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(plain_dsn(base, "postgres"))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = plain_dsn(base, name)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if server is not None:
            server.stop()
        if tmp is not None:
            tmp.cleanup()


def gateway_settings(database_url: str, storage_dir: Path, state_dir: Path, **overrides: Any) -> Settings:
    fields: dict[str, Any] = {
        "database_url": database_url,
        "storage_dir": storage_dir,
        "state_dir": state_dir,
        "jwt_secret": secrets.token_urlsafe(32),
        "agent_retry_wait_s": 0.3,
        "bcrypt_rounds": 4,  # hashing speed, not what is tested here
        # Costs are booked inline unless a test brings its own NATS stream and ledger.
        "nats_url": None,
        # Rate-limit windows of this gateway's own: tests share one database, not their limits.
        "rate_limit_namespace": f"t{secrets.token_hex(4)}:",
    }
    return Settings(**(fields | overrides))


@asynccontextmanager
async def running_gateway(settings: Settings) -> AsyncIterator[str]:
    """Serve the gateway with uvicorn on a free loopback port in this event loop; yield its base URL."""
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        ws="websockets-sansio",
        proxy_headers=False,  # as `python -m gateway` runs it
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 15)


@asynccontextmanager
async def gateway_client(
    settings: Settings, *, signed_in: bool = False, timeout_s: float = 30
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway served on loopback and an httpx client to it (signed in as a fresh user if asked)."""
    async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base, timeout=timeout_s) as c:
        if signed_in:
            c.headers.update(bearer(await login(c)))
        yield c


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a bearer token."""
    return {"Authorization": f"Bearer {token}"}


async def login(client: httpx.AsyncClient, email: str | None = None, password: str = "secret-pass") -> str:
    """Register a fresh user (or log in the demo one) and return its bearer token."""
    if email is None:
        email = f"u{secrets.token_hex(4)}@example.com"
        r = await client.post("/api/auth/register", json={"email": email, "password": password})
    else:
        r = await client.post("/api/auth/login", json={"email": email, "password": password})
    r.raise_for_status()
    return r.json()["session_token"]


@pytest.fixture(scope="session")
def gateway_database(request: pytest.FixtureRequest) -> str:
    """One migrated database for the whole run, shared by every module that imports this fixture."""
    url: str | None = getattr(request.config, "_adreel_database_url", None)
    if url is None:
        cm = scratch_database()
        url = cm.__enter__()
        request.config.add_cleanup(lambda: cm.__exit__(None, None, None))
        request.config._adreel_database_url = url  # type: ignore[attr-defined]
    return url


async def socket_url(client: httpx.AsyncClient, token: str, sid: str) -> str:
    """WS /ws/{sid} with a fresh single-use ticket: every connection needs one of its own."""
    r = await client.post(
        "/api/ws-ticket", headers={"Authorization": f"Bearer {token}"}, json={"session_id": sid}
    )
    r.raise_for_status()
    base = str(client.base_url).rstrip("/").replace("http", "ws", 1)
    return f"{base}/ws/{sid}?ticket={r.json()['ticket']}"


async def events_until_terminal(ws: Any) -> list[dict[str, Any]]:
    """A session socket's events (heartbeats left out) up to the first `complete` or `failed`."""
    events: list[dict[str, Any]] = []
    while not events or events[-1]["type"] not in ("complete", "failed"):
        event = json.loads(await asyncio.wait_for(ws.recv(), 120))
        if event["type"] != "heartbeat":
            events.append(event)
    return events


async def stage_events(
    client: httpx.AsyncClient, token: str, sid: str, path: str, body: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """POST `path` (a stage's start or a retry) with the session's socket open, its snapshot read:
    the start must be accepted (202); the stage's events until it completes or fails."""
    async with websockets.connect(await socket_url(client, token, sid)) as ws:
        await ws.recv()
        r = await client.post(path, headers=bearer(token), json=body)
        assert r.status_code == 202, r.text
        return await events_until_terminal(ws)


async def session_at(
    client: httpx.AsyncClient, headers: dict[str, str], sid: str, stage: str, *, tries: int, pause_s: float
) -> dict[str, Any]:
    """GET the session until it is at `stage` (at most `tries` times, `pause_s` apart): the last one read."""
    for _ in range(tries):
        session: dict[str, Any] = (await client.get(f"/api/sessions/{sid}", headers=headers)).json()
        if session["stage"] == stage:
            break
        await asyncio.sleep(pause_s)
    return session


def unused_addr() -> str:
    """A loopback address nothing listens on (an agent that is down)."""
    return f"127.0.0.1:{free_port()}"


def agent_addrs(ports: dict[str, int]) -> dict[str, str]:
    """Agents on loopback (name -> port) as the gateway's address settings."""
    return {f"{name}_addr": f"127.0.0.1:{port}" for name, port in ports.items()}


def agentless_settings(database_url: str, storage_dir: Path, state_dir: Path, **overrides: Any) -> Settings:
    """`gateway_settings` with every agent down, except those whose address `overrides` gives."""
    down = unused_addr()
    agents = {f"{name}_addr": down for name in AGENTS}
    return gateway_settings(database_url, storage_dir, state_dir, **(agents | overrides))


@dataclass
class Stack:
    client: httpx.AsyncClient
    ws_base: str
    settings: Settings
    ports: dict[str, int]


async def start_stack(
    exits: AsyncExitStack,
    database_url: str,
    storage_dir: Path,
    state_dir: Path,
    *,
    external: dict[str, int] | None = None,
    agents: Iterable[str] = AGENTS,
    **overrides: Any,
) -> Stack:
    """The named agents (all four unless told) in this event loop, except those in `external`
    (name -> port of a running process); the others are down. A gateway in front of them with
    `overrides` in its settings, and a client to it; all until `exits` closes."""
    ports: dict[str, int] = dict(external or {})
    ports |= await start_agents(exits, [name for name in agents if name not in ports])
    settings = agentless_settings(database_url, storage_dir, state_dir, **agent_addrs(ports), **overrides)
    base = await exits.enter_async_context(running_gateway(settings))
    client = await exits.enter_async_context(httpx.AsyncClient(base_url=base, timeout=60))
    return Stack(client, base.replace("http", "ws"), settings, ports)


@asynccontextmanager
async def running_stack(
    database_url: str, storage_dir: Path, state_dir: Path, **kwargs: Any
) -> AsyncIterator[Stack]:
    """`start_stack` as a context of its own."""
    async with AsyncExitStack() as exits:
        yield await start_stack(exits, database_url, storage_dir, state_dir, **kwargs)


@pytest.fixture(name="stack")
async def fixture_stack(gateway_database: str, storage_dir: Path, tmp_path: Path) -> AsyncIterator[Stack]:
    async with running_stack(gateway_database, storage_dir, tmp_path / "state") as stack:
        yield stack


@pytest.fixture(name="image_stack")
async def fixture_image_stack(
    gateway_database: str, storage_dir: Path, tmp_path: Path
) -> AsyncIterator[Stack]:
    async with running_stack(gateway_database, storage_dir, tmp_path / "state", agents=IMAGE_AGENTS) as stack:
        yield stack


@pytest.fixture(name="settings")
def fixture_settings(
    request: pytest.FixtureRequest, gateway_database: str, storage_dir: Path, tmp_path: Path
) -> Settings:
    overrides = getattr(request.module, "GATEWAY_OVERRIDES", {})
    return agentless_settings(gateway_database, storage_dir, tmp_path / "state", **overrides)


@pytest.fixture(name="client")
async def fixture_client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(settings) as c:
        yield c


@asynccontextmanager
async def spawned_gateway(
    database_url: str, tmp: Path, env: dict[str, str] | None = None
) -> AsyncIterator[tuple[str, int]]:
    """`python -m gateway` as its own process, exactly as deployed (its uvicorn flags, its memory);
    yield (base URL, pid). Agents are down unless `env` names them; costs are booked inline."""
    port = free_port()
    down = unused_addr()
    full_env = {
        **{k: v for k, v in os.environ.items() if k != "NATS_URL"},
        "DATABASE_URL": database_url,
        "ADREEL_GATEWAY_PORT": str(port),
        "ADREEL_STATE_DIR": str(tmp / "state"),
        "ADREEL_STORAGE_DIR": str(tmp / "storage"),
        "ADREEL_JWT_SECRET": secrets.token_urlsafe(32),
        "ADREEL_BCRYPT_ROUNDS": "4",
        "ADREEL_LOG_LEVEL": "WARNING",
        **{f"ADREEL_{a.upper()}_ADDR": down for a in AGENTS},
        **(env or {}),
    }
    log = tmp / f"gateway-{port}.log"
    with log.open("wb") as out:  # a file, not a pipe: nobody has to keep reading it
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", env=full_env, stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=2) as probe:
            for _ in range(300):
                if proc.returncode is not None:
                    raise RuntimeError(f"the gateway exited: {log.read_text()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await probe.get("/openapi.json")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
            else:
                raise TimeoutError("the gateway never answered")
        yield base, proc.pid
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()


@asynccontextmanager
async def spawned_client(
    database_url: str, tmp: Path, env: dict[str, str] | None = None, *, timeout_s: float = 30
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client to `spawned_gateway(database_url, tmp, env)`."""
    async with (
        spawned_gateway(database_url, tmp, env) as (base, _),
        httpx.AsyncClient(base_url=base, timeout=timeout_s) as c,
    ):
        yield c
