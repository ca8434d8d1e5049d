"""Adreel for programs, plugged into the gateway in one place: the batch routes and their runner."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from gateway.api.routes import batches
from gateway.batch_runner import BatchRunner, reseal_batch_secrets
from gateway.core.config import Settings


@dataclass
class ProgramParts:
    runner: BatchRunner

    async def stop(self) -> None:
        await self.runner.stop()


def install_program_routes(app: FastAPI) -> None:
    app.include_router(batches.router)


async def start_programs(app: FastAPI, settings: Settings) -> ProgramParts:
    """In the lifespan, once the database and the orchestrator are up (and after interrupted
    sessions were marked failed, so the batches resume them)."""
    await reseal_batch_secrets(app.state.sessionmaker, settings.webhook_keyring)
    runner = BatchRunner(settings, app.state.sessionmaker, app)
    app.state.batch_runner = runner
    runner.start()
    return ProgramParts(runner)
