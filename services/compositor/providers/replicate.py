"""Music and voice on Replicate.

Music: stability-ai/stable-audio-2.5 (an official model, billed per output; its outputs may be used
commercially) by default, or meta/musicgen (pinned version, billed by GPU time; CC-BY-NC weights,
so only when a session opts in). Either takes whole seconds and a seed, with a prompt from the genre
and the product; the file it returns is decoded to float32 stereo and the compositor fits length
and loudness as for the local synth. When the model fails, the local synth makes the track and
`fallback_reason` says why (the ad still renders).

Voice: jaaari/kokoro-82m (pinned version, billed by GPU time; Apache-2.0 weights) speaks the script
with one of its voices at the asked speed. It reports no word timing, so the words are timed as
the offline voice's are (voice.timed). When it fails, the offline voice speaks instead and
`fallback_reason` says why; "joe", the offline voice, can also be asked for by name.
"""

from __future__ import annotations

import asyncio
import logging
import math
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import av
import numpy as np

from adreel.v1 import common_pb2
from services.common.audio_choices import KOKORO_VOICES, OFFLINE_VOICES, VoiceChoice, engine_voices
from services.common.errors import AgentError
from services.common.replicate_client import (
    ModelRef,
    OutputFiles,
    ReplicateRunner,
    runner_for,
)
from services.compositor import voice
from services.compositor.config import Settings
from services.compositor.providers.base import MusicRequest, MusicTrack
from services.compositor.providers.local import LocalMusic, LocalVoice

log = logging.getLogger(__name__)

STABLE_AUDIO = ModelRef("stability-ai/stable-audio-2.5")
MUSICGEN = ModelRef("meta/musicgen", "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb")
# By audio_choices.MUSIC_MODELS name.
MUSIC_MODELS = {"stable-audio-2.5": STABLE_AUDIO, "musicgen": MUSICGEN}
KOKORO = ModelRef("jaaari/kokoro-82m", "f559560eb822dc509045f3921a1921234918b91739db4bf3daab2169b71c7a13")
STYLE = {
    "upbeat": "upbeat, bright pop groove, claps, warm synth bass, 120 bpm",
    "chill": "chill lo-fi, soft electric piano, mellow drums, 85 bpm",
    "energetic": "energetic electronic, driving drums, punchy bass, rising synths, 128 bpm",
}


def music_prompt(request: MusicRequest) -> str:
    style = STYLE.get(request.genre, request.genre)
    about = f" for {request.prompt}" if request.prompt else ""
    return f"Instrumental background music for a product video ad{about}: {style}. No vocals."


def decode_stereo(path: Path) -> tuple[np.ndarray, int]:
    """Any audio file as float32 samples shaped (n, 2)."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=rate)
        chunks = [out.to_ndarray() for frame in container.decode(stream) for out in resampler.resample(frame)]
        chunks += [out.to_ndarray() for out in resampler.resample(None)]
    return np.concatenate(chunks, axis=1).T.astype(np.float32), rate


def _paid(exc: AgentError) -> common_pb2.Cost | None:
    """What a failed prediction still billed (GPU time, outputs we could not keep), if anything."""
    cost = getattr(exc, "cost", None)
    return cost if cost is not None and cost.usd_micros > 0 else None


async def _audio(
    runner: ReplicateRunner, model: ModelRef, inputs: dict[str, Any], stem: str
) -> tuple[np.ndarray, int, common_pb2.Cost]:
    """One prediction of a model that returns an audio file: its samples (float32, shaped (n, 2)),
    their rate and what the prediction cost."""
    with tempfile.TemporaryDirectory(prefix=f"adreel-{stem}-") as tmp:
        outputs = OutputFiles(stem, ("audio/",), limit=1, directory=Path(tmp))
        result = await runner.run(model, inputs, outputs=outputs)
        samples, rate = await asyncio.to_thread(decode_stereo, result.files[0].path)
    return samples, rate, result.cost


def music_inputs(model: ModelRef, request: MusicRequest) -> dict[str, Any]:
    seconds = max(1, math.ceil(request.duration_s))
    if model == MUSICGEN:
        return {
            "model_version": "stereo-large",
            "prompt": music_prompt(request),
            "duration": seconds,
            "output_format": "wav",
            "normalization_strategy": "loudness",
            "seed": request.seed % 2**31,
        }
    # Stable Audio 2.5: 1-190 s, 4-8 steps (8, its post-trained default, for the best quality).
    return {
        "prompt": music_prompt(request),
        "duration": min(190, seconds),
        "steps": 8,
        "seed": request.seed % 2**31,
    }


class ReplicateMusic:
    name = "replicate"

    def __init__(self, settings: Settings, runner: ReplicateRunner | None = None) -> None:
        self.runner = runner or runner_for(settings)

    async def warmup(self) -> None:
        await self.runner.check()

    async def close(self) -> None:
        await self.runner.aclose()

    async def make_music(self, request: MusicRequest) -> MusicTrack:
        model = MUSIC_MODELS[request.model]
        try:
            samples, rate, cost = await _audio(self.runner, model, music_inputs(model, request), "music")
        except AgentError as exc:
            log.warning(
                "music model failed, synthesising locally", extra={"model": model.name, "error": exc.message}
            )
            reason = f"{model.name}: {exc.message}; synthesised locally"
            track = await LocalMusic(fallback_reason=reason).make_music(request)
            # The synth ran in this process (its CPU is the compositor's own); the provider's bill is not.
            paid = _paid(exc)
            return replace(track, cost=paid) if paid is not None else track
        return MusicTrack(samples, rate, cost)


class ReplicateVoice:
    """Kokoro's voices on Replicate, and the offline voice by name; shares the music's runner."""

    def __init__(self, runner: ReplicateRunner) -> None:
        self.runner = runner

    def voices(self) -> tuple[VoiceChoice, ...]:
        return engine_voices("replicate")

    async def speak(self, script: str, voice_id: str, speed: float) -> voice.Speech:
        if voice_id not in {v.id for v in KOKORO_VOICES}:
            return await LocalVoice().speak(script, voice_id, speed)
        inputs = {"text": " ".join(script.split()), "voice": voice_id, "speed": round(speed, 3)}
        cost: common_pb2.Cost | None = None
        try:
            samples, rate, cost = await _audio(self.runner, KOKORO, inputs, "voice")
            speech = await voice.timed(script, samples.mean(axis=1), rate)
        except AgentError as exc:
            log.warning("kokoro failed, speaking offline", extra={"error": exc.message})
            reason = f"{KOKORO.name}: {exc.message}; spoken by the offline voice"
            speech = await LocalVoice(fallback_reason=reason).speak(script, OFFLINE_VOICES[0].id, speed)
            # A recording with no speech in it was still paid for.
            paid = cost if cost is not None else _paid(exc)
            return replace(speech, cost=paid) if paid is not None else speech
        return replace(speech, cost=cost)
