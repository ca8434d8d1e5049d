"""An agent's item slots, shared fairly between the users its calls are for.

A first-come-first-served semaphore let one user's flood of items queue ahead of everyone: another
user's 4-image job went from 1.6 s to 71 s. Here a free slot goes to the caller with the least
outstanding work (slots held plus items waiting), first come first served within a caller, so a
small job overtakes a flood's queue. And one caller holds at most `capacity - reserve` slots, so a
newcomer finds a slot free at once instead of waiting for the flood's items in progress to end.

The caller is the user a call is for, as the gateway's signed token says (services/common/
agent_auth.py); calls without one share the caller "".
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class FairSlots:
    def __init__(self, capacity: int, reserve: int = 0) -> None:
        self.capacity = max(1, capacity)
        self.per_caller = max(1, self.capacity - max(0, reserve))
        self._free = self.capacity
        self._held: dict[str, int] = {}
        self._waiting: dict[str, deque[tuple[int, asyncio.Future[None]]]] = {}
        self._order = itertools.count()

    def held(self, caller: str) -> int:
        return self._held.get(caller, 0)

    def _outstanding(self, caller: str) -> tuple[int, int]:
        queue = self._waiting[caller]
        return self.held(caller) + len(queue), queue[0][0]

    def _grant(self) -> None:
        while self._free > 0:
            for caller in [c for c, q in self._waiting.items() if not q]:
                del self._waiting[caller]
            ready = [c for c in self._waiting if self.held(c) < self.per_caller]
            if not ready:
                return
            caller = min(ready, key=self._outstanding)
            _, future = self._waiting[caller].popleft()
            if future.done():  # cancelled while waiting
                continue
            self._held[caller] = self.held(caller) + 1
            self._free -= 1
            future.set_result(None)

    def _release(self, caller: str) -> None:
        self._held[caller] -= 1
        if not self._held[caller]:
            del self._held[caller]
        self._free += 1
        self._grant()

    @asynccontextmanager
    async def slot(self, caller: str) -> AsyncIterator[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(caller, deque()).append((next(self._order), future))
        self._grant()
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # granted, then cancelled: give it back
                self._release(caller)
            else:
                future.cancel()
                self._grant()
            raise
        try:
            yield
        finally:
            self._release(caller)
