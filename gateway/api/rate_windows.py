"""Sliding windows (rate limits per key) and the JSON answers the edge sends on its own."""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Callable

from starlette.types import Send


class SlidingWindow:
    """At most `limit` hits per key in any `window_s`; memory is bounded by the active keys."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._next_sweep = 0.0

    def _recent(self, key: str, now: float) -> deque[float] | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return None
        return hits

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again (0 when it may now)."""
        now = self.clock()
        hits = self._recent(key, now)
        if hits is None or len(hits) < self.limit:
            return 0.0
        return hits[-self.limit] + self.window_s - now

    def hit(self, key: str) -> None:
        now = self.clock()
        self._hits.setdefault(key, deque()).append(now)
        if now >= self._next_sweep:  # forget idle keys, so memory follows the active ones only
            for k in list(self._hits):
                self._recent(k, now)
            self._next_sweep = now + self.window_s

    def clear(self, key: str) -> None:
        self._hits.pop(key, None)

    def count(self, key: str) -> int:
        hits = self._recent(key, self.clock())
        return len(hits) if hits is not None else 0

    def reserve(self, key: str) -> tuple[float, float]:
        """Check and count in one step (nothing can run in between): (seconds to wait, the hit's
        time). When the wait is 0 the hit is counted; `undo` takes it back if it should not count."""
        if (wait := self.retry_after(key)) > 0:
            return wait, 0.0
        self.hit(key)
        return 0.0, self._hits[key][-1]

    def undo(self, key: str, at: float) -> None:
        hits = self._hits.get(key)
        if hits is not None and at in hits:
            hits.remove(at)
            if not hits:
                del self._hits[key]

    def __len__(self) -> int:
        return len(self._hits)


async def answer(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def too_many(what: str, wait_s: float) -> tuple[int, str, dict[str, str]]:
    seconds = max(1, math.ceil(wait_s))
    return 429, f"{what}; try again in {seconds} s", {"Retry-After": str(seconds)}
