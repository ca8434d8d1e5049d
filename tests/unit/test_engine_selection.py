"""One rule picks each agent's engine, and the agents, `make run` and GET /api/engines all use it."""

from __future__ import annotations

import importlib

import pytest

from services.common.config import engine_for
from stack.config import StackSettings
from stack.launcher import engine_line
from stack.processes import AGENTS

VARS = ("REPLICATE_API_TOKEN", "ADREEL_ENGINE", *(f"ADREEL_{a.upper()}_ENGINE" for a in AGENTS))
CASES = [
    ({}, dict.fromkeys(AGENTS, "local")),
    ({"REPLICATE_API_TOKEN": "r8_x"}, dict.fromkeys(AGENTS, "replicate")),
    ({"REPLICATE_API_TOKEN": "r8_x", "ADREEL_ENGINE": "local"}, dict.fromkeys(AGENTS, "local")),
    (
        {"REPLICATE_API_TOKEN": "r8_x", "ADREEL_ENGINE": "local", "ADREEL_VIDEO_GEN_ENGINE": "replicate"},
        dict.fromkeys(AGENTS, "local") | {"video_gen": "replicate"},
    ),
    ({"ADREEL_COMPOSITOR_ENGINE": "replicate"}, dict.fromkeys(AGENTS, "local") | {"compositor": "replicate"}),
]


@pytest.mark.parametrize(("env", "expected"), CASES)
def test_agents_and_launcher_agree(
    env: dict[str, str], expected: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for agent in AGENTS:
        settings = importlib.import_module(f"services.{agent}.config").Settings()
        assert settings.engine == engine_for(agent, env) == expected[agent], agent
    line = engine_line(env)
    assert all(f"{agent} {engine}" in line for agent, engine in expected.items()), line


def test_make_run_leaves_the_choice_to_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    """`make run` used to pin ADREEL_ENGINE=local, so a token was silently ignored."""
    monkeypatch.delenv("ADREEL_ENGINE", raising=False)
    assert StackSettings().engine is None
    monkeypatch.setenv("ADREEL_ENGINE", "local")
    assert StackSettings().engine == "local"
