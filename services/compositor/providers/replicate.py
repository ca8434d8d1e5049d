"""Music on Replicate: meta/musicgen (pinned version), prompt from the genre and the product.

MusicGen takes whole seconds (duration), a model_version, output_format and a seed; it is billed
by GPU time. The WAV it returns is decoded to float32 stereo; the compositor fits length and
loudness as for the local synth. When MusicGen fails, the local synth makes the track and
`fallback_reason` says why (the ad still renders).
"""

from __future__ import annotations

import asyncio
import logging
import math
import tempfile
from pathlib import Path

import av
import numpy as np

from services.common.errors import AgentError
from services.common.replicate_client import (
    ModelRef,
    OutputFiles,
    ReplicateRunner,
    runner_for,
)
from services.compositor.config import Settings
from services.compositor.providers.base import MusicRequest, MusicTrack
from services.compositor.providers.local import LocalMusic

log = logging.getLogger(__name__)

MUSICGEN = ModelRef("meta/musicgen", "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb")
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


class ReplicateMusic:
    name = "replicate"

    def __init__(self, settings: Settings, runner: ReplicateRunner | None = None) -> None:
        self.runner = runner or runner_for(settings)

    async def warmup(self) -> None:
        await self.runner.check()

    async def close(self) -> None:
        await self.runner.aclose()

    async def make_music(self, request: MusicRequest) -> MusicTrack:
        with tempfile.TemporaryDirectory(prefix="adreel-music-") as tmp:
            try:
                result = await self.runner.run(
                    MUSICGEN,
                    {
                        "model_version": "stereo-large",
                        "prompt": music_prompt(request),
                        "duration": max(1, math.ceil(request.duration_s)),
                        "output_format": "wav",
                        "normalization_strategy": "loudness",
                        "seed": request.seed % 2**31,
                    },
                    outputs=OutputFiles("music", ("audio/",), limit=1, directory=Path(tmp)),
                )
                samples, rate = await asyncio.to_thread(decode_stereo, result.files[0].path)
            except AgentError as exc:
                log.warning("musicgen failed, synthesising locally", extra={"error": exc.message})
                reason = f"{MUSICGEN.name}: {exc.message}; synthesised locally"
                track = await LocalMusic(fallback_reason=reason).make_music(request)
                paid = getattr(exc, "cost", None)
                if paid is not None:
                    track.cost.usd_micros += paid.usd_micros
                return track
        return MusicTrack(samples, rate, result.cost)
