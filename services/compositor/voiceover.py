"""The voiceover of one ad: spoken to fit the timeline, placed, and mixed into every music track."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adreel.v1 import common_pb2
from services.common.errors import InvalidArgument
from services.compositor.captions import Page, pages
from services.compositor.ducking import duck_mix, place, resample
from services.compositor.providers.base import VoiceProvider
from services.compositor.soundtrack import write_wav
from services.compositor.validation import SPEED, VoiceSpec
from services.compositor.voice import Speech, script_words

# The voice starts just after the intro card appears and ends before the final fade.
LEAD_S = 0.4
TAIL_S = 0.5
MIX_RATE = 48000


@dataclass(frozen=True)
class Voiceover:
    speech: Speech
    start_s: float
    cues: tuple[Page, ...]  # word times on the ad's timeline
    # What each time it was spoken cost, and why the offline voice spoke instead, when it did.
    costs: tuple[common_pb2.Cost, ...] = ()
    notes: tuple[str, ...] = ()


# Words a second no voice can go past here (the fastest pace); the script is written for 2.5.
MAX_WORDS_PER_S = 3.5


def check_fits(spec: VoiceSpec, duration_s: float) -> None:
    """Before anything renders: a script far too long for the ad is refused by its field."""
    room = duration_s - LEAD_S - TAIL_S
    n = len(script_words(spec.script))
    if n > max(1.0, room) * MAX_WORDS_PER_S:
        raise InvalidArgument(
            "voiceover.script",
            f"has {n} words; this {duration_s:.1f} s ad has room for about {max(1, round(room * 2.5))} "
            "(2.5 a second)",
        )


async def speak_to_fit(spec: VoiceSpec, duration_s: float, voice: VoiceProvider) -> Voiceover:
    """The script spoken by `voice` at the asked pace; once faster (up to the fastest pace) if it
    overruns."""
    room = duration_s - LEAD_S - TAIL_S
    speech = await voice.speak(spec.script, spec.voice, spec.speed)
    takes = [speech]
    if speech.duration_s > room:
        faster = spec.speed * speech.duration_s / room * 1.03
        if faster > SPEED[1]:
            raise InvalidArgument(
                "voiceover.script",
                f"takes {speech.duration_s:.1f} s to say at speed {spec.speed:g}; the ad has {room:.1f} s "
                f"for it (about {room * 2.5:.0f} words)",
            )
        speech = await voice.speak(spec.script, spec.voice, faster)
        takes.append(speech)
    start = LEAD_S + max(0.0, (room - speech.duration_s) / 2) * 0.3
    costs = tuple(t.cost for t in takes)
    notes = tuple(dict.fromkeys(t.fallback_reason for t in takes if t.fallback_reason))
    return Voiceover(speech, start, pages(speech.shifted(start)), costs, notes)


def _read_stereo(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, w.getnchannels())
        rate = w.getframerate()
    samples = pcm.astype(np.float32) / 32768.0
    return (np.repeat(samples, 2, axis=1) if samples.shape[1] == 1 else samples[:, :2]), rate


def _voice_at(voice: Voiceover, rate: int) -> np.ndarray:
    return resample(voice.speech.samples, voice.speech.rate, rate)


def mix_tracks(
    work: Path, voice: Voiceover, tracks: tuple[Path, ...], duration_s: float, *, voice_only: bool = True
) -> tuple[Path, ...]:
    """Each track with the voice ducked in, then (with `voice_only`) a voice-only track for outputs
    without music."""
    out = []
    for k, path in enumerate(tracks):
        music, rate = _read_stereo(path)
        placed = place(_voice_at(voice, rate), rate, voice.start_s, music.shape[0])
        mixed = work / f"mix-{k}.wav"
        write_wav(mixed, duck_mix(music, placed, rate), rate)
        out.append(mixed)
    if not voice_only:
        return tuple(out)
    total = round(duration_s * MIX_RATE)
    placed = place(_voice_at(voice, MIX_RATE), MIX_RATE, voice.start_s, total)
    alone = work / "voice.wav"
    write_wav(alone, duck_mix(None, placed, MIX_RATE), MIX_RATE)
    out.append(alone)
    return tuple(out)
