"""An agent's slots between users: a flood never takes them all, and a small job goes first."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from services.common.fair_slots import FairSlots


async def hold(slots: FairSlots, caller: str, started: list[str], release: asyncio.Event) -> None:
    async with slots.slot(caller):
        started.append(caller)
        await release.wait()


async def test_a_flood_leaves_a_slot_and_a_small_job_goes_first() -> None:
    slots = FairSlots(4, reserve=1)
    started: list[str] = []
    gates = [asyncio.Event() for _ in range(20)]
    flood = [asyncio.create_task(hold(slots, "flood", started, gates[i])) for i in range(12)]
    await asyncio.sleep(0)
    assert started == ["flood"] * 3  # one slot stays free for anyone else
    small = [asyncio.create_task(hold(slots, "small", started, gates[12 + i])) for i in range(3)]
    await asyncio.sleep(0)
    assert started[3:] == ["small"]  # at once, not behind nine queued items
    for i in range(2):  # each slot the flood frees goes to the caller with less outstanding work
        gates[i].set()
        await asyncio.sleep(0.01)
    assert started[3:] == ["small"] * 3
    gates[2].set()
    await asyncio.sleep(0.01)
    assert started[6:] == ["flood"] and slots.held("small") == 3
    for g in gates:
        g.set()
    await asyncio.gather(*flood, *small)
    assert started.count("flood") == 12 and slots.held("flood") == slots.held("small") == 0


async def test_a_cancelled_waiter_gives_its_turn_back() -> None:
    slots = FairSlots(1)
    release, started = asyncio.Event(), []
    first = asyncio.create_task(hold(slots, "a", started, release))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(hold(slots, "b", started, release))
    await asyncio.sleep(0)
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting
    release.set()
    await first
    third = asyncio.create_task(hold(slots, "c", started, release))
    await asyncio.wait_for(third, 1)
    assert started == ["a", "c"] and slots.held("a") == slots.held("b") == 0


@pytest.mark.parametrize(("capacity", "reserve", "per_caller"), [(4, 1, 3), (1, 1, 1), (2, 5, 1), (8, 0, 8)])
def test_one_caller_always_gets_at_least_one_slot(capacity: int, reserve: int, per_caller: int) -> None:
    assert FairSlots(capacity, reserve).per_caller == per_caller
