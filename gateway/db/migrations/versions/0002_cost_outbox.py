"""The cost outbox the gateway writes in its own transactions, and an idempotency key on the ledger.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NOW = sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "cost_outbox",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        # uuid5 of (session, agent, item, attempt): the JetStream Nats-Msg-Id and the ledger's key.
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column(
            "session_id", sa.String(36), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("agent_name", sa.String(50), nullable=False),
        sa.Column("item_id", sa.String(64)),
        sa.Column("attempt", sa.Integer, nullable=False),
        # The cost event exactly as published (money as integer micros).
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        # Set only after JetStream acknowledged the event.
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("publish_attempts", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_cost_outbox_session_item", "cost_outbox", ["session_id", "agent_name", "item_id"])
    # The relay only ever scans what is still waiting; the index stays as small as the backlog.
    op.create_index(
        "ix_cost_outbox_pending", "cost_outbox", ["id"], postgresql_where=sa.text("sent_at IS NULL")
    )
    op.add_column("generation_costs", sa.Column("event_id", sa.String(36)))
    op.add_column("generation_costs", sa.Column("provider", sa.String(50)))
    op.add_column(
        "generation_costs",
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_unique_constraint("uq_generation_costs_event_id", "generation_costs", ["event_id"])


def downgrade() -> None:
    op.drop_constraint("uq_generation_costs_event_id", "generation_costs")
    for column in ("recorded_at", "provider", "event_id"):
        op.drop_column("generation_costs", column)
    op.drop_table("cost_outbox")
