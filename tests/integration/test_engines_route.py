"""GET /api/engines over a real gateway (PostgreSQL): each agent's engine, model and licence."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.gateway_support import gateway_database, gateway_settings, running_gateway, unused_addr

__all__ = ["gateway_database"]


async def test_engines_lists_every_agent_with_its_model_and_licence(
    gateway_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("ADREEL_ENGINE", "REPLICATE_API_TOKEN", "ADREEL_COMPOSITOR_ENGINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ADREEL_COMPOSITOR_ENGINE", "replicate")  # music and voice online for this agent alone
    down = unused_addr()
    settings = gateway_settings(
        gateway_database,
        tmp_path / "storage",
        tmp_path / "state",
        prompt_parser_addr=down,
        image_gen_addr=down,
        video_gen_addr=down,
        compositor_addr=down,
    )
    async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base, timeout=30) as c:
        r = await c.get("/api/engines")
    assert r.status_code == 200
    rows = {row["agent"]: row for row in r.json()["agents"]}
    assert set(rows) == {"prompt_parser", "image_gen", "video_gen", "compositor"}
    video = rows["video_gen"]
    assert (video["engine"], video["model"], video["commercial_use"]) == (
        "local",
        "local/ffmpeg-camera",
        True,
    )
    # The default music is usable in ads; MusicGen (non-commercial) only an opt-in, saying so.
    music = rows["compositor"]
    assert music["engine"] == "replicate" and music["model"] == "stability-ai/stable-audio-2.5"
    assert music["commercial_use"] is True and "Stability AI" in music["licence"]
    (musicgen,) = music["options"]
    assert musicgen["model"] == "meta/musicgen" and musicgen["licence"] == "CC-BY-NC-4.0"
    assert musicgen["commercial_use"] is False and "non-commercial" in musicgen["note"]
    assert "audio.model" in musicgen["note"]
    assert music["voice"]["model"] == "jaaari/kokoro-82m" and music["voice"]["commercial_use"] is True
    assert rows["image_gen"]["options"] == [] and rows["image_gen"]["voice"] is None
    # Clips are made offline here: no video model is offered to choose.
    assert r.json()["video_models"] == []
