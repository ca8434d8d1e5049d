"""Starting agents on loopback inside a test: real grpc.aio servers on free ports."""

from __future__ import annotations

import asyncio
import importlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from gateway.agent_identity import identity_interceptors
from services.common.agent_auth import TokenSigner, new_private, public_of
from services.common.config import AgentSettings
from services.common.server import Agent, AgentServer

ROOT = Path(__file__).resolve().parent.parent


def _agent_keys() -> None:
    """One key pair per test (or bench) run: every gateway signs with it, every agent checks it,
    agents started as processes included (they inherit the environment)."""
    if not os.environ.get("ADREEL_AGENT_SIGNING_KEY"):
        private = new_private()
        os.environ["ADREEL_AGENT_SIGNING_KEY"] = private
        os.environ["ADREEL_AGENT_VERIFY_KEY"] = public_of(private)


_agent_keys()


def agent_channel(
    target: str, interceptors: list[grpc.aio.ClientInterceptor] | None = None
) -> grpc.aio.Channel:
    """A channel whose calls carry the gateway's token for the request's session, as the gateway's do."""
    signer = TokenSigner(os.environ["ADREEL_AGENT_SIGNING_KEY"])
    return grpc.aio.insecure_channel(
        target, interceptors=[*(interceptors or []), *identity_interceptors(signer)]
    )


@asynccontextmanager
async def running_agent(
    agent: Agent, settings: AgentSettings, ready_timeout_s: float = 60.0
) -> AsyncIterator[tuple[AgentServer, grpc.aio.Channel]]:
    """Serve `agent` on a free loopback port in this event loop; yield it and a channel to it."""
    settings = settings.model_copy(update={"host": "127.0.0.1", "port": 0})
    server = AgentServer(agent, settings)
    await server.start()
    await asyncio.wait_for(server.ready.wait(), ready_timeout_s)
    channel = agent_channel(f"127.0.0.1:{server.port}")
    try:
        yield server, channel
    finally:
        await channel.close()
        await server.stop(0)


async def start_agents(exits: AsyncExitStack, names: Iterable[str]) -> dict[str, int]:
    """Each named agent (`services.<name>.server.build()`: its settings from the environment) on a
    free loopback port in this event loop until `exits` closes; name -> port."""
    ports = {}
    for name in names:
        agent, settings = importlib.import_module(f"services.{name}.server").build()
        server, _ = await exits.enter_async_context(running_agent(agent, settings))
        ports[name] = server.port
    return ports


async def health_status(channel: grpc.aio.Channel, service: str = "") -> int:
    stub = health_pb2_grpc.HealthStub(channel)
    reply = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
    return reply.status


def spawn_agent(module: str, port: int, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """`python -m services.<module>` as a real process (for SIGTERM and crash tests)."""
    full_env = {**os.environ, "PORT": str(port), **(env or {})}
    return subprocess.Popen(
        [sys.executable, "-m", f"services.{module}"],
        cwd=ROOT,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


async def wait_serving(port: int, timeout_s: float = 30.0) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            try:
                if await health_status(channel) == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"agent on port {port} never became SERVING")
            await asyncio.sleep(0.1)


def terminate(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
