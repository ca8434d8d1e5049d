"""Brand kits (gateway/brand_kits.py): a user's name, colours, default CTA, and the object-storage
keys of a checked logo and font.

Revision ID: 0011_brand_kits
Revises: 0010_rate_hits
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_brand_kits"
down_revision = "0010_rate_hits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "brand_kits",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("primary_color", sa.String(7), nullable=False),
        sa.Column("secondary_color", sa.String(7), nullable=False),
        sa.Column("default_cta", sa.String(100)),
        sa.Column("logo_key", sa.String(300)),
        sa.Column("font_key", sa.String(300)),
        sa.Column("font_family", sa.String(200)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_brand_kits_user_id", "brand_kits", ["user_id"])


def downgrade() -> None:
    op.drop_table("brand_kits")
