"""Settings every agent shares, read from the environment (pydantic-settings).

Each agent subclasses `AgentSettings` and sets its default port; `PORT` overrides it, as the
issue and Kubernetes expect. Everything else is `ADREEL_*`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class StorageSettings(BaseSettings):
    """Where media lives: a local folder shared by every process (S3 plugs in behind the same API)."""

    model_config = SettingsConfigDict(env_prefix="ADREEL_", extra="ignore")

    storage_backend: Literal["local"] = "local"
    storage_dir: Path = REPO_ROOT / ".adreel" / "storage"


class AgentSettings(StorageSettings):
    model_config = SettingsConfigDict(env_prefix="ADREEL_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=50050, validation_alias=AliasChoices("PORT", "ADREEL_PORT"))
    log_level: str = "INFO"
    # Seconds in-flight streams get to finish after SIGTERM before they are cancelled.
    shutdown_grace_s: float = 7.0
    # How many items of one batch an agent works on at once.
    max_concurrency: int = 4
    replicate_api_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("REPLICATE_API_TOKEN")
    )

    def default_engine(self) -> str:
        """`replicate` when a token is set, `local` otherwise."""
        return "replicate" if self.replicate_api_token else "local"
