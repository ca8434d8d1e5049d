"""Replicate helpers that need no server: the price table, Retry-After parsing, output URL walking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from services.common.costs.money import usd_to_micros
from services.common.costs.pricing import PRICES, prediction_micros
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


# What one clip of each image-to-video model a session may choose costs, as the provider asks for it
# (services/video_gen/providers/replicate.py): its length in seconds, or GPU seconds for SVD.
CLIPS = {
    "wan-video/wan-2.2-i2v-fast": (5.06, 0, 100_000),  # per 720p video, whatever its length
    "kwaivgi/kling-v2.1": (5.0, 0, 250_000),  # standard mode, $0.05/s
    "bytedance/seedance-1-lite": (4.0, 0, 144_000),  # 720p, $0.036/s
    "bytedance/seedance-1-pro": (4.0, 0, 240_000),  # 720p, $0.06/s
    "google/veo-3.1-fast": (4.0, 0, 400_000),  # silent, $0.10/s
    "stability-ai/stable-video-diffusion": (2.3, 90, 126_000),  # ~90 s on an A100
}


def test_every_offered_video_model_is_priced_within_the_clip_estimate() -> None:
    """The gateway checks budgets with one per-clip estimate: it must cover every model a session may
    choose, or a session could overspend its budget by choosing a dearer model."""
    from gateway.core.config import Settings
    from services.video_gen.providers.replicate import CHOICES

    assert set(CLIPS) == {m.name for m in CHOICES.values()} and set(CLIPS) <= set(PRICES)
    estimate = usd_to_micros(Settings.model_fields["estimate_clip_usd"].default)
    for model, (seconds, gpu_s, micros) in CLIPS.items():
        cost = prediction_micros(model, metrics={"predict_time": gpu_s}, outputs=1, output_seconds=seconds)
        assert cost == micros, model
        assert cost <= estimate, model


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
