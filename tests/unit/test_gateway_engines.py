"""The gateway's engine table (gateway/api/routes/engines.py), in process: which engine each agent
runs by the environment's rule, and that the table's models are the agents' own defaults."""

from __future__ import annotations

from typing import get_args

from gateway.api.routes.engines import MODELS, OPTIONS, VOICES, engines
from gateway.schemas import MusicModel, VideoModel


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


def test_the_video_model_picker_is_offered_online_with_each_models_price() -> None:
    """What the web app's picker lists: each model the agent accepts, at its list price per clip."""
    from services.video_gen.providers import replicate as video_replicate

    assert engines({}).video_models == []  # offline, there is nothing to choose
    offered = engines({"REPLICATE_API_TOKEN": "r8_x"}).video_models
    assert offered[0].id == "" and {m.id for m in offered} | {"wan-2.2-fast"} == set(get_args(VideoModel))
    assert all(m.model == video_replicate.ALIASES[m.id].name for m in offered)
    prices = {m.id: m.usd_per_clip for m in offered}
    assert (prices[""], prices["kling-2.1"], prices["veo-3.1-fast"]) == (0.10, 0.25, 0.40)
