"""Settings of the ledger (environment `ADREEL_*`, `PORT`, `DATABASE_URL`, `NATS_URL`)."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from services.common.config import AgentSettings


class Settings(AgentSettings):
    port: int = Field(default=50055, validation_alias=AliasChoices("PORT", "ADREEL_PORT"))
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    nats_url: str = Field(default="nats://127.0.0.1:4222", validation_alias=AliasChoices("NATS_URL"))
    # Shared with the gateway (same variables): the stream and the subjects' prefix.
    nats_stream: str = "ADREEL_COSTS"
    nats_subject_prefix: str = "adreel"
    # The durable pull consumer: its name, how long a fetched event may stay unacknowledged before
    # JetStream redelivers it, and how often it is delivered at most (high: the ledger stops pulling
    # while the database is down, so deliveries are only spent by real failures).
    ledger_durable: str = "ledger"
    ledger_ack_wait_s: float = Field(default=10.0, gt=0)
    ledger_max_deliver: int = Field(default=100, ge=1)
    ledger_batch: int = Field(default=500, ge=1, le=5000)
    ledger_fetch_timeout_s: float = Field(default=1.0, gt=0)
    # How often the health status is re-checked (NATS connection, a `SELECT 1`).
    ledger_health_interval_s: float = Field(default=1.0, gt=0)

    def dsn(self) -> str:
        """DATABASE_URL as a plain libpq URL asyncpg accepts."""
        if not self.database_url:
            raise ValueError("DATABASE_URL is not set")
        for prefix in ("postgresql+asyncpg://", "postgres://"):
            if self.database_url.startswith(prefix):
                return "postgresql://" + self.database_url.removeprefix(prefix)
        return self.database_url
