"""Settings every agent shares, read from the environment (pydantic-settings).

Each agent subclasses `AgentSettings` and sets its default port; `PORT` overrides it, as the
issue and Kubernetes expect. Everything else is `ADREEL_*`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class StorageSettings(BaseSettings):
    """Where media lives: a local folder shared by every process (the default), or an S3 bucket.

    S3 credentials are never settings: boto3 reads the standard AWS variables (AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), profiles or the pod's IAM role.
    """

    model_config = SettingsConfigDict(env_prefix="ADREEL_", extra="ignore")

    storage_backend: Literal["local", "s3"] = "local"
    storage_dir: Path = REPO_ROOT / ".adreel" / "storage"
    s3_bucket: str = ""
    # Every key is stored under this prefix, so one bucket can hold several deployments.
    s3_prefix: str = ""
    # Any S3-compatible server (MinIO, R2, moto...); unset means AWS itself.
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    # Path-style URLs (http://host/bucket/key): what most S3-compatible servers need.
    s3_path_style: bool = False


class AgentSettings(StorageSettings):
    # populate_by_name: `Settings(port=0)` works in code as well as PORT in the environment.
    model_config = SettingsConfigDict(env_prefix="ADREEL_", extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    port: int = Field(default=50050, validation_alias=AliasChoices("PORT", "ADREEL_PORT"))
    log_level: str = "INFO"
    # Seconds in-flight streams get to finish after SIGTERM before they are cancelled.
    shutdown_grace_s: float = 7.0
    # How many items of one batch an agent works on at once.
    max_concurrency: int = 4
    # Of those, how many one user can never take (services/common/fair_slots.py): a newcomer
    # finds a slot free at once, however many items another user has queued. Unset: a quarter.
    fair_reserve_slots: int | None = Field(default=None, ge=0)
    # Callers must bring a token the gateway signed (services/common/agent_auth.py): the gateway's
    # Ed25519 public key, base64. "off" only for a mesh where nothing else can reach the agents.
    agent_verify_key: str | None = None
    agent_auth: Literal["required", "off"] = "required"
    # gRPC server reflection (grpcurl); off in production.
    grpc_reflection: bool = True
    replicate_api_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("REPLICATE_API_TOKEN")
    )

    def default_engine(self) -> str:
        """`replicate` when a token is set, `local` otherwise."""
        return "replicate" if self.replicate_api_token else "local"


Engine = Literal["local", "replicate"]
ENGINES: tuple[Engine, ...] = ("local", "replicate")


def engine_for(agent: str, env: Mapping[str, str] = os.environ) -> Engine:
    """The engine an agent runs: ADREEL_<AGENT>_ENGINE, then the mesh-wide ADREEL_ENGINE, else
    replicate when REPLICATE_API_TOKEN is set. The launcher and GET /api/engines say it with this;
    the agents' settings read the same variables (`engine_setting`)."""
    for name in (f"ADREEL_{agent.upper()}_ENGINE", "ADREEL_ENGINE"):
        chosen = env.get(name, "").strip().lower()
        if chosen in ENGINES:
            return chosen  # type: ignore[return-value]
    return "replicate" if env.get("REPLICATE_API_TOKEN") else "local"


def engine_setting(agent: str) -> Any:
    """The `engine` field of an agent's settings, read as `engine_for` reads it."""
    names = AliasChoices(f"ADREEL_{agent.upper()}_ENGINE", "ADREEL_ENGINE")
    return Field(default=None, validation_alias=names)


class EngineAgentSettings(AgentSettings):
    """An agent with swappable engines: unset means replicate with a token, local without."""

    engine: Engine | None = None

    @model_validator(mode="after")
    def _pick_engine(self) -> EngineAgentSettings:
        if self.engine is None:
            self.engine = self.default_engine()  # type: ignore[assignment]
        return self
