"""Clips on Replicate: image-to-video models that follow the shot plan, the approved still as first frame.

The caller picks the model per request (`model`: a friendly id of CHOICES, the model's own name, or
"" for the default). Every prompt-following model gets `shot_prompt`: the shot's scene prompt, its
camera movement and its motion intensity in words. Inputs are each model's own (its OpenAPI "Input"
schema on replicate.com/<owner>/<name>/api/schema):
- wan-2.2-fast, the default, `wan-video/wan-2.2-i2v-fast`: image, prompt, num_frames (81-121),
  frames_per_second (5-30), resolution (480p|720p), aspect_ratio (16:9|9:16), seed. Per video.
- kling-2.1 `kwaivgi/kling-v2.1` (it replaces Kling v1.6 standard; "kling" still names it):
  start_image, prompt, negative_prompt, mode (standard 720p|pro 1080p), duration (5|10 s).
- seedance-lite / seedance-pro `bytedance/seedance-1-lite|pro`: image, prompt, duration (s),
  resolution (480p|720p|1080p), fps (24), camera_fixed (set for a static shot), seed.
- veo-3.1-fast `google/veo-3.1-fast`: image, prompt, negative_prompt, duration (4|6|8 s), resolution
  (720p|1080p), aspect_ratio, generate_audio (off: the compositor scores the ad), seed.
- svd `stability-ai/stable-video-diffusion` (pinned version) takes no text: input_image,
  video_length (14 or 25 frames), frames_per_second, motion_bucket_id (1-255, here from the plan's
  motion intensity), cond_aug, decoding_t, sizing_strategy and seed.
Prices are in services/common/costs/pricing.py. Whatever the model made is re-timed and re-encoded by
FFmpeg to the agent's 1024x576 30 fps H.264.
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
WAN = ModelRef("wan-video/wan-2.2-i2v-fast")
KLING = ModelRef("kwaivgi/kling-v2.1")
SEEDANCE_LITE = ModelRef("bytedance/seedance-1-lite")
SEEDANCE_PRO = ModelRef("bytedance/seedance-1-pro")
VEO = ModelRef("google/veo-3.1-fast")
DEFAULT = WAN
# What a session may choose (the gateway's GenerateClipsRequest.video_model), by friendly id.
CHOICES = {
    "wan-2.2-fast": WAN,
    "kling-2.1": KLING,
    "seedance-lite": SEEDANCE_LITE,
    "seedance-pro": SEEDANCE_PRO,
    "veo-3.1-fast": VEO,
    "svd": SVD,
}
# `model` may also name the model itself; "kling" meant Kling v1.6 before v2.1 replaced it.
ALIASES = {"": DEFAULT, "kling": KLING, **CHOICES, **{m.name: m for m in CHOICES.values()}}
WIDTH, HEIGHT, FPS = 1024, 576, 30
NEGATIVE = "blurry, distorted product, warped logo, text, watermark, extra objects"
# Seedance's schema allows 2-12 s, but 3 s requests have been seen refused (422): 4 s is the floor.
SEEDANCE_S = 4
Movement = common_pb2.CameraMovement
CAMERA = {
    Movement.CAMERA_MOVEMENT_STATIC: "static camera, a locked-off shot, the camera does not move",
    Movement.CAMERA_MOVEMENT_ZOOM_IN: "the camera slowly zooms in, pushing in toward the product",
    Movement.CAMERA_MOVEMENT_ZOOM_OUT: "the camera slowly zooms out, pulling back to reveal the scene",
    Movement.CAMERA_MOVEMENT_PAN_LEFT: "the camera pans left across the scene",
    Movement.CAMERA_MOVEMENT_PAN_RIGHT: "the camera pans right across the scene",
    Movement.CAMERA_MOVEMENT_TILT_UP: "the camera tilts up",
    Movement.CAMERA_MOVEMENT_TILT_DOWN: "the camera tilts down",
    Movement.CAMERA_MOVEMENT_TRACKING: "a tracking shot, the camera travels alongside the product",
    Movement.CAMERA_MOVEMENT_ORBIT: "the camera orbits around the product",
}


def motion_bucket(intensity: float) -> int:
    """SVD's motion dial: 127 is its default; products warp above ~200, so 40-200 is the range."""
    return round(40 + 160 * min(1.0, max(0.0, intensity)))


