"""Where a cost is written. Today a direct generation_costs row in the caller's transaction; a later
issue swaps this one function for an outbox row relayed to the NATS ledger."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adreel.v1 import common_pb2
from gateway.db.models import GenerationCost


async def record_cost(
    db: AsyncSession,
    *,
    session_id: str,
    agent: str,
    item_id: str | None,
    cost: common_pb2.Cost,
    success: bool = True,
    error: str | None = None,
) -> None:
    db.add(
        GenerationCost(
            session_id=session_id,
            agent_name=agent,
            item_id=item_id,
            model_used=cost.model or "unknown",
            cost_micros=cost.usd_micros,
            duration_seconds=cost.seconds,
            success=success,
            error_message=error[:500] if error else None,
        )
    )
