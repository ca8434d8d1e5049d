"""Readiness probes, as Kubernetes would run them: grpc.health.v1 for agents, HTTP GET for web apps."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

Probe = Callable[[], Awaitable[bool]]


def grpc_serving(address: str, service: str = "") -> Probe:
    """True once the agent's health service answers SERVING."""

    async def probe() -> bool:
        async with grpc.aio.insecure_channel(address) as channel:
            try:
                reply = await health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service=service), timeout=2
                )
            except grpc.aio.AioRpcError:
                return False
            return reply.status == health_pb2.HealthCheckResponse.SERVING

    return probe


def http_ok(url: str) -> Probe:
    """True once GET `url` answers 2xx."""

    async def probe() -> bool:
        try:
            async with httpx.AsyncClient(timeout=2) as client:
                return (await client.get(url)).is_success
        except httpx.HTTPError:
            return False

    return probe


async def wait_until(probe: Probe, timeout_s: float, interval_s: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout_s
    while not await probe():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(interval_s)
    return True
