"""`python -m gateway.db.migrate`: upgrade the database at DATABASE_URL to the newest schema."""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from gateway.core.config import Settings, to_asyncpg_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["url"] = to_asyncpg_url(url)
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Blocking (Alembic runs its own event loop); async callers use asyncio.to_thread."""
    command.upgrade(alembic_config(url), revision)


def main() -> None:
    settings = Settings()
    if not settings.database_url:
        sys.exit("DATABASE_URL is not set")
    upgrade(settings.database_url)
    print("database at head")


if __name__ == "__main__":
    main()
