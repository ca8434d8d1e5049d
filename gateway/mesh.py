"""The gateway's place in a deployment of many replicas: one NATS connection carrying the stage-job
queue (gateway/stage_jobs.py) and the progress bus (gateway/progress_bus.py)."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

import nats
from nats.aio.client import Client as NATS
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.core.config import Settings
from gateway.progress import ProgressHub
from gateway.progress_bus import ProgressBus
from gateway.stage_jobs import StageJobQueue
from gateway.stage_runner import StageRunner

log = logging.getLogger(__name__)


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
    nc = await nats.connect(
        settings.nats_url,
        name="adreel-gateway-mesh",
        connect_timeout=5,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
    )
    bus = ProgressBus(settings, nc, hub)
    await bus.start()
    jobs = StageJobQueue(settings, db, runner, nc)
    await jobs.start()
    runner.jobs = jobs
    log.info("gateway joined the mesh", extra={"worker": jobs.worker_id, "nats": settings.nats_url})
    return Mesh(nc, jobs, bus)
