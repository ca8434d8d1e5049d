"""The one grpc.aio bootstrap every agent uses.

- the standard grpc.health.v1 service: NOT_SERVING until the engine is warmed up, SERVING after,
  NOT_SERVING again once shutdown begins (so load balancers stop sending work first);
- server reflection (grpcurl, debugging), unless ADREEL_GRPC_REFLECTION=false (the prod overlay);
- the gateway's signed, session-bound token checked on every call (services.common.agent_auth);
- graceful stop on SIGTERM/SIGINT: in-flight streams get `shutdown_grace_s` to finish, then are
  cancelled (which kills their FFmpeg/provider work), and the process exits well within 10 s;
- OpenTelemetry: a server span per RPC continuing the caller's trace (services.common.telemetry);
- one pool of `max_concurrency` item slots shared by all concurrent calls (services.common.batch).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from services.common.agent_auth import AgentAuth, load_public
from services.common.batch import server_caller, server_slots
from services.common.config import AgentSettings
from services.common.fair_slots import FairSlots
from services.common.handler_wrap import FirstStep, FirstStepInterceptor
from services.common.logs import configure_logging
from services.common.telemetry import server_interceptors, setup_telemetry

log = logging.getLogger(__name__)

_OPTIONS = [
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.http2.max_pings_without_data", 0),
    ("grpc.keepalive_permit_without_calls", 1),
    # Clients re-resolve DNS only when a connection ends: a GOAWAY every 5 minutes lets the gateway
    # find replicas an autoscaler added. Calls already running get 15 minutes (> any render) to end.
    ("grpc.max_connection_age_ms", 300_000),
    ("grpc.max_connection_age_grace_ms", 900_000),
]


class ShareItemSlots(FirstStepInterceptor):
    """Hands every RPC the server's item slots, so `run_batch` bounds the items of all concurrent
    calls together (a batch split into one call per item must not multiply the concurrency), and
    the user the call is for, so the slots are shared fairly between users."""

    def __init__(self, slots: FairSlots) -> None:
        self.slots = slots

    def first_step(self, details: grpc.HandlerCallDetails) -> FirstStep:
        slots = self.slots
        caller = caller_of(details)

        async def share(request: object, context: grpc.aio.ServicerContext) -> None:
            server_slots.set(slots)  # this RPC's own task context
            server_caller.set(caller)

        return share


# The user a call is for (the fairness key), as the gateway sends it.
CALLER_METADATA = "adreel-caller"


def caller_of(details: grpc.HandlerCallDetails) -> str:
    for key, value in details.invocation_metadata or ():
        if key == CALLER_METADATA:
            return str(value)[:64]
    return ""


Report = Callable[[bool], Awaitable[None]]


@dataclass
class Agent:
    """What a service contributes to the bootstrap."""

    name: str
    # Fully qualified service names, e.g. "adreel.v1.ImageGenService" (for health and reflection).
    services: Sequence[str]
    register: Callable[[grpc.aio.Server], None]
    # Makes the engine ready (checks FFmpeg, fonts, a provider token...); raises when it cannot be.
    warmup: Callable[[], Awaitable[None]] = field(default=lambda: asyncio.sleep(0))
    close: Callable[[], Awaitable[None]] = field(default=lambda: asyncio.sleep(0))
    # For agents whose readiness can come and go (the ledger's NATS and database connections): runs
    # from the first SERVING until stop and calls `report(serving)` whenever readiness changes.
    monitor: Callable[[Report], Awaitable[None]] | None = None


def _auth(agent: Agent, settings: AgentSettings) -> list[grpc.aio.ServerInterceptor]:
    """The gateway's token checked on every call of the agent's services (innermost, so the user it
    names is the one the fair slots see)."""
    if not agent.services or settings.agent_auth == "off":
        return []
    if not settings.agent_verify_key:
        raise RuntimeError(
            f"{agent.name}: ADREEL_AGENT_VERIFY_KEY is not set (the gateway's public key, which "
            "`make run` and the Kubernetes overlays provide); ADREEL_AGENT_AUTH=off lets anyone call"
        )
    return [AgentAuth(set(agent.services), load_public(settings.agent_verify_key))]


class AgentServer:
    def __init__(self, agent: Agent, settings: AgentSettings) -> None:
        self.agent = agent
        self.settings = settings
        reserve = settings.fair_reserve_slots
        slots = FairSlots(
            settings.max_concurrency, settings.max_concurrency // 4 if reserve is None else reserve
        )
        self.server = grpc.aio.server(
            options=_OPTIONS,
            interceptors=[*server_interceptors(), ShareItemSlots(slots), *_auth(agent, settings)],
        )
        self.health = health.aio.HealthServicer()
        self.port = 0
        self.ready = asyncio.Event()
        self._warmup_task: asyncio.Task[None] | None = None

    async def _set(self, status: health_pb2.HealthCheckResponse.ServingStatus.ValueType) -> None:
        for name in ("", *self.agent.services):
            await self.health.set(name, status)

    async def start(self) -> int:
        """Listen (NOT_SERVING), then warm the engine up in the background and turn SERVING."""
        self.agent.register(self.server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        if self.settings.grpc_reflection:
            reflection.enable_server_reflection(
                (*self.agent.services, health.SERVICE_NAME, reflection.SERVICE_NAME), self.server
            )
        await self._set(health_pb2.HealthCheckResponse.NOT_SERVING)
        self.port = self.server.add_insecure_port(f"{self.settings.host}:{self.settings.port}")
        if not self.port:
            raise RuntimeError(f"cannot listen on {self.settings.host}:{self.settings.port}")
        await self.server.start()
        self._warmup_task = asyncio.create_task(self._warm_up())
        log.info("listening", extra={"agent": self.agent.name, "port": self.port})
        return self.port

    async def _warm_up(self) -> None:
        delay = 0.5
        while True:
            try:
                await self.agent.warmup()
                break
            except Exception as exc:
                log.error("engine not ready, retrying", extra={"error": str(exc), "retry_in_s": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
        await self._set(health_pb2.HealthCheckResponse.SERVING)
        self.ready.set()
        log.info("serving", extra={"agent": self.agent.name})
        if self.agent.monitor is not None:
            await self.agent.monitor(self.report)

    async def report(self, serving: bool) -> None:
        """Follow readiness after warmup; once shutdown began the health servicer ignores this."""
        log.info("health", extra={"agent": self.agent.name, "serving": serving})
        status = health_pb2.HealthCheckResponse
        await self._set(status.SERVING if serving else status.NOT_SERVING)

    async def stop(self, grace: float | None = None) -> None:
        grace = self.settings.shutdown_grace_s if grace is None else grace
        log.info("stopping", extra={"agent": self.agent.name, "grace_s": grace})
        if self._warmup_task:
            self._warmup_task.cancel()  # also ends the monitor, which runs in the same task
            with contextlib.suppress(asyncio.CancelledError):
                await self._warmup_task
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)
        await self.agent.close()
        log.info("stopped", extra={"agent": self.agent.name})


async def serve(agent: Agent, settings: AgentSettings) -> None:
    """Run an agent until SIGTERM/SIGINT, then stop gracefully."""
    server = AgentServer(agent, settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    await stop.wait()
    await server.stop()


def main(build: Callable[[], tuple[Agent, AgentSettings]]) -> None:
    """Entry point for `python -m services.<name>`."""
    agent, settings = build()
    setup_telemetry(agent.name)
    configure_logging(agent.name, settings.log_level)
    asyncio.run(serve(agent, settings))
