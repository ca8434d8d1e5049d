"""What Replicate charges for each model we call, so every item reports the provider's own cost.

Billing units differ by model (replicate.com/pricing, replicate.com/docs/billing):
- official image models are billed per output image (flux-1.1-pro $0.04, flux-pro $0.055);
- official language models per token (Llama 3 70B instruct: $0.65 / 1M input, $2.75 / 1M output);
- community models by the second of GPU time the prediction used (`metrics.predict_time`) at the
  hardware's rate (L40S $0.000975/s, A100 80GB $0.0014/s, T4 $0.000225/s);
- the official audio model per output track (stable-audio-2.5 $0.20);
- official video models per output video or per second of it, priced by the resolution asked for.
The PRD's table (section 8.1: Llama $0.001 per call, Flux-Pro $0.05 and SDXL $0.01 per image, SVD
$0.80 per clip, MusicGen $0.30 per track) is the budget reference; these rates are the providers'
list prices, which is what the session total must add up to. Rates change rarely and are
reviewed like code, so they live here rather than in settings.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from services.common.costs.money import local_usd_per_cpu_hour, usd_to_micros

log = logging.getLogger(__name__)

L40S_PER_S = Decimal("0.000975")
A100_80GB_PER_S = Decimal("0.0014")
T4_PER_S = Decimal("0.000225")


@dataclass(frozen=True)
class Price:
    per_output: Decimal = Decimal(0)
    per_second: Decimal = Decimal(0)  # of predict_time (GPU seconds)
    per_output_second: Decimal = Decimal(0)  # of generated video/audio
    per_million_input_tokens: Decimal = Decimal(0)
    per_million_output_tokens: Decimal = Decimal(0)


PRICES: dict[str, Price] = {
    "meta/meta-llama-3-70b-instruct": Price(
        per_million_input_tokens=Decimal("0.65"), per_million_output_tokens=Decimal("2.75")
    ),
    "black-forest-labs/flux-1.1-pro": Price(per_output=Decimal("0.04")),
    "black-forest-labs/flux-pro": Price(per_output=Decimal("0.055")),
    "stability-ai/sdxl": Price(per_second=L40S_PER_S),
    "stability-ai/stable-video-diffusion": Price(per_second=A100_80GB_PER_S),
    "meta/musicgen": Price(per_second=A100_80GB_PER_S),
    # Official, a flat $0.20 per track whatever its length (Stability's own API: 20 credits).
    "stability-ai/stable-audio-2.5": Price(per_output=Decimal("0.20")),
    # Community model on an Nvidia T4 (about $0.0002 a voiceover of a second or so of GPU time).
    "jaaari/kokoro-82m": Price(per_second=T4_PER_S),
    # Image-to-video (official models, replicate.com/<owner>/<name> "Pricing"), at the settings
    # services/video_gen/providers/replicate.py asks for: the default, per 720p video (480p $0.05).
    "wan-video/wan-2.2-i2v-fast": Price(per_output=Decimal("0.10")),
    # Standard mode (720p) per second of video, 5 s clips: $0.25 (pro, 1080p: $0.09/s).
    "kwaivgi/kling-v2.1": Price(per_output_second=Decimal("0.05")),
    # 720p per second of video (480p $0.018 / $0.03, 1080p $0.072 / $0.15).
    "bytedance/seedance-1-lite": Price(per_output_second=Decimal("0.036")),
    "bytedance/seedance-1-pro": Price(per_output_second=Decimal("0.06")),
    # Without audio, per second of video (with generate_audio $0.15/s).
    "google/veo-3.1-fast": Price(per_output_second=Decimal("0.10")),
}

# A model missing from the table is billed as A100 time rather than as free: budgets stay honest.
FALLBACK = Price(per_second=A100_80GB_PER_S)


def price_of(model: str) -> Price:
    price = PRICES.get(model)
    if price is None:
        log.warning("no price for model, billing it as A100 time", extra={"model": model})
        return FALLBACK
    return price


def prediction_usd(
    model: str,
    *,
    metrics: dict[str, Any] | None,
    outputs: int = 0,
    output_seconds: float = 0.0,
) -> Decimal:
    """The provider's charge for one prediction. Failed ones pay GPU time but no outputs."""
    price = price_of(model)
    metrics = metrics or {}
    usd = price.per_output * outputs
    usd += price.per_second * Decimal(str(metrics.get("predict_time") or 0))
    usd += price.per_output_second * Decimal(str(output_seconds))
    usd += price.per_million_input_tokens * Decimal(int(metrics.get("input_token_count") or 0)) / 10**6
    usd += price.per_million_output_tokens * Decimal(int(metrics.get("output_token_count") or 0)) / 10**6
    return usd


def prediction_micros(
    model: str, *, metrics: dict[str, Any] | None, outputs: int = 0, output_seconds: float = 0.0
) -> int:
    return usd_to_micros(
        prediction_usd(model, metrics=metrics, outputs=outputs, output_seconds=output_seconds)
    )


@dataclass(frozen=True)
class ClipRun:
    """One clip of a video model as services/video_gen/providers/replicate.py asks for it: the seconds
    of video it makes (for a model billed by them), or a typical run's GPU seconds (for one billed so)."""

    model: str
    seconds: float
    gpu_s: float = 0.0


# The video models a session may choose (the gateway's `video_model`), by their friendly id; each makes
# a fixed length whatever the shot's (the agent re-times it). tests/unit/test_replicate_pricing.py holds
# this to the provider's own choices and inputs.
VIDEO_MODELS: dict[str, ClipRun] = {
    "wan-2.2-fast": ClipRun("wan-video/wan-2.2-i2v-fast", 0.0),  # per 720p video, whatever its length
    "kling-2.1": ClipRun("kwaivgi/kling-v2.1", 5.0),
    "seedance-lite": ClipRun("bytedance/seedance-1-lite", 4.0),
    "seedance-pro": ClipRun("bytedance/seedance-1-pro", 4.0),
    "veo-3.1-fast": ClipRun("google/veo-3.1-fast", 4.0),
    "svd": ClipRun("stability-ai/stable-video-diffusion", 0.0, gpu_s=90),  # ~90 s on an A100
}
DEFAULT_VIDEO_MODEL = "wan-2.2-fast"
# An offline clip takes about 3 CPU seconds (1024x576, 30 fps); it is quoted at ten times that.
LOCAL_CLIP_CPU_S = 30


def clip_quote_usd(video_model: str, engine: str) -> Decimal:
    """What one clip is expected to cost: the model's list price online, the CPU it takes offline."""
    if engine == "local":
        return local_usd_per_cpu_hour() * LOCAL_CLIP_CPU_S / 3600
    run = VIDEO_MODELS[video_model or DEFAULT_VIDEO_MODEL]
    return prediction_usd(
        run.model, metrics={"predict_time": run.gpu_s}, outputs=1, output_seconds=run.seconds
    )
