"""gRPC clients of the four agents, and the health check the orchestrator makes before each call.

Each agent is dialled through ONE channel whose target may hold several backends (`dns:///name:port`
on Kubernetes, where a headless Service returns every pod; `ipv4:127.0.0.1:p1,127.0.0.1:p2` on
loopback) with the round_robin policy: gRPC keeps one long-lived HTTP/2 connection per backend, so
only the client can spread calls over replicas. Client-side health checking (grpc.health.v1 Watch
on the agent's service) takes a NOT_SERVING or stopping replica out of the rotation at once.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from adreel.v1 import (
    compositor_pb2,
    compositor_pb2_grpc,
    image_gen_pb2,
    image_gen_pb2_grpc,
    prompt_parser_pb2,
    prompt_parser_pb2_grpc,
    video_gen_pb2,
    video_gen_pb2_grpc,
)
from gateway.agent_identity import identity_interceptors
from gateway.core.config import Settings
from gateway.telemetry import count_agent_error
from services.common.telemetry import client_interceptors

SERVING = health_pb2.HealthCheckResponse.SERVING
AGENT_NAMES = ("prompt_parser", "image_gen", "video_gen", "compositor")
# The health service name each agent reports (its gRPC service), watched per backend.
AGENT_SERVICES = {
    "prompt_parser": prompt_parser_pb2.DESCRIPTOR.services_by_name["PromptParserService"].full_name,
    "image_gen": image_gen_pb2.DESCRIPTOR.services_by_name["ImageGenService"].full_name,
    "video_gen": video_gen_pb2.DESCRIPTOR.services_by_name["VideoGenService"].full_name,
    "compositor": compositor_pb2.DESCRIPTOR.services_by_name["CompositorService"].full_name,
}


def service_config(agent: str) -> str:
    return json.dumps(
        {
            "loadBalancingConfig": [{"round_robin": {}}],
            "healthCheckConfig": {"serviceName": AGENT_SERVICES[agent]},
        }
    )


def channel_target(addr: str) -> str:
    """`host:port,host:port` (no scheme) becomes an `ipv4:` list; anything else is used as given."""
    if "," in addr and ":///" not in addr and not addr.startswith(("ipv4:", "ipv6:")):
        return f"ipv4:{addr}"
    return addr


# Large results never travel (media is passed by reference) but protos may still grow.
_OPTIONS = [
    # Our service config, never one published in DNS TXT records.
    ("grpc.service_config_disable_resolution", 1),
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
    """One channel per agent: round_robin over every healthy backend the target resolves to."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.addrs = {
            "prompt_parser": settings.prompt_parser_addr,
            "image_gen": settings.image_gen_addr,
            "video_gen": settings.video_gen_addr,
            "compositor": settings.compositor_addr,
        }
        self.channels = {
            n: grpc.aio.insecure_channel(
                channel_target(a),
                options=[*_OPTIONS, ("grpc.service_config", service_config(n))],
                interceptors=[*client_interceptors(), *identity_interceptors(settings.agent_signer)],
            )
            for n, a in self.addrs.items()
        }
        # Connect (and start watching each backend's health) now, not on the first stage: round_robin
        # can only spread calls over the backends it has already found READY.
        for channel in self.channels.values():
            channel.get_state(try_to_connect=True)
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
            count_agent_error(agent, "UNAVAILABLE")
            raise AgentUnavailable(agent, self.addrs[agent], status)

    def forget(self, agent: str) -> None:
        """Drop the cached health after a failed call, so the next call checks again."""
        self._cache.pop(agent, None)

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.channels.values()))
