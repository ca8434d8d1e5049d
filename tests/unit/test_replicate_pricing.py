"""Replicate helpers that need no server: the price table, Retry-After parsing, output URL walking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

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


def test_unknown_models_are_not_free() -> None:
    assert "acme/new-model" not in PRICES
    assert prediction_micros("acme/new-model", metrics={"predict_time": 10}) == 14_000


def test_prd_budget_stays_within_reference() -> None:
    """A PRD-sized session (1 parse + 1 plan, 6 Flux images, 4 SVD clips of ~90 GPU s, 30 s of
    MusicGen at ~60 GPU s) costs what PRD 8.1 budgets, give or take: well under its $4.00."""
    llm = 2 * prediction_micros(
        "meta/meta-llama-3-70b-instruct", metrics={"input_token_count": 800, "output_token_count": 600}
    )
    images = prediction_micros("black-forest-labs/flux-1.1-pro", metrics={}, outputs=6)
    clips = 4 * prediction_micros("stability-ai/stable-video-diffusion", metrics={"predict_time": 90})
    music = prediction_micros("meta/musicgen", metrics={"predict_time": 60})
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
