"""The launcher's settings, from the environment (ADREEL_*, plus DATABASE_URL / NATS_URL)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class StackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ADREEL_", extra="ignore")

    # Everything `make run` keeps between runs: pg/, nats/, storage/ (and the gateway's jwt_secret).
    home: Path = REPO_ROOT / ".adreel"
    # Unset: embedded PostgreSQL under <home>/pg.
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    # Unset: embedded NATS JetStream under <home>/nats (the cost ledger needs it).
    nats_url: str | None = Field(default=None, validation_alias=AliasChoices("NATS_URL"))
    nats_port: int = 0  # 0 = a free port

    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8000
    # Gateways on gateway_port, gateway_port + 1, ... sharing PostgreSQL, NATS and the agents: any
    # of them serves the whole API (stages run as jobs any replica picks up).
    gateway_replicas: int = Field(default=1, ge=1, le=16)
    prompt_parser_port: int = 50051
    image_gen_port: int = 50052
    video_gen_port: int = 50053
    compositor_port: int = 50054

    # The Next.js web app (needs Node.js); ADREEL_WEB=false runs the API only.
    web: bool = True
    web_host: str = "127.0.0.1"
    web_port: int = 3000

    # Every agent's engine (ADREEL_ENGINE); unset, REPLICATE_API_TOKEN decides: Replicate with a
    # token, offline without. ADREEL_<AGENT>_ENGINE still overrides it for one agent.
    engine: Literal["local", "replicate"] | None = None
    storage_dir: Path | None = None  # default <home>/storage

    ready_timeout_s: float = 180.0
    stop_grace_s: float = 10.0
    restart_backoff_s: float = 1.0
    restart_backoff_max_s: float = 30.0
    # A child that stayed up this long counts as healthy again: its next crash restarts quickly.
    restart_reset_after_s: float = 60.0

    @property
    def storage(self) -> Path:
        return self.storage_dir or self.home / "storage"

    @property
    def web_url(self) -> str:
        return f"http://{self.web_host}:{self.web_port}"

    @property
    def gateway_ports(self) -> list[int]:
        return [self.gateway_port + n for n in range(self.gateway_replicas)]

    @property
    def gateway_urls(self) -> list[str]:
        host = "127.0.0.1" if self.gateway_host in ("0.0.0.0", "::") else self.gateway_host
        return [f"http://{host}:{port}" for port in self.gateway_ports]

    @property
    def gateway_url(self) -> str:
        """The first replica's: the web app's API and the URL `make run` prints first."""
        return self.gateway_urls[0]
