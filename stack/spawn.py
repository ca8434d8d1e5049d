"""`python -m stack` as a child process on free ports: what the bench and the tests run the mesh with."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from stack.config import REPO_ROOT
from stack.embedded import free_port, free_ports_in_a_row
from stack.processes import AGENTS

URL_LINE = re.compile(r"Adreel is running at (http://\S+)")


@dataclass(frozen=True)
class Ports:
    """Free loopback ports for the gateway (its replicas on the ports after it) and every agent."""

    gateway: int = field(default_factory=free_port)
    agents: Mapping[str, int] = field(default_factory=lambda: {name: free_port() for name in AGENTS})
    gateway_replicas: int = 1

    @classmethod
    def with_replicas(cls, count: int) -> Self:
        return cls(gateway=free_ports_in_a_row(count), gateway_replicas=count)

    @property
    def gateways(self) -> list[int]:
        return [self.gateway + n for n in range(self.gateway_replicas)]

    def env(self) -> dict[str, str]:
        return {
            "ADREEL_GATEWAY_PORT": str(self.gateway),
            "ADREEL_GATEWAY_REPLICAS": str(self.gateway_replicas),
            # Tests drive the API; the browser tests start the web app themselves.
            "ADREEL_WEB": "false",
            **{f"ADREEL_{name.upper()}_PORT": str(port) for name, port in self.agents.items()},
        }


class LaunchedStack:
    def __init__(self, env: Mapping[str, str], echo: bool = False, cwd: Path = REPO_ROOT) -> None:
        # A launched stack gets its own embedded NATS (under its ADREEL_HOME) unless the caller names
        # one, so no run leaves streams behind on a shared server.
        inherited = {k: v for k, v in os.environ.items() if k != "NATS_URL"}
        self.env = {**inherited, **env}
        self.echo = echo
        self.cwd = cwd
        self.lines: list[str] = []
        self.url: str | None = None
        self.process: subprocess.Popen[str] | None = None
        self._changed = threading.Condition()
        self._reader: threading.Thread | None = None

    def start(self, timeout_s: float = 240.0) -> str:
        """Start the launcher; return the URL once it prints it (raises with the log tail otherwise)."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "stack"],
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            errors="replace",
        )
        self._reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self._reader.start()
        line = self.wait_for(URL_LINE, timeout_s)
        match = URL_LINE.search(line)
        assert match is not None
        self.url = match.group(1)
        return self.url

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if self.echo:
                print(line, end="", file=sys.stderr)
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, pattern: re.Pattern[str] | str, timeout_s: float, after: int = 0) -> str:
        """The first output line from index `after` on that matches `pattern`."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout_s
        seen = after
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    if regex.search(line):
                        return line
                seen = max(seen, len(self.lines))
                exited = self.process is not None and self.process.poll() is not None
                if exited or time.monotonic() > deadline:
                    why = "exited" if exited else f"printed no {regex.pattern!r} within {timeout_s:.0f} s"
                    tail = "\n".join(self.lines[-40:])
                    raise RuntimeError(f"the launcher {why}; its last lines:\n{tail}")
                self._changed.wait(0.5)

    def stop(self, timeout_s: float = 60.0) -> int:
        """SIGTERM the launcher (it stops its children), return its exit code."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        if self._reader is not None:
            self._reader.join(5)  # the last lines are read by the time stop() returns
        return code

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
