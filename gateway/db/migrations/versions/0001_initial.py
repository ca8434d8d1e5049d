"""The PRD's tables and the demo user.

Revision ID: 0001
Revises:
Create Date: 2025-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from gateway.core.security import hash_password

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

NOW = sa.text("now()")
EMPTY = sa.text("'[]'::jsonb")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(255), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False, server_default="created"),
        sa.Column("product_prompt", sa.String(200)),
        sa.Column("video_prompt", sa.String(300)),
        sa.Column("num_images", sa.Integer),
        sa.Column("clip_duration", sa.Float),
        sa.Column("consistency_seed", sa.BigInteger),
        sa.Column("style_keywords", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("product_spec", JSONB),
        sa.Column("image_plan", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("clip_plan", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("compose_plan", JSONB),
        sa.Column("generated_image_ids", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("approved_image_ids", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("generated_clip_ids", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("approved_clip_ids", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("clip_order", JSONB, nullable=False, server_default=EMPTY),
        sa.Column("final_video_id", sa.String(64)),
        sa.Column("total_cost_micros", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("budget_micros", sa.BigInteger, nullable=False),
        sa.Column("progress", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.Text),
        sa.Column("failed_stage", sa.String(32)),
        sa.Column("error", sa.Text),
        sa.Column("stage_deadline", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_index("ix_sessions_stage", "sessions", ["stage"])
    op.create_index("ix_sessions_created_at", "sessions", [sa.text("created_at DESC")])
    op.create_table(
        "assets",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "session_id", sa.String(36), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("asset_type", sa.String(20), nullable=False),
        sa.Column("uri", sa.String(500), nullable=False),
        sa.Column("metadata", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("cost_micros", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("model_used", sa.String(100)),
        sa.Column("generation_time", sa.Float),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_index("ix_assets_session_id", "assets", ["session_id"])
    op.create_index("ix_assets_asset_type", "assets", ["asset_type"])
    op.create_table(
        "generation_costs",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column(
            "session_id", sa.String(36), sa.ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("agent_name", sa.String(50), nullable=False),
        sa.Column("item_id", sa.String(64)),
        sa.Column("model_used", sa.String(100), nullable=False),
        sa.Column("cost_micros", sa.BigInteger, nullable=False),
        sa.Column("duration_seconds", sa.Float, nullable=False),
        sa.Column("success", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("error_message", sa.String(500)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
    )
    op.create_index("ix_generation_costs_session_id", "generation_costs", ["session_id"])
    op.create_index("ix_generation_costs_agent_name", "generation_costs", ["agent_name"])
    # The demo account of the PRD, hashed here (never a stored constant hash).
    users = sa.table("users", sa.column("email", sa.String), sa.column("password_hash", sa.String))
    op.bulk_insert(users, [{"email": "demo@example.com", "password_hash": hash_password("demo123")}])


def downgrade() -> None:
    for table in ("generation_costs", "assets", "sessions", "users"):
        op.drop_table(table)
