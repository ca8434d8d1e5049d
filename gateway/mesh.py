"""The gateway's place in a deployment of many replicas: one NATS connection carrying the stage-job
queue (gateway/stage_jobs.py) and the progress bus (gateway/progress_bus.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from nats.aio.client import Client as NATS
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.core.config import Settings
from gateway.progress import ProgressHub
from gateway.progress_bus import ProgressBus
from gateway.stage_jobs import StageJobQueue
from gateway.stage_runner import StageRunner
from services.common.nats_conn import connect_nats

log = logging.getLogger(__name__)
MESH_CONNECT_S = 15.0


@dataclass
class Mesh:
    nc: NATS
    jobs: StageJobQueue
    bus: ProgressBus

    async def drain(self) -> None:
        await self.jobs.drain()

    async def close(self) -> None:
        await self.bus.stop()
        with contextlib.suppress(Exception):
            await self.nc.close()


async def connect_mesh(
    settings: Settings, db: async_sessionmaker[AsyncSession], runner: StageRunner, hub: ProgressHub
) -> Mesh | None:
    """None without NATS (one process: in-process stage tasks and a local hub)."""
    if not settings.nats_url:
        return None
    try:
        async with asyncio.timeout(MESH_CONNECT_S):
            nc = await connect_nats(settings.nats_url, "adreel-gateway-mesh")
    except TimeoutError:
        # NATS away at startup: serve anyway, running stages in this process until a restart.
        log.error("NATS unreachable: stages run in this process only", extra={"nats": settings.nats_url})
        return None
    bus = ProgressBus(settings, nc, hub)
    await bus.start()
    jobs = StageJobQueue(settings, db, runner, nc)
    await jobs.start()
    runner.jobs = jobs
    log.info("gateway joined the mesh", extra={"worker": jobs.worker_id, "nats": settings.nats_url})
    return Mesh(nc, jobs, bus)
