"""The batch runner: bounded concurrency, results as they finish, failures isolated, cancellation."""

from __future__ import annotations

import asyncio

import pytest

from adreel.v1 import image_gen_pb2
from services.common.batch import ItemDone, ItemFailed, ItemProgress, Reporter, run_batch
from services.common.replay import ResultCache, content_digest
from services.common.storage import LocalStore


async def test_results_arrive_in_completion_order_with_isolated_failures() -> None:
    delays = [0.15, 0.01, 0.08, 0.03]
    running = 0
    peak = 0

    async def work(i: int, report: Reporter) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        report(0.5, f"half of {i}")
        await asyncio.sleep(delays[i])
        running -= 1
        if i == 2:
            raise ValueError("item 2 broke")
        return i * 10

    events = [e async for e in run_batch(len(delays), work, concurrency=2)]
    done = [e.index for e in events if isinstance(e, ItemDone)]
    failed = [e for e in events if isinstance(e, ItemFailed)]
    progress = [e for e in events if isinstance(e, ItemProgress)]
    assert peak == 2
    assert sorted(done) == [0, 1, 3]
    assert done.index(1) < done.index(0)  # the quick item is reported before the slow one
    assert len(failed) == 1 and failed[0].index == 2 and "broke" in str(failed[0].error)
    assert len(progress) == 4 and all(p.fraction == 0.5 for p in progress)


async def test_closing_the_stream_cancels_running_items() -> None:
    cancelled: list[int] = []

    async def work(i: int, report: Reporter) -> int:
        try:
            await asyncio.sleep(0 if i == 0 else 30)
        except asyncio.CancelledError:
            cancelled.append(i)
            raise
        return i

    stream = run_batch(3, work, concurrency=3)
    first = await anext(stream)
    assert isinstance(first, ItemDone) and first.index == 0
    await stream.aclose()
    assert sorted(cancelled) == [1, 2]


async def test_result_cache_replays_instead_of_regenerating(store: LocalStore) -> None:
    cache = ResultCache(store, "image_gen")
    calls = 0

    async def make() -> image_gen_pb2.ImageResult:
        nonlocal calls
        calls += 1
        return image_gen_pb2.ImageResult(item_id="img1", seed=7)

    job = image_gen_pb2.ImageJob(item_id="img1")
    digest = content_digest(job)
    first = await cache.get_or_make("s1", "img1", digest, image_gen_pb2.ImageResult, make)
    again = await cache.get_or_make("s1", "img1", digest, image_gen_pb2.ImageResult, make)
    assert calls == 1
    assert not first.replayed and again.replayed and again.seed == 7
    # The same item id asking for something else is made anew, never answered with the old result.
    job.prompt.prompt = "another picture"
    other = await cache.get_or_make("s1", "img1", content_digest(job), image_gen_pb2.ImageResult, make)
    assert calls == 2 and not other.replayed


@pytest.mark.parametrize("concurrency", [0, 1])
async def test_concurrency_floor_is_one(concurrency: int) -> None:
    async def work(i: int, report: Reporter) -> int:
        return i

    events = [e async for e in run_batch(3, work, concurrency=concurrency)]
    assert sorted(e.index for e in events if isinstance(e, ItemDone)) == [0, 1, 2]
