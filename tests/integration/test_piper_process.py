"""The offline voice's warm Piper process: one for every speed, reused between requests, replaced
when it dies, killed when it overruns its deadline; its phoneme alignments account for every
sample it speaks (a real Piper each time)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator

import numpy as np
import pytest

from services.compositor import piper_process
from services.compositor.piper_process import RATE, SENTENCE_PAUSE_S, speak_lines


@pytest.fixture(autouse=True)
async def fresh() -> AsyncIterator[None]:
    await piper_process.close_all()
    yield
    await piper_process.close_all()


def _pid() -> int:
    proc = piper_process._shared().proc
    assert proc is not None and proc.poll() is None
    return proc.pid


async def test_one_process_answers_every_request_in_order() -> None:
    first = await speak_lines(["Hello.", "A much longer line than the first one, said slowly."], 1.0, 60)
    pid = _pid()
    again = await speak_lines(["Hello."], 1.0, 60)
    assert _pid() == pid, "the process stayed up between requests"
    assert first[1].samples.size > 2 * first[0].samples.size, "each line's own audio, in order"
    # Piper varies its delivery a little each time: about the same length, and speech.
    assert abs(again[0].samples.size - first[0].samples.size) < 0.2 * first[0].samples.size
    assert np.abs(again[0].samples).max() > 0.05


async def test_alignments_cover_every_sample_with_a_pause_between_sentences() -> None:
    (spoken,) = await speak_lines(["Fresh and light. Made for you."], 1.0, 60)
    phonemes = spoken.phonemes
    assert "".join(p.symbol for p in phonemes).count("^") == 2, "two sentences"
    assert phonemes[0].start == 0 and phonemes[-1].end == spoken.samples.size
    second = next(p for p in phonemes[1:] if p.symbol == "^")
    before = phonemes[phonemes.index(second) - 1]
    assert second.start - before.end == round(SENTENCE_PAUSE_S * RATE), "the pause sits between them"
    assert np.abs(spoken.samples[before.end : second.start]).max() == 0.0, "and is silent"
    gaps = [b.start - a.end for a, b in itertools.pairwise(phonemes) if b.symbol != "^"]
    assert set(gaps) == {0}, "within a sentence the phonemes follow one another"


async def test_a_dead_process_is_replaced_and_one_process_speaks_every_speed() -> None:
    await speak_lines(["One."], 1.0, 60)
    pid = _pid()
    piper_process._shared().kill()
    assert (await speak_lines(["Two."], 1.0, 60))[0].samples.size > 0, "a fresh process answers"
    assert _pid() != pid
    pid = _pid()
    slow = (await speak_lines(["Steady and slow."], 0.7, 60))[0].samples
    fast = (await speak_lines(["Steady and slow."], 1.5, 60))[0].samples
    assert slow.size > 1.6 * fast.size
    assert _pid() == pid, "the same process spoke both speeds"


async def test_an_overrun_kills_the_process() -> None:
    await speak_lines(["Warm."], 1.0, 60)
    pid = _pid()
    with pytest.raises(TimeoutError):
        await speak_lines(["A sentence that takes longer to speak than no time at all."] * 20, 1.0, 0.01)
    await asyncio.sleep(0)
    assert (await speak_lines(["Back."], 1.0, 60))[0].samples.size > 0
    assert _pid() != pid
