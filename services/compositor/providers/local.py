"""The offline music engine: numpy synthesis per genre (services/compositor/synth.py)."""

from __future__ import annotations

import asyncio
import time

import numpy as np

from services.common.costs import local_cost
from services.compositor.providers.base import MusicRequest, MusicTrack
from services.compositor.synth import GENRES, RATE, synthesize

MODEL = "local/numpy-synth"


class LocalMusic:
    name = "local"

    def __init__(self, fallback_reason: str = "") -> None:
        self.fallback_reason = fallback_reason

    async def make_music(self, request: MusicRequest) -> MusicTrack:
        if request.genre not in GENRES:
            raise ValueError(f"unknown genre {request.genre!r}")

        def run() -> tuple[np.ndarray, float]:
            # The worker thread's own CPU: exact even while other work shares the process.
            start = time.thread_time()
            samples = synthesize(request.genre, request.duration_s, request.seed)
            return samples, time.thread_time() - start

        wall = time.perf_counter()
        samples, cpu_s = await asyncio.to_thread(run)
        cost = local_cost(MODEL, cpu_s, time.perf_counter() - wall)
        return MusicTrack(samples, RATE, cost, self.fallback_reason)

    async def warmup(self) -> None:
        await asyncio.to_thread(synthesize, GENRES[0], 0.5, 0)

    async def close(self) -> None:
        return None
