"""The FastAPI application: routes, CORS, and the lifespan that owns the database engine, the agent
channels, the progress hub, the orchestrator, the stage watchdog and the cost relay."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from gateway.agents import AgentClients
from gateway.api.client_ip import TrustedProxies, parse_networks
from gateway.api.limits import install_limits
from gateway.api.routes import (
    auth,
    brand_kits,
    engines,
    generation,
    health,
    media,
    music,
    preview,
    revisions,
    sessions,
    shares,
    uploads,
    webhooks,
    ws,
)
from gateway.background import cancel_and_wait
from gateway.core.config import Settings
from gateway.core.errors import install_error_handlers
from gateway.core.log_redaction import install_log_redaction
from gateway.core.passwords import PasswordHasher
from gateway.core.request_errors import install_request_error_handler
from gateway.cost_outbox import BOOKING_KEY, CostBooking, CostRelay
from gateway.db.engine import make_engine, make_sessionmaker
from gateway.mesh import connect_mesh
from gateway.orchestrator import Orchestrator
from gateway.programs import install_program_routes, start_programs
from gateway.progress import ProgressHub
from gateway.telemetry import instrument
from gateway.webhooks.dispatcher import WebhookDispatcher
from gateway.webhooks.sealing import reseal_all
from services.common.storage.factory import open_store

log = logging.getLogger(__name__)


async def _watchdog(orchestrator: Orchestrator, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            if expired := await orchestrator.expire_overdue():
                log.warning("stages past their deadline marked failed", extra={"count": expired})
        except Exception:
            log.exception("watchdog pass failed")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.async_database_url)
        app.state.settings = settings
        app.state.sessionmaker = make_sessionmaker(engine)
        # Without NATS the gateway books costs itself; with it, the outbox relay feeds the ledger.
        booking = CostBooking(inline=not settings.nats_url, alert_ratio=settings.budget_alert_ratio)
        app.state.sessionmaker.configure(info={BOOKING_KEY: booking})
        app.state.store = open_store(settings)
        app.state.agents = AgentClients(settings)
        app.state.hub = ProgressHub()
        app.state.decode_slots = asyncio.Semaphore(settings.upload_decode_slots)
        app.state.passwords = PasswordHasher(
            settings.bcrypt_rounds, settings.password_hash_workers, settings.password_max_waiting
        )
        orchestrator = Orchestrator(settings, app.state.sessionmaker, app.state.agents, app.state.hub)
        app.state.orchestrator = orchestrator
        settings.jwt_key  # noqa: B018 - create the local secret now, not on the first login
        # With NATS: stages are durable jobs any replica runs, and progress reaches every replica.
        mesh = await connect_mesh(settings, app.state.sessionmaker, orchestrator, app.state.hub)
        app.state.progress_bus = mesh.bus if mesh is not None else None
        if recovered := await orchestrator.recover_interrupted():
            log.warning("interrupted sessions marked failed (resumable)", extra={"count": recovered})
        watchdog = asyncio.create_task(_watchdog(orchestrator, settings.watchdog_interval_s))
        if resealed := await reseal_all(app.state.sessionmaker, settings.webhook_keyring):
            log.info("webhook secrets sealed under the current key", extra={"count": resealed})
        webhook_dispatcher = WebhookDispatcher(settings, app.state.sessionmaker)
        webhook_dispatcher.start()
        programs = await start_programs(app, settings)  # batches resume where they were
        relay = CostRelay(settings, app.state.sessionmaker, app.state.hub) if settings.nats_url else None
        if relay is not None:
            await relay.start()
        app.state.cost_relay = relay
        try:
            yield
        finally:
            await cancel_and_wait(watchdog)
            if mesh is not None:
                await mesh.drain()  # running stages go back to the queue for another replica
            await programs.stop()  # before the stages stop, so no row takes that for a failure
            await orchestrator.stop()
            await webhook_dispatcher.stop()  # undelivered events stay in the log for the next start
            if relay is not None:
                await relay.stop()  # after the stages: their last events are in the outbox already
            if mesh is not None:
                await mesh.close()  # after the relay: the stages' last progress events are out
            await app.state.agents.close()
            app.state.passwords.close()
            await engine.dispose()

    app = FastAPI(
        title="Adreel API",
        version="0.1.0",
        description="Product text -> images -> clips -> a finished 1080p30 MP4 ad.",
        lifespan=lifespan,
    )
    instrument(app)  # OpenTelemetry: server spans; OTLP export only with OTEL_EXPORTER_OTLP_ENDPOINT
    install_limits(app, settings)  # body size, login and generation rate limits (inside CORS)
    install_error_handlers(app)  # database down -> 503 with a message
    install_request_error_handler(app)  # a 422 even when the body holds a lone surrogate or NaN
    install_log_redaction()  # ?token= of WebSocket and media URLs never reaches a log line
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.web_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    # Outermost: every part inside sees the client's address, as the configured proxies report it.
    app.add_middleware(TrustedProxies, trusted=parse_networks(settings.trusted_proxies))
    for module in (auth, sessions, shares, generation, revisions, uploads, webhooks, media, ws, health):
        app.include_router(module.router)
    app.include_router(preview.router)
    app.include_router(engines.router)
    app.include_router(brand_kits.router)
    app.include_router(music.router)
    install_program_routes(app)
    return app
