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
WAN = "wan-video/wan-2.2-i2v-fast"
KLING = "kwaivgi/kling-v2.1"
SEEDANCE_LITE = "bytedance/seedance-1-lite"
SEEDANCE_PRO = "bytedance/seedance-1-pro"
VEO = "google/veo-3.1-fast"
MUSICGEN = "meta/musicgen"
MUSICGEN_VERSION = "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb"
STABLE_AUDIO = "stability-ai/stable-audio-2.5"
KOKORO = "jaaari/kokoro-82m"
KOKORO_VERSION = "f559560eb822dc509045f3921a1921234918b91739db4bf3daab2169b71c7a13"
# The English part of Kokoro v1.0's voice enum (its other languages left out).
KOKORO_VOICES = (
    *("af_alloy", "af_aoede", "af_bella", "af_heart", "af_jessica", "af_kore", "af_nicole", "af_nova"),
    *("af_river", "af_sarah", "af_sky", "am_adam", "am_echo", "am_eric", "am_fenrir", "am_liam"),
    *("am_michael", "am_onyx", "am_puck", "bf_alice", "bf_emma", "bf_isabella", "bf_lily"),
    *("bm_daniel", "bm_fable", "bm_george", "bm_lewis"),
)

STR, INT, NUM, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
URI = {"type": "string", "format": "uri"}


def enum(*values: Any) -> dict[str, Any]:
    kind = "integer" if isinstance(values[0], int) else "string"
    return {"type": kind, "enum": list(values)}


def bounded(kind: dict[str, Any], lo: float, hi: float) -> dict[str, Any]:
    return {**kind, "minimum": lo, "maximum": hi}


