"""Sliding windows kept in PostgreSQL: a rate limit that holds across every gateway replica.

Each check-and-count runs in one transaction under an advisory lock on the key, so concurrent calls
on any replicas are counted one at a time (40 simultaneous starts can't all pass a check made
before any was counted). Times are the database's own clock, the same for every replica. Keys are
hashed (name + key), so the table holds no email or address.
"""

from __future__ import annotations

import hashlib
import random

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

# Rows older than this are swept now and then (a key's own old rows go at each of its checks).
_SWEEP_AFTER = "1 day"


class SharedWindow:
    """At most `limit` hits per key in any `window_s` seconds, counted in `rate_hits`."""

    def __init__(self, name: str, limit: int, window_s: float) -> None:
        self.name = name
        self.limit = limit
        self.window_s = window_s

    def _digest(self, key: str) -> str:
        # surrogatepass: a key made of what a client sent (an email) may hold a lone surrogate.
        return hashlib.sha256(f"{self.name}\x00{key}".encode("utf-8", "surrogatepass")).hexdigest()

    async def reserve(self, db: async_sessionmaker[AsyncSession], key: str) -> tuple[float, int]:
        """Check and count in one step: (seconds to wait, the hit's id). When the wait is 0 the hit
        is counted; `undo` takes it back if it should not count."""
        digest = self._digest(key)
        async with db.begin() as s:
            await s.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": digest})
            window = {"k": digest, "w": self.window_s}
            await s.execute(
                text(
                    "DELETE FROM rate_hits WHERE key = :k"
                    " AND at <= clock_timestamp() - make_interval(secs => :w)"
                ),
                window,
            )
            recent = (
                (
                    await s.execute(
                        text(
                            "SELECT extract(epoch FROM at + make_interval(secs => :w) - clock_timestamp())"
                            " FROM rate_hits WHERE key = :k ORDER BY at DESC LIMIT :n"
                        ),
                        {**window, "n": self.limit},
                    )
                )
                .scalars()
                .all()
            )
            if len(recent) >= self.limit:
                return max(0.001, float(recent[-1])), 0
            hit = await s.scalar(text("INSERT INTO rate_hits (key) VALUES (:k) RETURNING id"), {"k": digest})
            if random.random() < 0.01:  # housekeeping of keys gone idle
                await s.execute(
                    text(f"DELETE FROM rate_hits WHERE at < clock_timestamp() - interval '{_SWEEP_AFTER}'")
                )
            return 0.0, int(hit)

    async def count(self, db: async_sessionmaker[AsyncSession], key: str) -> int:
        async with db() as s:
            n = await s.scalar(
                text(
                    "SELECT count(*) FROM rate_hits WHERE key = :k"
                    " AND at > clock_timestamp() - make_interval(secs => :w)"
                ),
                {"k": self._digest(key), "w": self.window_s},
            )
        return int(n or 0)

    async def undo(self, db: async_sessionmaker[AsyncSession], hit: int) -> None:
        if hit:
            async with db.begin() as s:
                await s.execute(text("DELETE FROM rate_hits WHERE id = :id"), {"id": hit})

    async def clear(self, db: async_sessionmaker[AsyncSession], key: str) -> None:
        async with db.begin() as s:
            await s.execute(text("DELETE FROM rate_hits WHERE key = :k"), {"k": self._digest(key)})
