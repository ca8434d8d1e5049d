"""Replicate helpers that need no server: the price table, Retry-After parsing, output URL walking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from pathlib import Path

import pytest

from services.common.costs.money import usd_to_micros
from services.common.costs.pricing import (
    DEFAULT_VIDEO_MODEL,
    PRICES,
    VIDEO_MODELS,
    clip_quote_usd,
    prediction_micros,
)
from services.common.replicate_client import file_urls, parse_retry_after


def test_each_billing_unit() -> None:
    # Per image (official Flux): GPU time does not matter.
    assert (
        prediction_micros("black-forest-labs/flux-1.1-pro", metrics={"predict_time": 99}, outputs=6)
        == 240_000
    )
    # Per GPU second (community SDXL on an L40S).
    assert prediction_micros("stability-ai/sdxl", metrics={"predict_time": 6.5}) == 6_338
    # Per token (Llama 3 70B): 2000 in, 500 out.
    metrics = {"input_token_count": 2000, "output_token_count": 500}
    assert prediction_micros("meta/meta-llama-3-70b-instruct", metrics=metrics) == 1_300 + 1_375
    # A failed per-image prediction (no outputs) costs nothing.
    assert prediction_micros("black-forest-labs/flux-1.1-pro", metrics={"predict_time": 3}) == 0
    # Per video (Wan 2.2 fast at 720p) and per second of video (Kling 2.1 standard, 5 s).
    assert prediction_micros("wan-video/wan-2.2-i2v-fast", metrics={"predict_time": 40}, outputs=1) == 100_000
    assert prediction_micros("kwaivgi/kling-v2.1", metrics={}, outputs=1, output_seconds=5.0) == 250_000


# What one clip of each video model a session may choose costs (micro-dollars).
CLIP_MICROS = {
    "wan-2.2-fast": 100_000,  # per 720p video, whatever its length
    "kling-2.1": 250_000,  # standard mode, 5 s at $0.05/s
    "seedance-lite": 144_000,  # 720p, 4 s at $0.036/s
    "seedance-pro": 240_000,  # 720p, 4 s at $0.06/s
    "veo-3.1-fast": 400_000,  # silent, 4 s at $0.10/s
    "svd": 126_000,  # ~90 s on an A100
}


def test_the_clip_quotes_are_what_the_provider_asks_for() -> None:
    """VIDEO_MODELS (what storyboards are quoted with) names the provider's own choices, and a model billed
    by the second of video is quoted for the length the provider asks it for."""
    from services.video_gen.config import Settings as VideoSettings
    from services.video_gen.providers import ClipRequest
    from services.video_gen.providers.replicate import CHOICES, DEFAULT, ReplicateClips

    assert {k: m.name for k, m in CHOICES.items()} == {k: run.model for k, run in VIDEO_MODELS.items()}
    assert VIDEO_MODELS[DEFAULT_VIDEO_MODEL].model == DEFAULT.name
    provider = ReplicateClips(VideoSettings(engine="local"), runner=object())  # type: ignore[arg-type]
    for key, run in VIDEO_MODELS.items():
        shot = ClipRequest(Path("x.png"), "asset://x", 0, 0.5, 3.0, 1, "a shot", key)
        asked = provider._inputs(CHOICES[key], shot, "https://x/x.png")
        if PRICES[run.model].per_output_second:
            assert run.seconds == asked["duration"], key
        assert usd_to_micros(clip_quote_usd(key, "replicate")) == CLIP_MICROS[key], key
    assert clip_quote_usd("", "replicate") == clip_quote_usd(DEFAULT_VIDEO_MODEL, "replicate")
    # Offline, a clip is CPU time: far under a cent.
    assert 0 < clip_quote_usd("veo-3.1-fast", "local") < Decimal("0.01")


def test_every_offered_video_model_is_priced_within_the_clip_estimate() -> None:
    """The gateway checks budgets with one per-clip estimate: it must cover every model a session may
    choose, or a session could overspend its budget by choosing a dearer model."""
    from gateway.core.config import Settings

    estimate = usd_to_micros(Settings.model_fields["estimate_clip_usd"].default)
    assert set(VIDEO_MODELS) <= set(CLIP_MICROS) and max(CLIP_MICROS.values()) <= estimate


def test_the_audio_of_a_compose_is_priced_within_the_compose_estimate() -> None:
    """Stable Audio 2.5 is billed per track whatever its length, Kokoro by the T4 second: a compose
    with a track of each music model a session may choose and a voiceover spoken twice (once faster
    to fit) stays within the one per-compose estimate the gateway checks budgets with."""
    from gateway.core.config import Settings

    track = prediction_micros(
        "stability-ai/stable-audio-2.5", metrics={"predict_time": 9}, outputs=1, output_seconds=30
    )
    voice = prediction_micros("jaaari/kokoro-82m", metrics={"predict_time": 1.2}, outputs=1)
    musicgen = prediction_micros("meta/musicgen", metrics={"predict_time": 30})
    assert (track, voice, musicgen) == (200_000, 270, 42_000)
    assert track + musicgen + 2 * voice < usd_to_micros(Settings.model_fields["estimate_compose_usd"].default)


def test_unknown_models_are_not_free() -> None:
    assert "acme/new-model" not in PRICES
    assert prediction_micros("acme/new-model", metrics={"predict_time": 10}) == 14_000


def test_prd_budget_stays_within_reference() -> None:
    """A PRD-sized session (1 parse + 1 plan, 6 Flux images, 4 clips of the default Wan 2.2, a track of
    the default Stable Audio 2.5) costs what PRD 8.1 budgets, give or take: well under its $4.00."""
    llm = 2 * prediction_micros(
        "meta/meta-llama-3-70b-instruct", metrics={"input_token_count": 800, "output_token_count": 600}
    )
    images = prediction_micros("black-forest-labs/flux-1.1-pro", metrics={}, outputs=6)
    clips = 4 * prediction_micros("wan-video/wan-2.2-i2v-fast", metrics={"predict_time": 90}, outputs=1)
    music = prediction_micros("stability-ai/stable-audio-2.5", metrics={"predict_time": 8}, outputs=1)
    total = llm + images + clips + music
    assert images == 240_000 and 0 < llm < 10_000
    assert 500_000 < total < 4_000_000


@pytest.mark.parametrize(("header", "expected"), [("3", 3.0), ("0.5", 0.5), (None, None), ("soon", None)])
def test_retry_after_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_http_date() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (parse_retry_after(when) or 0) <= 30
    past = format_datetime(datetime.now(UTC) - timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(past) == 0.0


def test_file_urls_walks_any_output_shape() -> None:
    assert file_urls("https://x/a.png") == ["https://x/a.png"]
    assert file_urls(["https://x/a.png", "https://x/b.png"]) == ["https://x/a.png", "https://x/b.png"]
    assert file_urls({"video": "https://x/v.mp4", "n": 3}) == ["https://x/v.mp4"]
    assert file_urls(["Hello", " world"]) == []  # LLM chunks are not files
    assert file_urls("file:///etc/passwd") == ["file:///etc/passwd"]  # found, so the runner can refuse it
