"""What `make run` runs: one entry per process. Adding a process (ledger, web app) is one entry here."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from services.common.agent_auth import local_signing_key, public_of
from stack import webapp
from stack.config import REPO_ROOT, StackSettings
from stack.embedded import free_port
from stack.probes import Probe, grpc_serving, http_ok


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    argv: tuple[str, ...]
    # Added to the launcher's own environment.
    env: Mapping[str, str] = field(default_factory=dict)
    # Ready when this answers True; None = ready as soon as it runs.
    probe: Probe | None = None
    # Processes start wave by wave; a wave starts once every process of the previous one is ready.
    wave: int = 0
    cwd: Path = REPO_ROOT


def python_module(module: str, *args: str) -> tuple[str, ...]:
    return (sys.executable, "-m", module, *args)


AGENTS = ("prompt_parser", "image_gen", "video_gen", "compositor")


def agent_address(settings: StackSettings, agent: str) -> str:
    return f"127.0.0.1:{getattr(settings, f'{agent}_port')}"


def ledger_port() -> int:
    """ADREEL_LEDGER_PORT, else a free port: only health probes dial the ledger, nothing calls it."""
    return int(os.environ.get("ADREEL_LEDGER_PORT") or 0) or free_port()


def migrations(shared_env: Mapping[str, str]) -> ProcessSpec:
    """Run once before anything starts; the launcher stops if it fails."""
    return ProcessSpec("migrate", python_module("gateway.db.migrate"), env=shared_env)


def mesh(settings: StackSettings, shared_env: Mapping[str, str]) -> list[ProcessSpec]:
    """The long-running processes, supervised and restarted on a crash."""
    # The gateway signs its calls to the agents, which check them with its public key.
    signing = os.environ.get("ADREEL_AGENT_SIGNING_KEY") or local_signing_key(settings.home)
    verify = {"ADREEL_AGENT_VERIFY_KEY": public_of(signing)}
    agents = [
        ProcessSpec(
            name,
            python_module(f"services.{name}"),
            env={
                **shared_env,
                **verify,
                "PORT": str(getattr(settings, f"{name}_port")),
                "ADREEL_HOST": "127.0.0.1",
            },
            probe=grpc_serving(agent_address(settings, name)),
        )
        for name in AGENTS
    ]
    if "NATS_URL" in shared_env:
        port = ledger_port()
        agents.append(
            ProcessSpec(
                "ledger",
                python_module("services.ledger"),
                env={**shared_env, "PORT": str(port), "ADREEL_HOST": "127.0.0.1"},
                probe=grpc_serving(f"127.0.0.1:{port}"),
            )
        )
    gateway_env = {
        **shared_env,
        "ADREEL_AGENT_SIGNING_KEY": signing,
        "ADREEL_GATEWAY_HOST": settings.gateway_host,
        **{f"ADREEL_{name.upper()}_ADDR": agent_address(settings, name) for name in AGENTS},
    }
    if settings.web and "ADREEL_WEB_ORIGINS" not in os.environ:
        # The browser calls the API from the web app's origin (an explicit setting wins).
        gateway_env["ADREEL_WEB_ORIGINS"] = json.dumps(
            [settings.web_url, f"http://localhost:{settings.web_port}"]
        )
    gateways = [
        ProcessSpec(
            gateway_name(settings, n),
            python_module("gateway"),
            env={**gateway_env, "ADREEL_GATEWAY_PORT": str(port)},
            probe=http_ok(f"{url}/health"),
            # The first replica starts alone: it makes the shared local JWT secret (and joins the
            # stage-job queue) before the others, which start beside the web app.
            wave=1 if n == 0 else 2,
        )
        for n, (port, url) in enumerate(zip(settings.gateway_ports, settings.gateway_urls, strict=True))
    ]
    if not settings.web:
        return [*agents, *gateways]
    web = ProcessSpec(
        "web",
        webapp.start_argv(settings.web_host, settings.web_port),
        # One API URL: any replica serves every route, so the first one is as good as the others.
        env=webapp.start_env(settings.gateway_url),
        probe=http_ok(settings.web_url),
        wave=2,
        cwd=webapp.FRONTEND,
    )
    return [*agents, *gateways, web]


def gateway_name(settings: StackSettings, replica: int) -> str:
    """`gateway` alone, else gateway-1, gateway-2... (the log prefix and what restarts say)."""
    return "gateway" if settings.gateway_replicas == 1 else f"gateway-{replica + 1}"
