"""The creative loop: a session's title, its finishing draft, image rounds, and soft deletion.

A deleted session keeps its row (hidden everywhere) so its cost ledger rows, which cascade from it,
stay booked; its assets and media are removed.

Revision ID: 0004_creative_loop
Revises: 0003_webhooks
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004_creative_loop"
down_revision = "0003_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("title", sa.String(100)))
    op.add_column("sessions", sa.Column("composition_draft", JSONB))
    op.add_column("sessions", sa.Column("image_round", sa.Integer, nullable=False, server_default="0"))
    op.add_column("sessions", sa.Column("deleted_at", sa.DateTime(timezone=True)))
    op.create_index("ix_sessions_user_live", "sessions", ["user_id", "updated_at"])


def downgrade() -> None:
    op.drop_index("ix_sessions_user_live", "sessions")
    for column in ("deleted_at", "image_round", "composition_draft", "title"):
        op.drop_column("sessions", column)
