"""The gateway's one settings object (pydantic-settings, read from the environment)."""

from __future__ import annotations

import os
import secrets
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.common.config import REPO_ROOT, StorageSettings

# The PRD's ceiling for one video; no configuration may raise a session budget above it.
MAX_BUDGET_USD = Decimal(200)


class Settings(StorageSettings):
    model_config = SettingsConfigDict(env_prefix="ADREEL_", extra="ignore", populate_by_name=True)

    # postgresql:// or postgresql+asyncpg://; the launcher (or tests) provide it.
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    # Where local state lives (the generated JWT secret, the embedded database).
    state_dir: Path = REPO_ROOT / ".adreel"

    prompt_parser_addr: str = "127.0.0.1:50051"
    image_gen_addr: str = "127.0.0.1:50052"
    video_gen_addr: str = "127.0.0.1:50053"
    compositor_addr: str = "127.0.0.1:50054"

    jwt_secret: SecretStr | None = None
    jwt_ttl_s: int = 24 * 3600
    # bcrypt work factor of new password hashes (tests lower it; verifying reads it from the hash).
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    # <video src> cannot send headers, so media URLs carry a short-lived signed token.
    media_token_ttl_s: int = 3600

    budget_usd: Decimal = Field(default=Decimal(10), gt=0, le=MAX_BUDGET_USD)
    # Conservative per-call estimates (PRD section 8 prices) checked against the budget before a call.
    estimate_parse_usd: Decimal = Decimal("0.001")
    estimate_image_usd: Decimal = Decimal("0.05")
    estimate_clip_usd: Decimal = Decimal("0.80")
    estimate_compose_usd: Decimal = Decimal("0.50")

    web_origins: list[str] = Field(default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"])

    # Items (images, clips) per agent call; the calls of a stage run in parallel. 8 (the contract's
    # maximum) sends a stage in one call and lets the agent's own concurrency bound the work; 1
    # spreads the items over agent replicas behind round_robin.
    items_per_call: int = Field(default=8, ge=1, le=8)
    # A health answer is trusted this long before the next call checks again.
    health_cache_s: float = 2.0
    # NOT_SERVING or unreachable: wait this long, check once more, then fail the stage.
    agent_retry_wait_s: float = 2.0
    # The second check waits this long for a reconnecting channel (a restarted agent).
    agent_ready_timeout_s: float = 2.0
    agent_call_timeout_s: float = 600.0
    # A running stage past this is moved to `failed` (resumable) by the watchdog.
    stage_deadline_s: float = 900.0
    watchdog_interval_s: float = 5.0
    ws_heartbeat_s: float = 15.0

    @cached_property
    def jwt_key(self) -> str:
        """ADREEL_JWT_SECRET, or a random secret generated once and kept (0600) under state_dir."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        path = self.state_dir / "jwt_secret"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        return path.read_text().strip()

    @property
    def async_database_url(self) -> str:
        if not self.database_url:
            raise RuntimeError("DATABASE_URL is not set (the launcher starts an embedded PostgreSQL)")
        return to_asyncpg_url(self.database_url)


def to_asyncpg_url(url: str) -> str:
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    raise ValueError("DATABASE_URL must be a postgresql:// URL")
