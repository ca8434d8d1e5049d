"""Run the items of one streaming request concurrently and report each the moment it is done.

Used by every batch agent: bounded concurrency, per-item failures that do not stop the others,
progress from inside an item, and cancellation of all work when the client goes away.

Concurrency is bounded twice: per call (`concurrency`) and per server (`server_slots`, set for each
RPC by services.common.server). The gateway may split a batch into one call per item so that
round_robin spreads it over replicas; the server-wide bound keeps a replica that receives several of
those calls at its own `max_concurrency`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Generic, TypeVar

from services.common.fair_slots import FairSlots

R = TypeVar("R")

# Called by an item's work with (fraction of this item done 0-1, message).
Reporter = Callable[[float, str], None]


@dataclass(frozen=True)
class ItemProgress:
    index: int
    fraction: float
    message: str


@dataclass(frozen=True)
class ItemDone(Generic[R]):
    index: int
    result: R


@dataclass(frozen=True)
class ItemFailed:
    index: int
    error: BaseException


# The serving agent's item slots, shared fairly by all its concurrent calls (None outside a server),
# and the user the current call is for (who gets which slot: services/common/fair_slots.py).
server_slots: ContextVar[FairSlots | None] = ContextVar("server_slots", default=None)
server_caller: ContextVar[str] = ContextVar("server_caller", default="")
# True inside an item that holds a slot: a batch nested in it must not wait for a second one.
_holding_slot: ContextVar[bool] = ContextVar("holding_slot", default=False)


@asynccontextmanager
async def _server_slot() -> AsyncIterator[None]:
    slots = server_slots.get()
    if slots is None or _holding_slot.get():
        yield
        return
    async with slots.slot(server_caller.get()):
        token = _holding_slot.set(True)
        try:
            yield
        finally:
            _holding_slot.reset(token)


async def run_batch(
    count: int, work: Callable[[int, Reporter], Awaitable[R]], concurrency: int
) -> AsyncIterator[ItemProgress | ItemDone[R] | ItemFailed]:
    queue: asyncio.Queue[ItemProgress | ItemDone[R] | ItemFailed] = asyncio.Queue()
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(index: int) -> None:
        def report(fraction: float, message: str) -> None:
            queue.put_nowait(ItemProgress(index, min(1.0, max(0.0, fraction)), message))

        async with gate, _server_slot():
            try:
                queue.put_nowait(ItemDone(index, await work(index, report)))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                queue.put_nowait(ItemFailed(index, exc))

    tasks = [asyncio.create_task(one(i)) for i in range(count)]
    finished = 0
    try:
        while finished < count:
            event = await queue.get()
            if not isinstance(event, ItemProgress):
                finished += 1
            yield event
    finally:
        # The client went away or the server is stopping: stop every item still running.
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
