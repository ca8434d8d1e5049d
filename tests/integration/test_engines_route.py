"""GET /api/engines over a real gateway (PostgreSQL): each agent's engine, model and licence."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import httpx
import pytest

from gateway.api.routes.engines import MODELS, OPTIONS, VOICES, engines
from gateway.schemas import MusicModel, VideoModel
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


def test_engine_follows_the_agents_rule() -> None:
    token = {"REPLICATE_API_TOKEN": "r8_x"}
    assert {a.engine for a in engines({}).agents} == {"local"}
    assert {a.engine for a in engines(token).agents} == {"replicate"}
    mixed = {a.agent: a.engine for a in engines(token | {"ADREEL_VIDEO_GEN_ENGINE": "local"}).agents}
    assert mixed["video_gen"] == "local" and mixed["image_gen"] == "replicate"
    assert {a.engine for a in engines(token | {"ADREEL_ENGINE": "local"}).agents} == {"local"}


def test_table_matches_the_agents_default_models() -> None:
    # The gateway never imports an agent at run time; this test keeps its table honest.
    from services.compositor.providers import local as music_local
    from services.compositor.providers import replicate as music_replicate
    from services.image_gen.providers import local as image_local
    from services.image_gen.providers import replicate as image_replicate
    from services.prompt_parser.providers import local as text_local
    from services.prompt_parser.providers import replicate as text_replicate
    from services.video_gen.providers import local as video_local
    from services.video_gen.providers import replicate as video_replicate

    assert MODELS["prompt_parser"]["local"].model == text_local.MODEL
    assert MODELS["prompt_parser"]["replicate"].model == text_replicate.LLAMA.name
    assert MODELS["image_gen"]["local"].model == image_local.MODEL
    assert MODELS["image_gen"]["replicate"].model == image_replicate.FLUX.name
    assert MODELS["video_gen"]["local"].model == video_local.MODEL
    assert MODELS["video_gen"]["replicate"].model == video_replicate.DEFAULT.name
    assert MODELS["compositor"]["local"].model == music_local.MODEL
    assert MODELS["compositor"]["replicate"].model == music_replicate.STABLE_AUDIO.name
    assert [m.model for m in OPTIONS["compositor"]["replicate"]] == [music_replicate.MUSICGEN.name]
    # The API's music model names are the engine's.
    assert set(get_args(MusicModel)) == set(music_replicate.MUSIC_MODELS)
    assert VOICES["replicate"].model == music_replicate.KOKORO.name


def test_the_video_models_a_session_may_choose_are_the_agents() -> None:
    """The API's video_model choices are exactly the Replicate video engine's (and "" its default)."""
    from services.video_gen.providers import replicate as video_replicate

    assert set(get_args(VideoModel)) == {"", *video_replicate.CHOICES}