SEEDANCE_INPUT = {
    "prompt": STR,
    "image": URI,
    "last_frame_image": URI,
    "duration": bounded(INT, 2, 12),
    "resolution": enum("480p", "720p", "1080p"),
    "aspect_ratio": enum("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "9:21"),
    "fps": enum(24),
    "camera_fixed": BOOL,
    "seed": INT,
}

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
    WAN: {
        "properties": {
            "image": URI,
            "prompt": STR,
            "last_image": URI,
            "num_frames": bounded(INT, 81, 121),
            "resolution": enum("480p", "720p"),
            "aspect_ratio": enum("16:9", "9:16"),
            "frames_per_second": bounded(INT, 5, 30),
            "interpolate_output": BOOL,
            "go_fast": BOOL,
            "sample_shift": bounded(NUM, 1, 20),
            "seed": INT,
            "disable_safety_checker": BOOL,
        },
        "required": ["prompt", "image"],
    },
    KLING: {
        "properties": {
            "prompt": STR,
            "negative_prompt": STR,
            "start_image": URI,
            "end_image": URI,
            "mode": enum("standard", "pro"),
            "duration": enum(5, 10),
        },
        "required": ["prompt", "start_image"],
    },
    # Seedance 1 lite takes reference images too (not with a start image); pro does not.
    SEEDANCE_LITE: {
        "properties": {**SEEDANCE_INPUT, "reference_images": {"type": "array"}},
        "required": ["prompt"],
    },
    SEEDANCE_PRO: {"properties": SEEDANCE_INPUT, "required": ["prompt"]},
    VEO: {
        "properties": {
            "prompt": STR,
            "image": URI,
            "last_frame": URI,
            "negative_prompt": STR,
            "duration": enum(4, 6, 8),
            "resolution": enum("720p", "1080p"),
            "aspect_ratio": enum("16:9", "9:16"),
            "generate_audio": BOOL,
            "seed": INT,
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
    STABLE_AUDIO: {
        "properties": {
            "prompt": STR,
            "duration": bounded(INT, 1, 190),
            "steps": bounded(INT, 4, 8),
            "cfg_scale": bounded(NUM, 1, 25),
            "seed": INT,
        },
        "required": ["prompt"],
    },
    KOKORO: {
        "properties": {
            "text": STR,
            "voice": enum(*KOKORO_VOICES),
            "speed": bounded(NUM, 0.1, 5),
        },
        "required": ["text"],
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


def pcm_wav(samples: np.ndarray, rate: int) -> bytes:
    """float32 samples shaped (n,) or (n, channels) as a 16-bit WAV."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").reshape(samples.shape[0], -1)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def wav(seconds: float, rate: int = 32000, hz: float = 220.0) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * hz * t)
    return pcm_wav(np.stack([tone, tone], axis=1), rate)


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


def image_to_video(image: str, seconds: int = 5, frames: str = "", fps: str = "") -> Handler:
    """A prompt-following image-to-video model: its clip zooms over the start image in `image`, as
    long as the input asks (`duration` in seconds at 24 fps, or `frames` at `fps`), else `seconds`."""

    async def handler(p: FakePrediction) -> str:
        source = p.read_input(p.input[image])
        rate = int(p.input.get(fps, 16)) if fps else 24
        count = int(p.input.get(frames, 81)) if frames else rate * int(p.input.get("duration", seconds))
        data = await asyncio.to_thread(mp4, source, 256, 144, count, rate)
        return p.file(data, "output.mp4", "video/mp4")

    return handler


def kling() -> Handler:
    return image_to_video("start_image")


def wan() -> Handler:
    return image_to_video("image", frames="num_frames", fps="frames_per_second")


def seedance() -> Handler:
    return image_to_video("image")


def veo() -> Handler:
    return image_to_video("image", seconds=8)


def musicgen() -> Handler:
    async def handler(p: FakePrediction) -> str:
        p.metrics["predict_time"] = 30.0
        fmt = p.input.get("output_format", "wav")
        if fmt != "wav":
            raise ModelFailure("the fake only renders wav")
        return p.file(wav(float(p.input.get("duration", 8))), "output.wav", "audio/wav")

    return handler


def mp3(samples: np.ndarray, rate: int) -> bytes:
    """float32 samples shaped (n, channels) as an MP3, as a model that answers in MP3 returns."""
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "s16le", "-ar", str(rate),
        "-ac", str(pcm.shape[1]), "-i", "pipe:0", "-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3", "pipe:1",
    ]  # fmt: skip
    return subprocess.run(cmd, input=pcm.tobytes(), capture_output=True, check=True).stdout


def chords(seconds: float, rate: int = 44100) -> np.ndarray:
    """A stereo progression of triads, half a second each: music, as far as a level meter can tell."""
    t = np.arange(int(seconds * rate)) / rate
    roots = np.array([220.0, 174.6, 261.6, 196.0])[(t // 0.5).astype(int) % 4]
    tone = sum(np.sin(2 * np.pi * np.cumsum(roots * ratio) / rate) for ratio in (1.0, 1.26, 1.5)) / 3
    return (0.3 * np.stack([tone, tone], axis=1)).astype(np.float32)


def stable_audio() -> Handler:
    async def handler(p: FakePrediction) -> str:
        p.metrics["predict_time"] = 4.0
        data = await asyncio.to_thread(mp3, chords(float(p.input.get("duration", 190))), 44100)
        return p.file(data, "output.mp3", "audio/mpeg")

    return handler


def kokoro() -> Handler:
    """Real speech of the text at the asked speed: the offline Piper voice speaks it, delivered as
    Kokoro delivers (24 kHz mono WAV)."""

    async def handler(p: FakePrediction) -> str:
        # The compositor's own offline voice and resampler.
        from services.compositor.ducking import resample
        from services.compositor.voice import speak

        speech = await speak(p.input["text"], speed=float(p.input.get("speed", 1.0)))
        p.metrics["predict_time"] = 1.2
        return p.file(pcm_wav(resample(speech.samples, speech.rate, 24000), 24000), "output.wav", "audio/wav")

    return handler


def install_all(fake: FakeReplicate, llm: Handler) -> None:
    """Every model of the journey, with its real schema: LLM replies are the test's to script."""
    fake.add_model(LLAMA, llm, schema=SCHEMAS[LLAMA])
    fake.add_model(FLUX, flux(), schema=SCHEMAS[FLUX])
    fake.add_model(SDXL, sdxl(), version=SDXL_VERSION, schema=SCHEMAS[SDXL])
    fake.add_model(SVD, svd(), version=SVD_VERSION, schema=SCHEMAS[SVD])
    fake.add_model(WAN, wan(), schema=SCHEMAS[WAN])
    fake.add_model(KLING, kling(), schema=SCHEMAS[KLING])
    fake.add_model(SEEDANCE_LITE, seedance(), schema=SCHEMAS[SEEDANCE_LITE])
    fake.add_model(SEEDANCE_PRO, seedance(), schema=SCHEMAS[SEEDANCE_PRO])
    fake.add_model(VEO, veo(), schema=SCHEMAS[VEO])
    fake.add_model(MUSICGEN, musicgen(), version=MUSICGEN_VERSION, schema=SCHEMAS[MUSICGEN])
    fake.add_model(STABLE_AUDIO, stable_audio(), schema=SCHEMAS[STABLE_AUDIO])
    fake.add_model(KOKORO, kokoro(), version=KOKORO_VERSION, schema=SCHEMAS[KOKORO])
