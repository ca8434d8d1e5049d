"""GET /health: the database and each agent's grpc.health.v1 status."""

from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Response, status
from sqlalchemy import text

from gateway.agents import AGENT_NAMES
from gateway.api.deps import AgentsDep, SessionDep
from gateway.schemas import Health

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"model": Health, "description": "database down"}})
async def health(db: SessionDep, agents: AgentsDep, response: Response) -> Health:
    try:
        await db.execute(text("SELECT 1"))
        database = True
    except Exception:  # any failure means "not healthy"; the cause goes to the log
        log.warning("health: the database did not answer", exc_info=True)
        database = False
    statuses = await asyncio.gather(*(agents.status(n, timeout_s=1.0) for n in AGENT_NAMES))
    agent_status = dict(zip(AGENT_NAMES, statuses, strict=True))
    if not database:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    ok = database and all(s == "SERVING" for s in statuses)
    return Health(status="ok" if ok else "degraded", database=database, agents=agent_status)
