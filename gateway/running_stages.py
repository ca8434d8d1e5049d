"""How many of a user's other sessions are in a running stage: what the per-user limits count (the
quota on starting a stage, and the workers one user's stages may hold at once)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import Session
from gateway.stages import RUNNING_STAGES

RUNNING = [s.value for s in RUNNING_STAGES]


async def others_running(db: AsyncSession, row: Session, *also: Any) -> int:
    """The sessions of `row`'s user, other than `row`, in a running stage (and meeting `also`)."""
    count = await db.scalar(
        select(func.count())
        .select_from(Session)
        .where(Session.user_id == row.user_id, Session.id != row.id, Session.stage.in_(RUNNING), *also)
    )
    return int(count or 0)
