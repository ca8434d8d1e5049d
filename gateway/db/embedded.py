"""A real PostgreSQL from PyPI (pgserver ships PostgreSQL 16 in a wheel) for machines without one.

The one starter: `make run`'s launcher (stack/), the gateway run alone and the tests use it when
DATABASE_URL is unset; the data lives in the folder given, the server listens on a Unix socket
inside it and stops cleanly.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

DATABASE = "adreel"


class EmbeddedPostgres:
    """PostgreSQL from the pgserver wheel on `data_dir`; `database` is created on start when missing
    (None: the server's own `postgres` database)."""

    def __init__(self, data_dir: Path, database: str | None = DATABASE) -> None:
        self.data_dir = data_dir
        self.database = database
        # A pgserver.PostgresServer; pgserver is imported only on start (the gateway image has none).
        self._server: Any = None

    def start(self) -> str:
        """Init (first run) and start the server, create the database; returns a postgresql:// URL."""
        # pgserver falls back to /tmp/runtime-<uid> for its lock when XDG_RUNTIME_DIR is unset, and says so.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver

        self.data_dir.mkdir(parents=True, exist_ok=True)
        # cleanup_mode="stop": stop() (or interpreter exit) shuts the server down; the data stays.
        server = pgserver.get_server(self.data_dir, cleanup_mode="stop")
        self._server = server
        if self.database is None:
            return server.get_uri()
        # \gexec runs the generated statement only when the database is missing (no IF NOT EXISTS in PG).
        server.psql(
            f"SELECT 'CREATE DATABASE {self.database}' "
            f"WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '{self.database}')\\gexec\n"
        )
        return server.get_uri(self.database)

    @property
    def pid(self) -> int | None:
        return self._server.get_pid() if self._server is not None else None

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def start_embedded_postgres(data_dir: Path) -> tuple[str, EmbeddedPostgres]:
    """Start (or reuse) the server on `data_dir`; return its postgresql:// URL (the `postgres`
    database) and the handle (keep it referenced, call .stop() to stop it)."""
    server = EmbeddedPostgres(data_dir, database=None)
    return server.start(), server
