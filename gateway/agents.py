"""gRPC clients of the four agents, and the health check the orchestrator makes before each call."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from adreel.v1 import (
    compositor_pb2_grpc,
    image_gen_pb2_grpc,
    prompt_parser_pb2_grpc,
    video_gen_pb2_grpc,
)
from gateway.core.config import Settings

SERVING = health_pb2.HealthCheckResponse.SERVING
AGENT_NAMES = ("prompt_parser", "image_gen", "video_gen", "compositor")
# Large results never travel (media is passed by reference) but protos may still grow.
_OPTIONS = [
    ("grpc.lb_policy_name", "round_robin"),
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.max_receive_message_length", 16 * 1024 * 1024),
    # A restarted agent is found within seconds (gRPC's default backoff grows to two minutes).
    ("grpc.initial_reconnect_backoff_ms", 250),
    ("grpc.min_reconnect_backoff_ms", 250),
    ("grpc.max_reconnect_backoff_ms", 2000),
]


class AgentUnavailable(Exception):
    """An agent is NOT_SERVING or unreachable after the one retry."""

    def __init__(self, agent: str, addr: str, why: str) -> None:
        super().__init__(f"the {agent} agent at {addr} is unavailable ({why})")
        self.agent = agent


@dataclass
class _Health:
    status: int
    at: float


class AgentClients:
    """One channel per agent (round_robin over DNS when the address is `dns:///name:port`)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.addrs = {
            "prompt_parser": settings.prompt_parser_addr,
            "image_gen": settings.image_gen_addr,
            "video_gen": settings.video_gen_addr,
            "compositor": settings.compositor_addr,
        }
        self.channels = {n: grpc.aio.insecure_channel(a, options=_OPTIONS) for n, a in self.addrs.items()}
        self.prompt_parser = prompt_parser_pb2_grpc.PromptParserServiceStub(self.channels["prompt_parser"])
        self.image_gen = image_gen_pb2_grpc.ImageGenServiceStub(self.channels["image_gen"])
        self.video_gen = video_gen_pb2_grpc.VideoGenServiceStub(self.channels["video_gen"])
        self.compositor = compositor_pb2_grpc.CompositorServiceStub(self.channels["compositor"])
        self._health = {n: health_pb2_grpc.HealthStub(c) for n, c in self.channels.items()}
        self._cache: dict[str, _Health] = {}

    async def status(self, agent: str, timeout_s: float = 2.0, wait_for_ready: bool = False) -> str:
        """SERVING, NOT_SERVING, ... or UNREACHABLE (never raises). `wait_for_ready` rides out a
        channel's reconnect backoff for up to `timeout_s` instead of failing at once."""
        try:
            reply = await self._health[agent].Check(
                health_pb2.HealthCheckRequest(), timeout=timeout_s, wait_for_ready=wait_for_ready
            )
        except grpc.aio.AioRpcError:
            self._cache.pop(agent, None)
            return "UNREACHABLE"
        self._cache[agent] = _Health(reply.status, time.monotonic())
        return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)

    async def ensure_serving(self, agent: str) -> None:
        """Pass when the agent is SERVING (answers cached briefly); else wait, check once more, raise."""
        cached = self._cache.get(agent)
        if (
            cached
            and cached.status == SERVING
            and time.monotonic() - cached.at < self.settings.health_cache_s
        ):
            return
        status = await self.status(agent)
        if status == "SERVING":
            return
        await asyncio.sleep(self.settings.agent_retry_wait_s)
        status = await self.status(agent, timeout_s=self.settings.agent_ready_timeout_s, wait_for_ready=True)
        if status != "SERVING":
            raise AgentUnavailable(agent, self.addrs[agent], status)

    def forget(self, agent: str) -> None:
        """Drop the cached health after a failed call, so the next call checks again."""
        self._cache.pop(agent, None)

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.channels.values()))
