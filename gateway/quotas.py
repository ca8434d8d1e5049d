"""Per-user quotas that hold across gateway replicas, because they are counted in PostgreSQL:

- running stages at once (`max_running_stages_per_user`): the next start answers 429 naming it;
- spend per UTC day (`max_daily_spend_usd`, what the ledger booked today plus the new stage's
  estimate): past it, 402 naming it.

Checked where every stage starts (gateway/api/routes/generation.py `start`, and a retry), inside
the transaction that moves the session into its running stage. The user's row is locked first, so
two starts of one user (on any replica) take turns: the second sees the first one's stage.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from fastapi import HTTPException, status
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.core.config import Settings
from gateway.db.models import GenerationCost, Session, User
from gateway.responses import dollars
from gateway.running_stages import others_running
from services.common.costs import usd_to_micros


def _start_of_day(now: datetime) -> datetime:
    return now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


async def spent_today_micros(db: AsyncSession, user_id: int) -> int:
    """What the ledger booked for the user's sessions since midnight UTC (deleted ones included)."""
    since = _start_of_day(datetime.now(UTC))
    total = await db.scalar(
        select(func.coalesce(func.sum(GenerationCost.cost_micros), 0))
        .join(Session, Session.id == GenerationCost.session_id)
        .where(Session.user_id == user_id, GenerationCost.created_at >= since)
    )
    return int(total or 0)


async def hold_quotas(db: AsyncSession, row: Session, settings: Settings, estimate_usd: Decimal) -> None:
    """Raise 429 or 402 when starting a stage of `row` now would break the user's quotas."""
    await db.execute(select(User.id).where(User.id == row.user_id).with_for_update())
    running = await others_running(db, row, Session.deleted_at.is_(None))
    limit = settings.max_running_stages_per_user
    if running >= limit:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"running stages: at most {limit} at once per user ({running} running); "
            "start this one when one of them is done",
            headers={"Retry-After": "10"},
        )
    cap = usd_to_micros(settings.max_daily_spend_usd)
    spent = await spent_today_micros(db, row.user_id)
    estimate = usd_to_micros(estimate_usd)
    if spent + estimate > cap:
        tomorrow = _start_of_day(datetime.now(UTC)) + timedelta(days=1)
        raise HTTPException(
            status.HTTP_402_PAYMENT_REQUIRED,
            f"daily spend: at most ${dollars(cap):.2f} per user per day; ${dollars(spent):.2f} spent "
            f"today and this needs about ${dollars(estimate):.2f} (the day ends {tomorrow:%H:%M} UTC)",
        )
