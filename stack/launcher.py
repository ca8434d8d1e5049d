"""`python -m stack` (`make run`): the whole mesh on one machine, stopped cleanly by Ctrl-C / SIGTERM.

Order: embedded PostgreSQL (when DATABASE_URL is unset) and NATS (when NATS_URL is unset) -> migrations -> the
processes of `stack.processes.mesh`, wave by wave, each waited for until ready -> the URL line.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Mapping
from contextlib import AsyncExitStack
from typing import TypeVar

from services.common.config import engine_for
from stack import webapp
from stack.config import StackSettings
from stack.console import Logs
from stack.embedded import EmbeddedNats, EmbeddedPostgres, port_free
from stack.processes import AGENTS, gateway_name, mesh, migrations
from stack.supervisor import Child

T = TypeVar("T")


class StartupError(RuntimeError):
    pass


def engine_line(env: Mapping[str, str]) -> str:
    """Which engine each agent runs, said at start: a token set by mistake costs money."""
    engines = ", ".join(f"{agent} {engine_for(agent, env)}" for agent in AGENTS)
    return f"engines: {engines}"


class Stopped(Exception):
    """Ctrl-C / SIGTERM arrived while starting up."""


class Launcher:
    def __init__(self, settings: StackSettings, logs: Logs | None = None) -> None:
        self.settings = settings
        self.logs = logs or Logs()
        self.children: list[Child] = []
        self._supervisors: list[asyncio.Task[None]] = []
        self.stop_requested = asyncio.Event()

    async def _unless_stopped(self, work: Awaitable[T]) -> T:
        """Await `work`, but give up at once when a stop is requested."""
        task = asyncio.ensure_future(work)
        stop = asyncio.create_task(self.stop_requested.wait())
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not task.done():
            task.cancel()
            raise Stopped
        return task.result()

    async def _infrastructure(self, exits: AsyncExitStack) -> dict[str, str]:
        """Databases and brokers; returns the environment every process shares."""
        s = self.settings
        s.home.mkdir(parents=True, exist_ok=True)
        s.storage.mkdir(parents=True, exist_ok=True)
        env = {
            "ADREEL_STORAGE_DIR": str(s.storage),
            # The gateway keeps its generated JWT secret there (ADREEL_JWT_SECRET overrides it).
            "ADREEL_STATE_DIR": str(s.home),
        }
        if s.engine:
            env["ADREEL_ENGINE"] = s.engine
        database_url = s.database_url
        if not database_url:
            pg = EmbeddedPostgres(s.home / "pg")
            exits.callback(self._stop_postgres, pg)
            database_url = await self._unless_stopped(asyncio.to_thread(pg.start))
            self.logs.stack(f"embedded PostgreSQL ready (pid {pg.pid}, data in {pg.data_dir})")
        env["DATABASE_URL"] = database_url
        # The cost ledger needs NATS JetStream: the configured one, else a bundled server.
        nats_url = s.nats_url
        if not nats_url:
            nats = EmbeddedNats(s.home / "nats", port=s.nats_port)
            exits.push_async_callback(self._stop_nats, nats)
            nats_url = await self._unless_stopped(nats.start())
            self.logs.stack(f"embedded NATS JetStream ready at {nats_url}")
        env["NATS_URL"] = nats_url
        return env

    async def _stop_nats(self, nats: EmbeddedNats) -> None:
        await nats.stop()
        self.logs.stack("embedded NATS stopped")

    def _stop_postgres(self, pg: EmbeddedPostgres) -> None:
        pg.stop()
        self.logs.stack("embedded PostgreSQL stopped")

    def _check_ports(self) -> None:
        """Fail fast (not in a crash loop) when a port is taken, e.g. by another `make run`."""
        s = self.settings
        wanted = {gateway_name(s, n): (s.gateway_host, port) for n, port in enumerate(s.gateway_ports)}
        if s.web:
            wanted["web"] = (s.web_host, s.web_port)
        wanted |= {name: ("127.0.0.1", getattr(s, f"{name}_port")) for name in AGENTS}
        for name, (host, port) in wanted.items():
            if not port_free(host, port):
                raise StartupError(f"{host}:{port} ({name}) is in use: is Adreel running already?")

    async def _build_web_app(self) -> None:
        if missing := webapp.missing_prerequisites():
            self.logs.stack(f"web app skipped: missing {', '.join(missing)} (the API still runs)", "yellow")
            self.settings.web = False
            return
        if webapp.build_is_stale() or not webapp.NEXT_BIN.exists():
            self.logs.stack("building the web app (first run or sources changed)...")
        await self._unless_stopped(asyncio.to_thread(webapp.ensure_build))

    async def _start(self, exits: AsyncExitStack) -> None:
        self._check_ports()
        # Registered first, so it is said last: after the children and the embedded servers stopped.
        exits.callback(self.logs.stack, "all processes stopped")
        if self.settings.web:
            await self._build_web_app()
        env = await self._infrastructure(exits)
        migrate = Child(migrations(env), self.settings, self.logs)
        exits.push_async_callback(migrate.stop, self.settings.stop_grace_s)
        if (code := await self._unless_stopped(migrate.run_once())) != 0:
            raise StartupError(f"migrations failed with exit code {code}")

        specs = mesh(self.settings, env)
        self.logs.stack(engine_line({**os.environ, **env}))
        exits.push_async_callback(self._stop_children)
        for wave in sorted({spec.wave for spec in specs}):
            started = [Child(spec, self.settings, self.logs) for spec in specs if spec.wave == wave]
            for child in started:
                await child.spawn()
                self.children.append(child)
                self._supervisors.append(asyncio.create_task(child.supervise()))
            ready = await self._unless_stopped(
                asyncio.gather(*(child.wait_ready(self.settings.ready_timeout_s) for child in started))
            )
            if late := [child.name for child, ok in zip(started, ready, strict=True) if not ok]:
                timeout = self.settings.ready_timeout_s
                raise StartupError(f"not ready within {timeout:.0f} s: {', '.join(late)}")
            self.logs.stack(f"ready: {', '.join(child.name for child in started)}", "green")

    async def _stop_children(self) -> None:
        """Reverse start order: the gateway stops taking requests before the agents it calls go away."""
        self.logs.stack("stopping...")
        for wave in sorted({c.spec.wave for c in self.children}, reverse=True):
            await asyncio.gather(
                *(c.stop(self.settings.stop_grace_s) for c in self.children if c.spec.wave == wave)
            )
        await asyncio.gather(*self._supervisors)

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.stop_requested.set)
        async with AsyncExitStack() as exits:
            try:
                await self._start(exits)
            except Stopped:
                return 0
            except (StartupError, OSError, TimeoutError, subprocess.CalledProcessError) as exc:
                self.logs.stack(f"cannot start Adreel: {exc}", "bold red")
                return 1
            s = self.settings
            if s.web:
                self.logs.stack(f"Adreel is running at {s.web_url}", "bold green")
                self.logs.stack(f"API at {s.gateway_url} (docs at {s.gateway_url}/docs)")
            else:
                self.logs.stack(f"Adreel is running at {s.gateway_url}", "bold green")
            if s.gateway_replicas > 1:
                urls = ", ".join(s.gateway_urls)
                self.logs.stack(f"{s.gateway_replicas} gateway replicas, each serving the whole API: {urls}")
            await self.stop_requested.wait()
        return 0


def main() -> None:
    settings = StackSettings()
    sys.exit(asyncio.run(Launcher(settings).run()))


if __name__ == "__main__":
    main()
