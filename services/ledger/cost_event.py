"""The cost event as published by the gateway's outbox relay, and the budget alert the ledger sends.

The same JSON contract is written by gateway/events.py (money as integer micro-dollars).
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field


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
