"""Batches (gateway/batch_runner.py): rows of ads, one session each; webhook deliveries of a batch.

Revision ID: 0008_batches
Revises: 0007_stage_jobs
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008_batches"
down_revision = "0007_stage_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "batches",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100)),
        sa.Column("status", sa.String(16), nullable=False, server_default="running"),
        sa.Column("budget_micros", sa.BigInteger, nullable=False),
        sa.Column("reserved_micros", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("webhook_url", sa.String(2048)),
        sa.Column("webhook_secret", sa.String(100)),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_batches_user_id", "batches", ["user_id"])
    op.create_index("ix_batches_status", "batches", ["status"])
    op.create_table(
        "batch_rows",
        sa.Column(
            "batch_id", sa.String(36), sa.ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("spec", JSONB, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(1000)),
        sa.Column("problems", JSONB, nullable=False, server_default="[]"),
        sa.Column("quote_micros", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("session_id", sa.String(36), sa.ForeignKey("sessions.id", ondelete="SET NULL")),
        sa.Column("retries", sa.Integer, nullable=False, server_default="0"),
        sa.Column("cost_micros", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_batch_rows_session_id", "batch_rows", ["session_id"], unique=True)
    op.alter_column("webhook_deliveries", "session_id", nullable=True)
    op.add_column(
        "webhook_deliveries",
        sa.Column("batch_id", sa.String(36), sa.ForeignKey("batches.id", ondelete="CASCADE")),
    )
    op.create_index("ix_webhook_deliveries_batch_id", "webhook_deliveries", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_batch_id", "webhook_deliveries")
    op.drop_column("webhook_deliveries", "batch_id")
    op.execute("DELETE FROM webhook_deliveries WHERE session_id IS NULL")
    op.alter_column("webhook_deliveries", "session_id", nullable=False)
    op.drop_table("batch_rows")
    op.drop_table("batches")