def motion_words(intensity: float) -> str:
    """The plan's 0-1 motion intensity as a prompt-following model reads it."""
    if intensity < 0.25:
        return "subtle, barely perceptible motion"
    if intensity < 0.5:
        return "gentle, slow motion"
    if intensity < 0.75:
        return "smooth, moderate motion"
    return "dynamic, energetic motion"


def shot_prompt(request: ClipRequest) -> str:
    """The shot as one prompt: what happens (the scene prompt), how the camera moves, how much."""
    scene = request.scene_prompt.strip().rstrip(".") or "The product exactly as in the first frame"
    camera = CAMERA.get(request.movement, "smooth camera movement")
    return (
        f"{scene}. Camera: {camera}. Motion: {motion_words(request.motion_intensity)}. "
        "Keep the product's shape, colours and logo exactly as in the first frame."
    )


def frame_rate(frames: int, seconds: float, lo: int, hi: int) -> int:
    """Frames per second that spread `frames` over the clip's length, so its motion is paced for it."""
    return max(lo, min(hi, math.ceil(frames / seconds)))


class ReplicateClips:
    name = "replicate"
    default_model = DEFAULT.name

    def __init__(self, settings: Settings, runner: ReplicateRunner | None = None) -> None:
        self.runner = runner or runner_for(settings)
        self.settings = settings

    async def warmup(self) -> None:
        await self.runner.check()

    async def close(self) -> None:
        await self.runner.aclose()

    def check_model(self, model: str) -> None:
        if model not in ALIASES:
            choices = ", ".join(CHOICES)
            raise InvalidArgument("model", f"must be one of {choices} (or a model's name), or empty")

    def _inputs(self, model: ModelRef, request: ClipRequest, image_url: str) -> dict[str, object]:
        """The model's own input fields; 720p (or the nearest) and 16:9 where the model asks."""
        seed = request.seed % 2**31
        # What Wan, Seedance and Veo share: the start image, the shot, 720p, the session's seed.
        shot = {"image": image_url, "prompt": shot_prompt(request), "resolution": "720p", "seed": seed}
        if model == WAN:
            # 81 frames is the fewest (and, by its authors, the best); the model bills per video.
            return {
                **shot,
                "num_frames": 81,
                "frames_per_second": frame_rate(81, request.duration_s, 5, 30),
                "aspect_ratio": "16:9",
            }
        if model == KLING:
            # Standard mode is 720p; 5 s is its shortest clip (billed per second of video). No seed.
            return {
                "start_image": image_url,
                "prompt": shot["prompt"],
                "negative_prompt": NEGATIVE,
                "mode": "standard",
                "duration": 5,
            }
        if model in (SEEDANCE_LITE, SEEDANCE_PRO):
            static = request.movement == Movement.CAMERA_MOVEMENT_STATIC
            return {**shot, "duration": SEEDANCE_S, "fps": 24, "camera_fixed": static}
        if model == VEO:
            # 4 s is its shortest clip; silent, since the compositor adds the ad's own audio.
            return {
                **shot,
                "negative_prompt": NEGATIVE,
                "duration": 4,
                "aspect_ratio": "16:9",
                "generate_audio": False,
            }
        frames = 25 if request.duration_s > 3 else 14
        return {
            "input_image": image_url,
            "video_length": "25_frames_with_svd_xt" if frames == 25 else "14_frames_with_svd",
            "sizing_strategy": "crop_to_16_9",
            "frames_per_second": frame_rate(frames, request.duration_s, 5, 30),
            "motion_bucket_id": motion_bucket(request.motion_intensity),
            "cond_aug": 0.02,
            "decoding_t": 14,
            "seed": seed,
        }

    async def render(
        self, request: ClipRequest, dest: Path, on_progress: Callable[[float], None]
    ) -> RenderedClip:
        self.check_model(request.model)
        model = ALIASES[request.model]
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
