"""The offline engine: the procedural studio renderer, in worker processes off the event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from services.common.costs import Stopwatch, local_cost
from services.image_gen.config import Settings
from services.image_gen.providers import GeneratedImage, ImageRequest
from services.image_gen.render import RenderSpec, render

MODEL = "local/pillow-studio"


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: leave when the agent dies, even by SIGKILL (no orphaned workers)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def render_png(spec: RenderSpec, path: str, compress_level: int) -> tuple[float, float]:
    """Runs in a worker: render and write the PNG; returns the worker's (cpu, wall) seconds."""
    with Stopwatch() as sw:
        render(spec).save(path, format="PNG", compress_level=compress_level)
    return sw.cpu_s, sw.wall_s


class LocalProvider:
    name = "local"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None

    async def start(self) -> None:
        if self._pool is None:
            # Processes, not threads: rendering is CPU-bound numpy/Pillow work and must not hold
            # the event loop's GIL. `spawn` keeps gRPC's threads out of the children.
            self._pool = ProcessPoolExecutor(
                max_workers=self.settings.max_concurrency,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
        # Start every worker and import the renderer now, so the first request is not slow.
        loop = asyncio.get_running_loop()
        warm = RenderSpec("other", "top", 0, size=64)
        await asyncio.gather(
            *(loop.run_in_executor(self._pool, render, warm) for _ in range(self.settings.max_concurrency))
        )

    async def generate(self, request: ImageRequest, out_dir: Path) -> GeneratedImage:
        if self._pool is None:
            await self.start()
        assert self._pool is not None
        spec = RenderSpec(
            category=request.category,
            view=request.view,
            seed=request.seed,
            palette=request.palette,
            materials=request.materials,
            size=self.settings.image_size,
        )
        path = out_dir / f"{request.item_id}.png"
        loop = asyncio.get_running_loop()
        cpu_s, wall_s = await loop.run_in_executor(
            self._pool, render_png, spec, str(path), self.settings.png_compress_level
        )
        fallback = ""
        if request.model and request.model != MODEL:
            fallback = f"model {request.model!r} needs the replicate engine; rendered offline with {MODEL}"
        return GeneratedImage(path, local_cost(MODEL, cpu_s, wall_s), fallback)

    async def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
