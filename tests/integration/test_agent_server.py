"""The shared bootstrap: health follows the engine's readiness and shutdown; errors map to statuses."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.common.config import AgentSettings
from services.common.server import Agent, AgentServer
from tests.agents import health_status

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


async def test_not_serving_until_warm_then_serving_then_not_serving_on_stop() -> None:
    release = asyncio.Event()
    agent = Agent(
        name="probe", services=["adreel.v1.ProbeService"], register=lambda s: None, warmup=release.wait
    )
    server = AgentServer(agent, AgentSettings(port=0))
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        assert await health_status(channel) == NOT_SERVING
        assert await health_status(channel, "adreel.v1.ProbeService") == NOT_SERVING
        release.set()
        await asyncio.wait_for(server.ready.wait(), 5)
        assert await health_status(channel) == SERVING
        assert await health_status(channel, "adreel.v1.ProbeService") == SERVING

        # Reflection lists the agent's service and health.
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = {s.name async for r in replies for s in r.list_services_response.service}
        assert {"adreel.v1.ProbeService", "grpc.health.v1.Health"} <= names

        stopping = asyncio.create_task(server.stop(grace=0.5))
        await asyncio.sleep(0.05)
        try:
            status = await health_status(channel)
        except grpc.aio.AioRpcError:
            status = None  # the listener is already gone: just as good
        assert status != SERVING
        await stopping


async def test_failing_warmup_is_retried_and_stays_not_serving_meanwhile() -> None:
    attempts = 0

    async def flaky() -> None:
        nonlocal attempts
        attempts += 1
        if attempts < 3:
            raise RuntimeError("engine not there yet")

    agent = Agent(name="flaky", services=[], register=lambda s: None, warmup=flaky)
    server = AgentServer(agent, AgentSettings(port=0))
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            assert await health_status(channel) == NOT_SERVING
            await asyncio.wait_for(server.ready.wait(), 10)
            assert attempts == 3
            assert await health_status(channel) == SERVING
    finally:
        await server.stop(0)
