"""The PRD's tables (users, sessions, assets, generation_costs) and the cost outbox. Money is integer
micro-dollars."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Session(Base):
    """One ad in the making; everything a stage needs to resume is stored here before it runs."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(32), default="created", index=True)

    product_prompt: Mapped[str | None] = mapped_column(String(200))
    video_prompt: Mapped[str | None] = mapped_column(String(300))
    num_images: Mapped[int | None] = mapped_column(Integer)
    clip_duration: Mapped[float | None] = mapped_column(Float)
    # The image-to-video model chosen for the clips ("" = the video agent's default).
    video_model: Mapped[str] = mapped_column(String(32), default="", server_default="")
    consistency_seed: Mapped[int | None] = mapped_column(BigInteger)
    style_keywords: Mapped[list[str]] = mapped_column(JSONB, default=list)
    # ProductSpec from the prompt parser (proto JSON), needed again to plan scenes.
    product_spec: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Stage plans with gateway-chosen item ids, saved before the agent call so a retry reuses them.
    image_plan: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    clip_plan: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    compose_plan: Mapped[dict[str, Any] | None] = mapped_column(JSONB)

    generated_image_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    approved_image_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    generated_clip_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    approved_clip_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    clip_order: Mapped[list[str]] = mapped_column(JSONB, default=list)
    final_video_id: Mapped[str | None] = mapped_column(String(64))

    total_cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    budget_micros: Mapped[int] = mapped_column(BigInteger)

    progress: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(Text)
    # When failed: the stage to resume and why it stopped.
    failed_stage: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    stage_deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Completion webhooks (gateway/webhooks): the callback URL and its whsec_ signing secret.
    webhook_url: Mapped[str | None] = mapped_column(String(2048))
    webhook_secret: Mapped[str | None] = mapped_column(String(100))
    # The creative loop: a name the owner chose, the finishing form as last edited (restored on
    # reload and in every tab), how many image rounds were bought (each round varies the seed).
    title: Mapped[str | None] = mapped_column(String(100))
    composition_draft: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    image_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Soft deletion: the row stays so the ledger rows that cascade from it stay booked.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Stages as jobs (gateway/stage_jobs.py): the run a job is for (a newer start makes older jobs
    # stale), how many times a worker took it up (a poison job ends failed), and the live claim.
    stage_run: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    stage_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Asset(Base):
    __tablename__ = "assets"

    # The gateway-chosen item id (img_…, clip_…, final_…): a retry can never store an item twice.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    asset_type: Mapped[str] = mapped_column(String(20), index=True)
    # asset://<key> in our object storage.
    uri: Mapped[str] = mapped_column(String(500))
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, default=dict)
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    model_used: Mapped[str | None] = mapped_column(String(100))
    generation_time: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class GenerationCost(Base):
    __tablename__ = "generation_costs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    agent_name: Mapped[str] = mapped_column(String(50), index=True)
    item_id: Mapped[str | None] = mapped_column(String(64))
    model_used: Mapped[str] = mapped_column(String(100))
    cost_micros: Mapped[int] = mapped_column(BigInteger)
    duration_seconds: Mapped[float] = mapped_column(Float)
    success: Mapped[bool] = mapped_column(Boolean, default=True)
    error_message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The cost event this row books (unique: a redelivered event is never counted twice).
    event_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    provider: Mapped[str | None] = mapped_column(String(50))
    # When the ledger wrote the row (created_at is when the cost happened).
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CostOutbox(Base):
    """Cost events written in the same transaction as the asset/session change, relayed to NATS."""

    __tablename__ = "cost_outbox"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    agent_name: Mapped[str] = mapped_column(String(50))
    item_id: Mapped[str | None] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    publish_attempts: Mapped[int] = mapped_column(Integer, default=0)


class Share(Base):
    """A public link to ONE final video. Only the token's sha256 is stored, so the table leaks no link."""

    __tablename__ = "shares"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    # No FK: a session's assets are deleted with its media, and the share is revoked with them.
    asset_id: Mapped[str] = mapped_column(String(64))
    # Chosen when shared (the final's overlay name): later composes do not rename a shared video.
    product_name: Mapped[str] = mapped_column(String(200))
    # A still for link previews (the session's first kept image), served by the same token.
    poster_asset_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Batch(Base):
    """Ads ordered as rows (a CSV or JSON list, or one MCP create_ad): one session per row, run with
    automatic picks under the batch's budget (gateway/batch_runner.py)."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    # running -> complete (every row ended) | cancelled.
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    budget_micros: Mapped[int] = mapped_column(BigInteger)
    # The quotes of the rows allowed to run: never more than the budget.
    reserved_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    # Per-ad and per-batch events (gateway/batch_runner.py), signed with this whsec_ secret.
    webhook_url: Mapped[str | None] = mapped_column(String(2048))
    webhook_secret: Mapped[str | None] = mapped_column(String(100))
    # The gateway process driving the batch, until when (another takes over once it lapses).
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class BatchRow(Base):
    """One ad of a batch. `session_id` is set in the transaction that creates the session, so a row
    has at most one session, whatever restarts happen: it is resumed, never run again."""

    __tablename__ = "batch_rows"

    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True)
    # 1-based, in the order given (a CSV's data rows, after its header).
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The row as checked (gateway/ad_specs.py AdSpec), or as given when invalid.
    spec: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # invalid | queued | running | complete | failed | not_run
    status: Mapped[str] = mapped_column(String(16))
    # Why it failed or did not run ("budget: ...", the stage's error), for people.
    reason: Mapped[str | None] = mapped_column(String(1000))
    # An invalid row's problems: [{column, message}].
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    quote_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    session_id: Mapped[str | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), unique=True, index=True
    )
    # Failed stages resumed so far (bounded by the runner).
    retries: Mapped[int] = mapped_column(Integer, default=0)
    cost_micros: Mapped[int] = mapped_column(BigInteger, default=0)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
