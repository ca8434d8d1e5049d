"""Clips on Replicate: Stable Video Diffusion (pinned version) or Kling v1.6 (prompt-following).

SVD takes no text: input_image, video_length (14 or 25 frames), frames_per_second,
motion_bucket_id (1-255, here from the plan's motion intensity), cond_aug, decoding_t,
sizing_strategy and seed. Kling v1.6 Standard (official, by name) animates start_image following
the scene prompt, in 5 s clips billed per second of video. The caller picks per request through
`model`; either output is re-timed and re-encoded by FFmpeg to the agent's 1024x576 30 fps H.264.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from pathlib import Path

from adreel.v1 import common_pb2
from services.common.errors import InvalidArgument
from services.common.ffmpeg import run_ffmpeg
from services.common.replicate_client import (
    ModelRef,
    OutputFiles,
    ReplicateRunner,
    runner_for,
)
from services.video_gen.config import Settings
from services.video_gen.providers import ClipRequest, RenderedClip

SVD = ModelRef(
    "stability-ai/stable-video-diffusion", "3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438"
)
KLING = ModelRef("kwaivgi/kling-v1.6-standard")
ALIASES = {"": SVD, "svd": SVD, SVD.name: SVD, "kling": KLING, KLING.name: KLING}
WIDTH, HEIGHT, FPS = 1024, 576, 30
NEGATIVE = "blurry, distorted product, warped logo, text, watermark, extra objects"


def motion_bucket(intensity: float) -> int:
    """SVD's motion dial: 127 is its default; products warp above ~200, so 40-200 is the range."""
    return round(40 + 160 * min(1.0, max(0.0, intensity)))


class ReplicateClips:
    name = "replicate"
    default_model = SVD.name

    def __init__(self, settings: Settings, runner: ReplicateRunner | None = None) -> None:
        self.runner = runner or runner_for(settings)
        self.settings = settings

    async def warmup(self) -> None:
        await self.runner.check()

    async def close(self) -> None:
        await self.runner.aclose()

    def _inputs(self, model: ModelRef, request: ClipRequest, image_url: str) -> dict[str, object]:
        if model is KLING:
            return {
                "prompt": request.scene_prompt,
                "negative_prompt": NEGATIVE,
                "start_image": image_url,
                "aspect_ratio": "16:9",
                "duration": 5,
                "cfg_scale": 0.5,
            }
        frames = 25 if request.duration_s > 3 else 14
        return {
            "input_image": image_url,
            "video_length": "25_frames_with_svd_xt" if frames == 25 else "14_frames_with_svd",
            "sizing_strategy": "crop_to_16_9",
            # Frames spread over the clip's length, so the motion is paced for it.
            "frames_per_second": max(5, min(30, math.ceil(frames / request.duration_s))),
            "motion_bucket_id": motion_bucket(request.motion_intensity),
            "cond_aug": 0.02,
            "decoding_t": 14,
            "seed": request.seed % 2**31,
        }

    async def render(
        self, request: ClipRequest, dest: Path, on_progress: Callable[[float], None]
    ) -> RenderedClip:
        model = ALIASES.get(request.model)
        if model is None:
            raise InvalidArgument("model", f"must be one of {sorted(k for k in ALIASES if k)} or empty")
        on_progress(0.02)
        image_url = await self.runner.upload(request.source, "image/png")
        with tempfile.TemporaryDirectory(prefix="adreel-vg-replicate-") as tmp:
            result = await self.runner.run(
                model,
                self._inputs(model, request, image_url),
                outputs=OutputFiles("raw", ("video/",), limit=1, directory=Path(tmp)),
                on_progress=lambda f, _m: on_progress(0.05 + 0.8 * f),
            )
            raw = result.files[0]
            # Stretch or squeeze the model's clip to the requested length, then resample to 30 fps.
            speed = request.duration_s / max(0.1, raw.info.duration_s)
            vf = (
                f"setpts={speed:.5f}*PTS,scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=increase,"
                f"crop={WIDTH}:{HEIGHT},fps={FPS},format=yuv420p"
            )
            frames = round(request.duration_s * FPS)
            await run_ffmpeg(
                [
                    "-i",
                    str(raw.path),
                    "-vf",
                    vf,
                    "-frames:v",
                    str(frames),
                    "-an",
                    "-c:v",
                    "libx264",
                    "-preset",
                    self.settings.x264_preset,
                    "-crf",
                    str(self.settings.x264_crf),
                    "-movflags",
                    "+faststart",
                    str(dest),
                ],
                expected_s=request.duration_s,
                on_progress=lambda f: on_progress(0.85 + 0.15 * f),
                timeout_s=self.settings.ffmpeg_timeout_s,
            )
        cost = common_pb2.Cost()
        cost.CopyFrom(result.cost)
        return RenderedClip(cost)
