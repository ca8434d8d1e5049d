"""The offline voice's warm Piper process: reused between requests, replaced when it dies, killed
when it overruns its deadline (a real Piper each time)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import numpy as np
import pytest

from services.compositor import piper_process
from services.compositor.piper_process import speak_lines


@pytest.fixture(autouse=True)
async def fresh() -> AsyncIterator[None]:
    await piper_process.close_all()
    yield
    await piper_process.close_all()


def _pid(speed: float) -> int:
    proc = piper_process._processes[speed].proc
    assert proc is not None and proc.poll() is None
    return proc.pid


async def test_one_process_answers_every_request_in_order() -> None:
    first = await speak_lines(["Hello.", "A much longer line than the first one, said slowly."], 1.0, 60)
    pid = _pid(1.0)
    again = await speak_lines(["Hello."], 1.0, 60)
    assert _pid(1.0) == pid, "the process stayed up between requests"
    assert first[1].size > 2 * first[0].size, "each line's own audio, in order"
    # Piper varies its delivery a little each time: about the same length, and speech.
    assert abs(again[0].size - first[0].size) < 0.2 * first[0].size and np.abs(again[0]).max() > 0.05


async def test_a_dead_process_is_replaced_and_speeds_take_turns() -> None:
    await speak_lines(["One."], 1.0, 60)
    piper_process._processes[1.0].kill()
    assert (await speak_lines(["Two."], 1.0, 60))[0].size > 0, "a fresh process answers"
    slow = (await speak_lines(["Steady and slow."], 0.7, 60))[0]
    fast = (await speak_lines(["Steady and slow."], 1.5, 60))[0]
    assert slow.size > 1.6 * fast.size
    assert sorted(piper_process._processes) == [1.0, 1.5], "1.0 stays warm beside the latest speed"


async def test_an_overrun_kills_the_process() -> None:
    await speak_lines(["Warm."], 1.0, 60)
    pid = _pid(1.0)
    with pytest.raises(TimeoutError):
        await speak_lines(["A sentence that takes longer to speak than no time at all."] * 20, 1.0, 0.01)
    await asyncio.sleep(0)
    assert (await speak_lines(["Back."], 1.0, 60))[0].size > 0
    assert _pid(1.0) != pid
