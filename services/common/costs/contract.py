"""The cost-event contract between the gateway's outbox relay and the ledger: one JSON shape, one
stream, one id scheme (money as integer micro-dollars)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from nats.js.api import StreamConfig
from pydantic import BaseModel, ConfigDict, Field

# Fixed forever: changing it would give every past call a new id and let a replay count twice.
EVENT_NAMESPACE = uuid.UUID("5d0b6c2e-4a57-4c1e-9d0f-6a8f1e2b7c31")


def event_id_for(session_id: str, agent: str, item_id: str | None, attempt: int) -> str:
    """The same call always has the same id: JetStream and the ledger's upsert both drop repeats."""
    return str(uuid.uuid5(EVENT_NAMESPACE, f"{session_id}/{agent}/{item_id or '-'}/{attempt}"))


def cost_subject(prefix: str, session_id: str) -> str:
    return f"{prefix}.cost.{session_id}"


def alert_subject(prefix: str, session_id: str = "*") -> str:
    return f"{prefix}.alert.budget.{session_id}"


def stream_config(name: str, prefix: str) -> StreamConfig:
    """The stream both the gateway's relay and the ledger make sure of."""
    return StreamConfig(
        name=name,
        subjects=[f"{prefix}.cost.>", f"{prefix}.alert.>"],
        duplicate_window=600.0,
        max_age=14 * 24 * 3600.0,
    )


class CostEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: str = Field(min_length=1, max_length=36)
    session_id: str = Field(min_length=1, max_length=36)
    agent: str = Field(min_length=1, max_length=50)
    item_id: str | None = Field(default=None, max_length=64)
    provider: str = Field(default="unknown", max_length=50)
    model: str = Field(default="unknown", max_length=100)
    usd_micros: int = Field(ge=0)
    seconds: float = Field(default=0.0, ge=0)
    success: bool = True
    error: str | None = Field(default=None, max_length=500)
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    # The session's budget and the booked total past which an alert goes out (0 = no alert).
    budget_micros: int = Field(default=0, ge=0)
    alert_micros: int = Field(default=0, ge=0)


class BudgetAlert(BaseModel):
    session_id: str
    spent_micros: int
    budget_micros: int
    threshold_micros: int
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @property
    def msg_id(self) -> str:
        """One alert per session and threshold, whatever redeliveries happen (JetStream dedupe)."""
        return f"budget:{self.session_id}:{self.threshold_micros}"
