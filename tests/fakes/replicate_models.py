"""The Replicate models Adreel uses, as the fake serves them: their real input schemas (reduced from
each model's OpenAPI "Input" schema on replicate.com) and handlers that return real media.

Versions are the public pinned ids the providers use; the fake only checks they match.
"""

from __future__ import annotations

import asyncio
import io
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
from PIL import Image

from tests.fakes.replicate_server import FakePrediction, FakeReplicate, Handler, ModelFailure

LLAMA = "meta/meta-llama-3-70b-instruct"
FLUX = "black-forest-labs/flux-1.1-pro"
SDXL = "stability-ai/sdxl"
SDXL_VERSION = "7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc"
SVD = "stability-ai/stable-video-diffusion"
SVD_VERSION = "3f0457e4619daac51203dedb472816fd4af51f3149fa7a9e0b5ffcf1b8172438"
KLING = "kwaivgi/kling-v1.6-standard"
MUSICGEN = "meta/musicgen"
MUSICGEN_VERSION = "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb"

STR, INT, NUM, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
URI = {"type": "string", "format": "uri"}


def enum(*values: Any) -> dict[str, Any]:
    kind = "integer" if isinstance(values[0], int) else "string"
    return {"type": kind, "enum": list(values)}


def bounded(kind: dict[str, Any], lo: float, hi: float) -> dict[str, Any]:
    return {**kind, "minimum": lo, "maximum": hi}


SCHEMAS: dict[str, dict[str, Any]] = {
    LLAMA: {
        "properties": {
            "prompt": STR,
            "system_prompt": STR,
            "max_tokens": INT,
            "min_tokens": INT,
            "temperature": NUM,
            "top_p": NUM,
            "top_k": INT,
            "presence_penalty": NUM,
            "frequency_penalty": NUM,
            "stop_sequences": STR,
            "prompt_template": STR,
        },
    },
    FLUX: {
        "properties": {
            "prompt": STR,
            "image_prompt": URI,
            "aspect_ratio": enum("custom", "1:1", "16:9", "3:2", "2:3", "4:5", "5:4", "9:16", "3:4", "4:3"),
            "width": bounded(INT, 256, 1440),
            "height": bounded(INT, 256, 1440),
            "seed": INT,
            "output_format": enum("webp", "jpg", "png"),
            "output_quality": bounded(INT, 0, 100),
            "safety_tolerance": bounded(INT, 1, 6),
            "prompt_upsampling": BOOL,
        },
        "required": ["prompt"],
    },
    SDXL: {
        "properties": {
            "prompt": STR,
            "negative_prompt": STR,
            "image": URI,
            "mask": URI,
            "width": INT,
            "height": INT,
            "num_outputs": bounded(INT, 1, 4),
            "scheduler": enum(
                "DDIM",
                "DPMSolverMultistep",
                "HeunDiscrete",
                "KarrasDPM",
                "K_EULER_ANCESTRAL",
                "K_EULER",
                "PNDM",
            ),
            "num_inference_steps": bounded(INT, 1, 500),
            "guidance_scale": bounded(NUM, 1, 50),
            "prompt_strength": bounded(NUM, 0, 1),
            "seed": INT,
            "refine": enum("no_refiner", "expert_ensemble_refiner", "base_image_refiner"),
            "high_noise_frac": bounded(NUM, 0, 1),
            "refine_steps": INT,
            "apply_watermark": BOOL,
            "lora_scale": NUM,
            "disable_safety_checker": BOOL,
        },
    },
    SVD: {
        "properties": {
            "input_image": URI,
            "video_length": enum("14_frames_with_svd", "25_frames_with_svd_xt"),
            "sizing_strategy": enum("maintain_aspect_ratio", "crop_to_16_9", "use_image_dimensions"),
            "frames_per_second": bounded(INT, 5, 30),
            "motion_bucket_id": bounded(INT, 1, 255),
            "cond_aug": NUM,
            "decoding_t": INT,
            "seed": INT,
        },
        "required": ["input_image"],
    },
    KLING: {
        "properties": {
            "prompt": STR,
            "negative_prompt": STR,
            "aspect_ratio": enum("16:9", "9:16", "1:1"),
            "start_image": URI,
            "end_image": URI,
            "reference_images": {"type": "array"},
            "cfg_scale": bounded(NUM, 0, 1),
            "duration": enum(5, 10),
        },
        "required": ["prompt"],
    },
    MUSICGEN: {
        "properties": {
            "model_version": enum("stereo-melody-large", "stereo-large", "melody-large", "large"),
            "prompt": STR,
            "input_audio": URI,
            "duration": INT,
            "continuation": BOOL,
            "continuation_start": INT,
            "continuation_end": INT,
            "multi_band_diffusion": BOOL,
            "normalization_strategy": enum("loudness", "clip", "peak", "rms"),
            "top_k": INT,
            "top_p": NUM,
            "temperature": NUM,
            "classifier_free_guidance": INT,
            "output_format": enum("wav", "mp3"),
            "seed": INT,
        },
    },
}


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A product-like test image: a coloured disc on a light backdrop (so pixels can be checked)."""
    y, x = np.mgrid[0:height, 0:width]
    img = np.full((height, width, 3), 235, np.uint8)
    inside = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (min(width, height) / 3) ** 2
    img[inside] = rgb
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "PNG")
    return buf.getvalue()


def mp4(source: bytes, width: int, height: int, frames: int, fps: int) -> bytes:
    """An H.264 clip of `source` slowly zooming, `frames` long at `fps`, as a video model returns."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.png", Path(tmp) / "out.mp4"
        src.write_bytes(source)
        vf = (
            f"scale={width * 2}:{height * 2}:force_original_aspect_ratio=increase,"
            f"crop={width * 2}:{height * 2},"
            f"zoompan=z='1+0.004*on':d={frames}:s={width}x{height}:fps={fps},format=yuv420p"
        )
        cmd = [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-y",
            "-i",
            str(src),
            "-vf",
            vf,
            "-frames:v",
            str(frames),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            str(out),
        ]
        subprocess.run(cmd, check=True)
        return out.read_bytes()


