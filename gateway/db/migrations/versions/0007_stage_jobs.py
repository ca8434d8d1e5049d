"""Stages as jobs on JetStream: which run of a stage a job is for, who is running it, how often tried.

Revision ID: 0007_stage_jobs
Revises: 0006_ws_tickets
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_stage_jobs"
down_revision = "0006_ws_tickets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("stage_run", sa.Integer, nullable=False, server_default="0"))
    op.add_column("sessions", sa.Column("stage_attempts", sa.Integer, nullable=False, server_default="0"))
    op.add_column("sessions", sa.Column("claimed_by", sa.String(64)))
    op.add_column("sessions", sa.Column("claimed_at", sa.DateTime(timezone=True)))
    op.create_index(
        "ix_sessions_claimed_user",
        "sessions",
        ["user_id"],
        postgresql_where=sa.text("claimed_by IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_sessions_claimed_user", "sessions")
    for column in ("claimed_at", "claimed_by", "stage_attempts", "stage_run"):
        op.drop_column("sessions", column)
