"""`python -m stack` as a real process: start, health, crash restart, graceful stop of every child."""

from __future__ import annotations

import asyncio
import importlib.util
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from stack.processes import AGENTS
from stack.spawn import LaunchedStack, Ports
from tests.agents import wait_serving

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

MESH_MODULES = ("gateway.__main__", "gateway.db.migrate", *(f"services.{a}.server" for a in AGENTS))


def mesh_missing() -> list[str]:
    return [m for m in MESH_MODULES if not _has(m)]


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


requires_mesh = pytest.mark.skipif(bool(mesh_missing()), reason=f"not written yet: {mesh_missing()}")


@pytest.fixture
async def fresh_database() -> AsyncIterator[str]:
    """An empty database of its own on the machine's PostgreSQL (the launcher migrates it)."""
    name = f"adreel_stack_{secrets.token_hex(5)}"
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def child_of(launcher: psutil.Process, module: str) -> psutil.Process:
    found = [p for p in launcher.children() if module in p.cmdline()]
    assert len(found) == 1, f"{module}: {found}"
    return found[0]


@requires_mesh
async def test_launcher_starts_restarts_and_stops_the_mesh(fresh_database: str, tmp_path: Path) -> None:
    ports = Ports()
    stack = LaunchedStack(
        {
            **ports.env(),
            "DATABASE_URL": fresh_database,
            "ADREEL_HOME": str(tmp_path / "home"),
            "ADREEL_RESTART_BACKOFF_S": "0.2",
        }
    )
    try:
        url = await asyncio.to_thread(stack.start)
        assert url == f"http://127.0.0.1:{ports.gateway}"
        async with httpx.AsyncClient() as http:
            health = await http.get(f"{url}/health")
        assert health.status_code == 200, health.text
        assert health.json()["database"] is True

        assert stack.process is not None
        launcher = psutil.Process(stack.process.pid)
        for name, port in ports.agents.items():
            child_of(launcher, f"services.{name}")
            await wait_serving(port, 5)
        gateway = child_of(launcher, "gateway")
        assert not any("embedded PostgreSQL" in line for line in stack.lines), "DATABASE_URL was ignored"

        # kill -9 one agent: the launcher logs it, restarts it, and it answers SERVING again.
        victim = child_of(launcher, "services.image_gen")
        left_behind = victim.children(recursive=True)  # e.g. its render pool, as a container would lose
        mark = len(stack.lines)
        victim.kill()
        await asyncio.to_thread(stack.wait_for, r"image_gen exited with signal SIGKILL", 10, mark)
        _, alive = psutil.wait_procs(left_behind, timeout=5)
        assert not alive, f"the crashed agent's processes outlived it: {alive}"
        await asyncio.to_thread(stack.wait_for, r"image_gen is ready again", 60, mark)
        reborn = child_of(launcher, "services.image_gen")
        assert reborn.pid != victim.pid
        await wait_serving(ports.agents["image_gen"], 5)
        assert gateway.is_running() and gateway.pid == child_of(launcher, "gateway").pid

        everything = launcher.children(recursive=True)
        assert len(everything) >= 5
    finally:
        code = await asyncio.to_thread(stack.stop, 60)
    assert code == 0, "\n".join(stack.lines[-30:])
    _, alive = psutil.wait_procs(everything, timeout=5)
    assert not alive, f"left running: {alive}"
    assert stack.lines[-1].endswith("all processes stopped")


def started_pid(stack: LaunchedStack, name: str, after: int = 0) -> int:
    """The pid the launcher reported for the latest start of `name` (from line `after` on)."""
    line = stack.wait_for(rf"started {re.escape(name)} \(pid \d+\)", 10, after)
    match = re.search(r"\(pid (\d+)\)", line)
    assert match is not None
    return int(match.group(1))


@requires_mesh
async def test_two_gateway_replicas_share_everything_and_a_killed_one_comes_back(
    fresh_database: str, tmp_path: Path
) -> None:
    """ADREEL_GATEWAY_REPLICAS=2: gateways on two ports in a row over one PostgreSQL, NATS and set of
    agents; either serves what the other did; kill -9 one and the launcher brings it back."""
    ports = Ports.with_replicas(2)
    first, second = (f"http://127.0.0.1:{port}" for port in ports.gateways)
    stack = LaunchedStack(
        {
            **ports.env(),
            "DATABASE_URL": fresh_database,
            "ADREEL_HOME": str(tmp_path / "home"),
            "ADREEL_RESTART_BACKOFF_S": "0.2",
        }
    )
    try:
        assert await asyncio.to_thread(stack.start) == first
        await asyncio.to_thread(stack.wait_for, re.escape(f"{first}, {second}"), 5)
        assert stack.process is not None
        launcher = psutil.Process(stack.process.pid)
        survivor, victim = (psutil.Process(started_pid(stack, f"gateway-{n}")) for n in (1, 2))
        assert {survivor.pid, victim.pid} <= {p.pid for p in launcher.children()}

        async with httpx.AsyncClient(timeout=10) as http:
            for base in (first, second):
                health = await http.get(f"{base}/health")
                assert health.status_code == 200 and health.json()["database"] is True, base
            # One database and one signing secret: what one replica issued, the other honours.
            login = await http.post(
                f"{first}/api/auth/login", json={"email": "demo@example.com", "password": "demo123"}
            )
            h = {"Authorization": f"Bearer {login.json()['session_token']}"}
            created = await http.post(f"{first}/api/sessions/create", headers=h, json={})
            assert created.status_code == 201
            sid = created.json()["session_id"]
            assert (await http.get(f"{second}/api/sessions/{sid}", headers=h)).status_code == 200

            mark = len(stack.lines)
            victim.kill()
            await asyncio.to_thread(stack.wait_for, r"gateway-2 exited with signal SIGKILL", 10, mark)
            await asyncio.to_thread(stack.wait_for, r"gateway-2 is ready again", 60, mark)
            assert started_pid(stack, "gateway-2", mark) != victim.pid
            assert (await http.get(f"{second}/api/sessions/{sid}", headers=h)).status_code == 200
            # The other replica served throughout and was never restarted.
            assert survivor.is_running() and (await http.get(f"{first}/health")).status_code == 200
        assert not any("gateway-1 exited" in line for line in stack.lines)
        everything = launcher.children(recursive=True)
    finally:
        code = await asyncio.to_thread(stack.stop, 60)
    assert code == 0, "\n".join(stack.lines[-30:])
    _, alive = psutil.wait_procs(everything, timeout=5)
    assert not alive, f"left running: {alive}"
