"""The gateway's one settings object (pydantic-settings, read from the environment)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from gateway.api.client_ip import parse_networks
from gateway.webhooks.sealing import Keyring, new_key, parse_key
from services.common.agent_auth import TokenSigner, local_signing_key
from services.common.config import REPO_ROOT, StorageSettings

# The PRD's ceiling for one video; no configuration may raise a session budget above it.
MAX_BUDGET_USD = Decimal(200)


class Settings(StorageSettings):
    model_config = SettingsConfigDict(env_prefix="ADREEL_", extra="ignore", populate_by_name=True)

    # postgresql:// or postgresql+asyncpg://; the launcher (or tests) provide it.
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    # Where local state lives (the generated JWT secret, the embedded database).
    state_dir: Path = REPO_ROOT / ".adreel"

    prompt_parser_addr: str = "127.0.0.1:50051"
    image_gen_addr: str = "127.0.0.1:50052"
    video_gen_addr: str = "127.0.0.1:50053"
    compositor_addr: str = "127.0.0.1:50054"

    jwt_secret: SecretStr | None = None
    # Signs the tokens agents require (services/common/agent_auth.py): base64 of a 32-byte Ed25519
    # private key; the agents get its public key. Unset: one generated once into state_dir.
    agent_signing_key: SecretStr | None = None
    jwt_ttl_s: int = 24 * 3600
    # bcrypt work factor of new password hashes (tests lower it; verifying reads it from the hash).
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    # bcrypt runs in this many threads, off the event loop; past this many more waiting, 503.
    password_hash_workers: int = Field(default=2, ge=1, le=32)
    password_max_waiting: int = Field(default=64, ge=0, le=10_000)
    # <video src> cannot send headers, so media URLs carry a short-lived signed token.
    media_token_ttl_s: int = 3600

    # The PRD's shared demo sign-in (demo@example.com / demo123), which the web app pre-fills. Everyone
    # who knows it shares one account: its sessions and its daily spend. A deployment that spends real
    # money turns it off (deploy/k8s/overlays/prod); then that sign-in is refused like a wrong password.
    demo_account: bool = True

    budget_usd: Decimal = Field(default=Decimal(10), gt=0, le=MAX_BUDGET_USD)
    # Conservative per-call estimates (PRD section 8 prices) checked against the budget before a call.
    estimate_parse_usd: Decimal = Decimal("0.001")
    estimate_image_usd: Decimal = Decimal("0.05")
    estimate_clip_usd: Decimal = Decimal("0.80")
    estimate_compose_usd: Decimal = Decimal("0.50")

    web_origins: list[str] = Field(default_factory=lambda: ["http://localhost:3000", "http://127.0.0.1:3000"])

    # Items (images, clips) per agent call; the calls of a stage run in parallel. 1 lets round_robin
    # spread a stage over agent replicas (a call is the unit it balances); each agent bounds the
    # items of all its concurrent calls together (max_concurrency), so one replica is not overrun.
    # 8 (the contract's maximum) sends a stage in one call, to one replica.
    items_per_call: int = Field(default=1, ge=1, le=8)
    # A health answer is trusted this long before the next call checks again.
    health_cache_s: float = 2.0
    # NOT_SERVING or unreachable: wait this long, check once more, then fail the stage.
    agent_retry_wait_s: float = 2.0
    # The second check waits this long for a reconnecting channel (a restarted agent).
    agent_ready_timeout_s: float = 2.0
    agent_call_timeout_s: float = 600.0
    # A running stage past this is moved to `failed` (resumable) by the watchdog.
    stage_deadline_s: float = 900.0
    watchdog_interval_s: float = 5.0
    ws_heartbeat_s: float = 15.0
    # A WebSocket ticket (POST /api/ws-ticket) opens one socket, once, within this many seconds.
    ws_ticket_ttl_s: int = Field(default=60, ge=5, le=600)

    # The user's own product photos (POST /api/sessions/{id}/images): bytes per file, decoded
    # pixels per file (checked from the header, before decoding), files per request and per session.
    upload_max_bytes: int = Field(default=15_000_000, ge=1024, le=200_000_000)
    upload_max_pixels: int = Field(default=50_000_000, ge=4096, le=200_000_000)
    upload_max_files: int = Field(default=8, ge=1, le=32)
    upload_max_per_session: int = Field(default=16, ge=1, le=64)
    # Accepted uploads per user in a window (edge limits), and photos decoded at once in the
    # process (each decode holds a few tens of MB while it runs).
    upload_max_requests: int = Field(default=30, ge=1)
    upload_window_s: float = Field(default=600.0, gt=0)
    upload_decode_slots: int = Field(default=2, ge=1, le=16)

    # Edge limits (gateway/api/limits.py, per process): JSON request bodies; failed logins
    # (gateway/api/login_limits.py): per account + client IP a hard limit in the window, per account
    # and per client IP a delay that doubles with each failure past a free number, never a refusal.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024, le=16 * 1024 * 1024)
    login_max_failures: int = Field(default=5, ge=1)
    login_window_s: float = Field(default=300.0, gt=0)
    # Prefixes the rate-limit windows' names (they live in PostgreSQL, shared by every replica
    # that uses the same prefix): one deployment, one prefix; tests give each gateway its own.
    rate_limit_namespace: str = Field(default="", max_length=40)
    login_delay_after: int = Field(default=3, ge=0)
    login_ip_delay_after: int = Field(default=20, ge=0)
    login_delay_base_s: float = Field(default=0.25, ge=0)
    login_delay_max_s: float = Field(default=8.0, ge=0, le=60)
    # Only these peers (IPs or networks, e.g. the ingress controller's) may say who the client is
    # in X-Forwarded-For; empty: the TCP peer is the client (gateway/api/client_ip.py).
    trusted_proxies: list[str] = Field(default_factory=list)
    generation_max_starts: int = Field(default=30, ge=1)
    generation_window_s: float = Field(default=60.0, gt=0)
    # Per-user quotas across every replica (gateway/quotas.py, counted in PostgreSQL).
    max_running_stages_per_user: int = Field(default=2, ge=1, le=100)
    max_daily_spend_usd: Decimal = Field(default=Decimal(50), gt=0)

    # Completion webhooks: loopback/private/link-local targets are refused unless this allows them.
    webhook_allow_private: bool = False
    webhook_max_attempts: int = Field(default=8, ge=1, le=20)
    # The first retry waits this long, each next one twice as long (plus up to 10% jitter), capped.
    webhook_backoff_s: float = Field(default=10.0, gt=0)
    webhook_backoff_max_s: float = Field(default=3600.0, gt=0)
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    webhook_poll_s: float = Field(default=1.0, gt=0)
    # Keys that seal webhook signing secrets at rest (gateway/webhooks/sealing.py): base64 of 32
    # bytes each, newest first. Unset: one generated once into state_dir (make run).
    webhook_keys: list[SecretStr] = Field(default_factory=list)

    # Batches (gateway/batch_runner.py): rows per batch, rows of one batch running at once (each
    # still under the user's quotas), the lease a gateway holds on a batch it drives (another takes
    # over once it lapses), how often a running row's session is looked at, failed stages resumed.
    batch_max_rows: int = Field(default=100, ge=1, le=1000)
    batch_parallel_rows: int = Field(default=2, ge=1, le=20)
    batch_lease_s: float = Field(default=30.0, ge=1.0)
    batch_poll_s: float = Field(default=0.25, gt=0)
    batch_max_retries: int = Field(default=2, ge=0, le=10)

    # Cost events go through NATS JetStream to the ledger. Unset: no bus, and the gateway books each
    # cost straight into generation_costs in the same transaction (same event ids, same upsert).
    nats_url: str | None = Field(default=None, validation_alias=AliasChoices("NATS_URL"))
    nats_stream: str = "ADREEL_COSTS"
    # Subjects are <prefix>.cost.<session_id> and <prefix>.alert.budget.<session_id>.
    nats_subject_prefix: str = "adreel"
    # A budget alert is published when a session's booked cost crosses this share of its budget
    # (stamped on each event as alert_micros, so the ledger applies the gateway's policy).
    budget_alert_ratio: float = Field(default=0.8, gt=0, le=1)
    outbox_batch: int = Field(default=500, ge=1, le=5000)
    # Pending rows are also looked for this often (NOTIFY wakes the relay at once).
    outbox_poll_s: float = 1.0
    outbox_publish_timeout_s: float = 5.0
    outbox_backoff_max_s: float = 10.0

    # Stages as durable jobs on a JetStream work queue (with nats_url; without it, in-process tasks).
    stage_jobs_stream: str = "ADREEL_STAGE_JOBS"
    # Concurrent stages this replica runs; a user's stages at once across all replicas.
    stage_workers: int = Field(default=4, ge=1, le=64)
    stage_workers_per_user: int = Field(default=2, ge=1, le=64)
    # A job whose worker stops acking (killed) is redelivered to another replica after this.
    stage_ack_wait_s: float = Field(default=30.0, ge=1.0, le=600.0)
    # A job taken up this many times without finishing (its workers keep dying) ends failed.
    stage_max_attempts: int = Field(default=4, ge=1, le=20)
    # Progress events: every replica's sockets see every event of a session, in sequence.
    progress_stream: str = "ADREEL_PROGRESS"

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: list[str]) -> list[str]:
        parse_networks(value)  # a bad entry stops the gateway at startup, named
        return value

    @cached_property
    def jwt_key(self) -> str:
        """ADREEL_JWT_SECRET, or a random secret generated once and kept (0600) under state_dir."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        path = self.state_dir / "jwt_secret"
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a file of its own, then linked into place: two replicas starting at once
        # agree on one secret, and neither can read the file half-written.
        draft = path.with_name(f".jwt_secret.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
        return path.read_text().strip()

    @cached_property
    def agent_signer(self) -> TokenSigner:
        if self.agent_signing_key is not None:
            return TokenSigner(self.agent_signing_key.get_secret_value())
        return TokenSigner(local_signing_key(self.state_dir))

    @cached_property
    def webhook_keyring(self) -> Keyring:
        """ADREEL_WEBHOOK_KEYS, or a key generated once and kept (0600) under state_dir."""
        keys = [k.get_secret_value() for k in self.webhook_keys] or [
            self._local_secret("webhook_key", new_key)
        ]
        return Keyring([parse_key(k) for k in keys])

    def _local_secret(self, name: str, make: Callable[[], str]) -> str:
        path = self.state_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(make())
        return path.read_text().strip()

    @property
    def async_database_url(self) -> str:
        if not self.database_url:
            raise RuntimeError("DATABASE_URL is not set (the launcher starts an embedded PostgreSQL)")
        return to_asyncpg_url(self.database_url)


def to_asyncpg_url(url: str) -> str:
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url.removeprefix(prefix)
    raise ValueError("DATABASE_URL must be a postgresql:// URL")
