"""What `make run` plans for ADREEL_GATEWAY_REPLICAS, without starting anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack.config import StackSettings
from stack.processes import ProcessSpec, mesh

SHARED = {"DATABASE_URL": "postgresql://x/y", "NATS_URL": "nats://127.0.0.1:4222"}


def plan(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, ProcessSpec]:
    for key in ("ADREEL_GATEWAY_REPLICAS", "ADREEL_GATEWAY_PORT", "ADREEL_WEB", "ADREEL_WEB_ORIGINS"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = StackSettings(home=tmp_path)
    return {spec.name: spec for spec in mesh(settings, SHARED)}


def test_one_replica_is_the_gateway_on_its_port(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    specs = plan(monkeypatch, tmp_path)
    gateways = [name for name in specs if name.startswith("gateway")]
    assert gateways == ["gateway"]
    assert specs["gateway"].env["ADREEL_GATEWAY_PORT"] == "8000"
    assert specs["gateway"].wave == 1


def test_two_replicas_on_consecutive_ports_share_everything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    specs = plan(monkeypatch, tmp_path, ADREEL_GATEWAY_REPLICAS="2", ADREEL_GATEWAY_PORT="8100")
    one, two = specs["gateway-1"], specs["gateway-2"]
    assert "gateway" not in specs
    env1, env2 = dict(one.env), dict(two.env)
    assert (env1.pop("ADREEL_GATEWAY_PORT"), env2.pop("ADREEL_GATEWAY_PORT")) == ("8100", "8101")
    # Same database, NATS, agents, origins: nothing else tells the replicas apart.
    assert env1 == env2 and env1["DATABASE_URL"] == SHARED["DATABASE_URL"]
    assert one.argv == two.argv
    # The first starts alone (it makes the shared local secret); the rest start with the web app,
    # which talks to the first.
    assert (one.wave, two.wave, specs["web"].wave) == (1, 2, 2)
    assert specs["web"].env["ADREEL_API_URL"] == "http://127.0.0.1:8100"


def test_replicas_must_be_at_least_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        plan(monkeypatch, tmp_path, ADREEL_GATEWAY_REPLICAS="0")
