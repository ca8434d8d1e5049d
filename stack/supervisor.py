"""Supervised child processes: prefixed logs, restart with backoff on a crash, graceful stop."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time

from stack.config import StackSettings
from stack.console import Logs
from stack.probes import wait_until
from stack.processes import ProcessSpec

_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _die_with_launcher() -> None:
    """Runs in the child before exec: if the launcher is killed -9, the kernel SIGTERMs its children."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


async def exited(process: asyncio.subprocess.Process) -> int:
    """The exit code once the process itself has exited. (Process.wait() also waits until its output
    pipe closes, which never happens while an orphan it left, e.g. a pool worker, still holds it.)"""
    while process.returncode is None:  # noqa: ASYNC110 - no event for "exited, pipe still open"
        await asyncio.sleep(0.1)
    return process.returncode


def describe_exit(code: int) -> str:
    return f"signal {signal.Signals(-code).name}" if code < 0 else f"code {code}"


class Child:
    def __init__(self, spec: ProcessSpec, settings: StackSettings, logs: Logs) -> None:
        self.spec = spec
        self.settings = settings
        self.logs = logs
        self.process: asyncio.subprocess.Process | None = None
        self.restarts = 0
        self._started_at = 0.0
        self._pump: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._background: set[asyncio.Task[None]] = set()
        # Held while (re)spawning and while stopping, so a stop never misses a just-restarted process.
        self._lock = asyncio.Lock()

    @property
    def name(self) -> str:
        return self.spec.name

    async def spawn(self) -> asyncio.subprocess.Process:
        self.process = await asyncio.create_subprocess_exec(
            *self.spec.argv,
            cwd=self.spec.cwd,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.spec.env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # Own process group: a terminal Ctrl-C reaches only the launcher, which stops children in
            # order; and the whole group (FFmpeg, workers) can be killed at the end.
            process_group=0,
            preexec_fn=_die_with_launcher,
            limit=4 * 1024 * 1024,
        )
        self._started_at = time.monotonic()
        self._pump = asyncio.create_task(self._print_output(self.process))
        self.logs.stack(f"started {self.name} (pid {self.process.pid})", "dim")
        return self.process

    async def _print_output(self, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        async for raw in process.stdout:
            self.logs.line(self.name, raw.decode(errors="replace").rstrip())

    async def run_once(self) -> int:
        """For one-shot steps (migrations): run to completion, return the exit code."""
        process = await self.spawn()
        code = await exited(process)
        await self._reap(process)
        return code

    async def wait_ready(self, timeout_s: float) -> bool:
        return self.spec.probe is None or await wait_until(self.spec.probe, timeout_s)

    async def supervise(self) -> None:
        """Keep the process up until stop(): a crash is logged and restarted with exponential backoff."""
        delay = self.settings.restart_backoff_s
        while True:
            assert self.process is not None
            code = await exited(self.process)
            await self._reap(self.process)
            if self._stopping.is_set():
                return
            uptime = time.monotonic() - self._started_at
            if uptime >= self.settings.restart_reset_after_s:
                delay = self.settings.restart_backoff_s
            self.restarts += 1
            self.logs.stack(
                f"{self.name} exited with {describe_exit(code)} after {uptime:.1f} s; "
                f"restart #{self.restarts} in {delay:.1f} s",
                "bold red",
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
                return
            async with self._lock:
                if self._stopping.is_set():
                    return
                await self.spawn()
            delay = min(delay * 2, self.settings.restart_backoff_max_s)
            task = asyncio.create_task(self._announce_ready(self.restarts))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _announce_ready(self, restart: int) -> None:
        if await self.wait_ready(self.settings.ready_timeout_s):
            if not self._stopping.is_set():
                self.logs.stack(f"{self.name} is ready again after restart #{restart}", "green")
        else:
            timeout = self.settings.ready_timeout_s
            self.logs.stack(f"{self.name} still not ready {timeout:.0f} s after a restart", "bold red")

    async def stop(self, grace_s: float) -> None:
        """SIGTERM, `grace_s` to exit, then SIGKILL the whole process group (stragglers included)."""
        self._stopping.set()
        for task in self._background:
            task.cancel()
        async with self._lock:
            process = self.process
            if process is None:
                return
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
                try:
                    await asyncio.wait_for(exited(process), grace_s)
                except TimeoutError:
                    self.logs.stack(f"{self.name} did not stop in {grace_s:.0f} s: killing it", "bold red")
            await self._reap(process)

    async def _reap(self, process: asyncio.subprocess.Process) -> None:
        """Once the main process is gone, kill what it left in its group (pool workers, FFmpeg), as a
        container runtime would, and finish printing its output."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        if self._pump is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._pump), 2)
            except TimeoutError:
                self._pump.cancel()  # an orphan outside the group still holds the pipe
