"""A real PostgreSQL from PyPI (pgserver ships PostgreSQL 16 in a wheel) for machines without one.

Used by `make run` and the tests when DATABASE_URL is unset; the data lives in the folder given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def start_embedded_postgres(data_dir: Path) -> tuple[str, Any]:
    """Start (or reuse) the server on `data_dir`; return its postgresql:// URL and the handle
    (keep it referenced, call .cleanup() to stop it)."""
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    return server.get_uri(), server
