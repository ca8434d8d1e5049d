"""The offline engine: music by numpy synthesis per genre (services/compositor/synth.py), the
voiceover by the offline Piper voice (services/compositor/voice.py)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import numpy as np

from services.common.audio_choices import VoiceChoice, engine_voices
from services.common.costs import local_cost
from services.compositor import voice
from services.compositor.providers.base import MusicRequest, MusicTrack
from services.compositor.synth import GENRES, RATE, STYLES, synthesize

MODEL = "local/numpy-synth"


class LocalMusic:
    name = "local"

    def __init__(self, fallback_reason: str = "") -> None:
        self.fallback_reason = fallback_reason

    async def make_music(self, request: MusicRequest) -> MusicTrack:
        if request.genre not in GENRES:
            raise ValueError(f"unknown genre {request.genre!r}")

        def run() -> tuple[np.ndarray, float]:
            # The worker thread's own CPU: exact even while other work shares the process.
            start = time.thread_time()
            samples = synthesize(request.genre, request.duration_s, request.seed)
            return samples, time.thread_time() - start

        wall = time.perf_counter()
        samples, cpu_s = await asyncio.to_thread(run)
        cost = local_cost(MODEL, cpu_s, time.perf_counter() - wall)
        return MusicTrack(samples, RATE, cost, self.fallback_reason, bpm=STYLES[request.genre].bpm)

    async def warmup(self) -> None:
        await asyncio.to_thread(synthesize, GENRES[0], 0.5, 0)

    async def close(self) -> None:
        return None


class LocalVoice:
    """The offline Piper voice; `fallback_reason` says why it speaks instead of an online one."""

    def __init__(self, fallback_reason: str = "") -> None:
        self.fallback_reason = fallback_reason

    def voices(self) -> tuple[VoiceChoice, ...]:
        return engine_voices("local")

    async def speak(self, script: str, voice_id: str, speed: float) -> voice.Speech:
        speech = await voice.speak(script, speed=speed)
        return replace(speech, fallback_reason=self.fallback_reason)
