"""The ledger's table, generation_costs: the one piece of code that writes it, and budget crossings.

The ledger (services/ledger) books each fetched batch here in one transaction; a gateway without
NATS books each event here too, inside the transaction that recorded it (gateway/cost_outbox.py). Rows go
in with one INSERT ... ON CONFLICT (event_id) DO NOTHING, so an event delivered twice (a
redelivery, a republished outbox row) is booked once. The gateway only reads the table.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from services.common.costs.contract import BudgetAlert, CostEvent

# Sessions of the batch, locked in a fixed order: two ledger replicas booking the same session
# serialise (so a budget crossing is seen exactly once) and can never deadlock each other.
_LOCK = """
SELECT pg_advisory_xact_lock(hashtext('adreel-ledger:' || s))
FROM unnest($1::text[]) AS s ORDER BY s
"""
_TOTALS = """
SELECT session_id, sum(cost_micros)::bigint FROM generation_costs
WHERE session_id = ANY($1::text[]) GROUP BY session_id
"""
# Events of a deleted session are dropped (the session and its costs are gone), not retried forever.
_INSERT = """
INSERT INTO generation_costs (event_id, session_id, agent_name, item_id, provider, model_used,
                              cost_micros, duration_seconds, success, error_message, created_at,
                              recorded_at)
SELECT e.event_id, e.session_id, e.agent, e.item_id, e.provider, e.model, e.usd_micros, e.seconds,
       e.success, e.error, e.at, clock_timestamp()
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
            $8::float8[], $9::bool[], $10::text[], $11::timestamptz[])
     AS e(event_id, session_id, agent, item_id, provider, model, usd_micros, seconds, success, error, at)
WHERE EXISTS (SELECT 1 FROM sessions s WHERE s.id = e.session_id)
ON CONFLICT (event_id) DO NOTHING
RETURNING session_id, cost_micros
"""


class CostBook:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        if self.pool is None:
            self.pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=2, timeout=5)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
            self.pool = None

    async def ping(self, timeout_s: float = 2.0) -> bool:
        if self.pool is None:
            return False
        try:
            async with self.pool.acquire(timeout=timeout_s) as conn:
                await conn.fetchval("SELECT 1", timeout=timeout_s)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return False
        return True

    async def book(
        self,
        events: Sequence[CostEvent],
        before_commit: Callable[[list[BudgetAlert]], Awaitable[None]] | None = None,
    ) -> tuple[int, list[BudgetAlert]]:
        """Book `events` in a transaction of their own; returns (rows newly written, budget
        thresholds crossed by them).

        `before_commit` gets the crossings while the transaction is still open: when it fails (the
        alert could not be published) nothing is booked and the batch is delivered again.
        """
        assert self.pool is not None, "open() first"
        async with self.pool.acquire() as conn, conn.transaction():
            booked, alerts = await book_events(conn, events)
            if alerts and before_commit is not None:
                await before_commit(alerts)
        return booked, alerts


async def book_events(conn: asyncpg.Connection, events: Sequence[CostEvent]) -> tuple[int, list[BudgetAlert]]:
    """Write `events` into generation_costs inside the transaction open on `conn`; returns (rows
    newly written, budget thresholds crossed by them)."""
    unique = list({e.event_id: e for e in events}.values())
    sessions = sorted({e.session_id for e in unique})
    await conn.execute(_LOCK, sessions)
    before = {sid: int(total) for sid, total in await conn.fetch(_TOTALS, sessions)}
    inserted = await conn.fetch(
        _INSERT,
        [e.event_id for e in unique],
        [e.session_id for e in unique],
        [e.agent for e in unique],
        [e.item_id for e in unique],
        [e.provider for e in unique],
        [e.model for e in unique],
        [e.usd_micros for e in unique],
        [e.seconds for e in unique],
        [e.success for e in unique],
        [e.error for e in unique],
        [e.at for e in unique],
    )
    added: dict[str, int] = {}
    for sid, micros in inserted:
        added[sid] = added.get(sid, 0) + int(micros)
    return len(inserted), _crossings(unique, before, added)


def _crossings(
    events: Sequence[CostEvent], before: dict[str, int], added: dict[str, int]
) -> list[BudgetAlert]:
    """Sessions whose booked total went from below their alert threshold to at or above it."""
    latest = {e.session_id: e for e in events}  # the newest event carries the current policy
    alerts = []
    for sid, extra in added.items():
        event = latest[sid]
        start = before.get(sid, 0)
        if event.alert_micros > 0 and start < event.alert_micros <= start + extra:
            alerts.append(
                BudgetAlert(
                    session_id=sid,
                    spent_micros=start + extra,
                    budget_micros=event.budget_micros,
                    threshold_micros=event.alert_micros,
                )
            )
    return alerts
