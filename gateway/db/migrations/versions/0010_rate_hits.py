"""Rate-limit hits in PostgreSQL, so every gateway replica counts against the same windows.

Keys are stored as sha256 digests: the table never holds an email or an address.

Revision ID: 0010_rate_hits
Revises: 0009_api_keys
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_rate_hits"
down_revision = "0009_api_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_hits",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), nullable=False, server_default=sa.text("clock_timestamp()")
        ),
    )
    op.create_index("ix_rate_hits_key_at", "rate_hits", ["key", "at"])


def downgrade() -> None:
    op.drop_index("ix_rate_hits_key_at", "rate_hits")
    op.drop_table("rate_hits")
