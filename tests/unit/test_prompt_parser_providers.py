"""The prompt parser's engines without a server: settings pick the port and the engine, the engine's
provider follows, and the Llama engine reads JSON out of prose and fences."""

from __future__ import annotations

import pytest

from services.prompt_parser.config import Settings
from services.prompt_parser.providers.replicate import extract_json


async def test_settings_pick_port_and_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PORT", "ADREEL_PORT", "ADREEL_ENGINE", "REPLICATE_API_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    assert (Settings().port, Settings().engine) == (50051, "local")
    monkeypatch.setenv("PORT", "6123")
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_test")
    assert (Settings().port, Settings().engine) == (6123, "replicate")


def test_engine_setting_selects_the_provider() -> None:
    from services.prompt_parser.providers import make_provider
    from services.prompt_parser.providers.local import LocalRulesProvider
    from services.prompt_parser.providers.replicate import ReplicateLLMProvider

    assert isinstance(make_provider(Settings(engine="local")), LocalRulesProvider)
    replicate = make_provider(Settings(engine="replicate", REPLICATE_API_TOKEN="r8_test"))
    assert isinstance(replicate, ReplicateLLMProvider)


def test_extract_json_from_prose_and_fences() -> None:
    assert extract_json('Sure! Here it is:\n```json\n{"a": [1, 2]}\n```\nHope it helps.') == {"a": [1, 2]}
    assert extract_json('The answer is {"a": {"b": "}"}} as requested.') == {"a": {"b": "}"}}
    assert extract_json('{oops} then {"ok": true}') == {"ok": True}
    with pytest.raises(ValueError, match="no JSON"):
        extract_json("I cannot help with that.")
