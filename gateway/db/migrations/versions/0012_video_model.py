"""The image-to-video model a session's clips are made with ("" = the video agent's default).

Revision ID: 0012_video_model
Revises: 0011_brand_kits
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_video_model"
down_revision = "0011_brand_kits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sessions", sa.Column("video_model", sa.String(32), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("sessions", "video_model")