def wav(seconds: float, rate: int = 32000, hz: float = 220.0) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.3 * np.sin(2 * np.pi * hz * t) * 32767).astype(np.int16)
    stereo = np.stack([tone, tone], axis=1)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(stereo.tobytes())
    return buf.getvalue()


ASPECTS = {"1:1": (1, 1), "16:9": (16, 9), "9:16": (9, 16), "4:3": (4, 3), "3:2": (3, 2), "2:3": (2, 3)}


def flux(rgb: tuple[int, int, int] = (200, 30, 30), fail: str | None = None) -> Handler:
    async def handler(p: FakePrediction) -> str:
        if fail:
            raise ModelFailure(fail)
        w, h = ASPECTS.get(p.input.get("aspect_ratio", "1:1"), (1, 1))
        scale = 256 // max(w, h)
        fmt = p.input.get("output_format", "webp")
        data = png(w * scale * 2, h * scale * 2, rgb)
        if fmt != "png":
            buf = io.BytesIO()
            Image.open(io.BytesIO(data)).convert("RGB").save(buf, "JPEG" if fmt == "jpg" else "WEBP")
            data = buf.getvalue()
        ctype = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}[fmt]
        return p.file(data, f"output.{fmt}", ctype)

    return handler


def sdxl(rgb: tuple[int, int, int] = (30, 30, 200)) -> Handler:
    async def handler(p: FakePrediction) -> list[str]:
        p.metrics["predict_time"] = 6.0
        w, h = p.input.get("width", 1024) // 4, p.input.get("height", 1024) // 4
        return [
            p.file(png(w, h, rgb), f"out-{i}.png", "image/png") for i in range(p.input.get("num_outputs", 1))
        ]

    return handler


def svd() -> Handler:
    async def handler(p: FakePrediction) -> str:
        source = p.read_input(p.input["input_image"])
        frames = 25 if p.input.get("video_length") == "25_frames_with_svd_xt" else 14
        fps = p.input.get("frames_per_second", 6)
        for step in range(1, 4):
            await asyncio.sleep(0.02)
            p.progress(step, 3)
        p.metrics["predict_time"] = 40.0
        data = await asyncio.to_thread(mp4, source, 256, 144, frames, fps)
        return p.file(data, "output.mp4", "video/mp4")

    return handler


def kling() -> Handler:
    async def handler(p: FakePrediction) -> str:
        source = p.read_input(p.input["start_image"])
        data = await asyncio.to_thread(mp4, source, 256, 144, 24 * int(p.input.get("duration", 5)), 24)
        return p.file(data, "output.mp4", "video/mp4")

    return handler


def musicgen() -> Handler:
    async def handler(p: FakePrediction) -> str:
        p.metrics["predict_time"] = 30.0
        fmt = p.input.get("output_format", "wav")
        if fmt != "wav":
            raise ModelFailure("the fake only renders wav")
        return p.file(wav(float(p.input.get("duration", 8))), "output.wav", "audio/wav")

    return handler


def install_all(fake: FakeReplicate, llm: Handler) -> None:
    """Every model of the journey, with its real schema: LLM replies are the test's to script."""
    fake.add_model(LLAMA, llm, schema=SCHEMAS[LLAMA])
    fake.add_model(FLUX, flux(), schema=SCHEMAS[FLUX])
    fake.add_model(SDXL, sdxl(), version=SDXL_VERSION, schema=SCHEMAS[SDXL])
    fake.add_model(SVD, svd(), version=SVD_VERSION, schema=SCHEMAS[SVD])
    fake.add_model(KLING, kling(), schema=SCHEMAS[KLING])
    fake.add_model(MUSICGEN, musicgen(), version=MUSICGEN_VERSION, schema=SCHEMAS[MUSICGEN])
