"""Audio a session has already paid and waited for, kept beside its media.

Making an ad is iterative: fix the CTA, render again. The voice (the same script, voice and pace)
and the music (the same request) do not change with it, so a re-render takes them from storage
instead of asking the engine again, which would bill again (Kokoro, Stable Audio) or take seconds
(Piper, the synthesiser). A hit costs nothing, so its Cost carries the engine's name and no amount.
What an engine made as a fallback is not kept: the next render asks the engine it wanted again.

Each entry is one `.npz` (float32 samples and a JSON record, read with allow_pickle=False) under
`sessions/<id>/audio/`, so it goes when the session's media go.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any, TypeVar

import numpy as np
from google.protobuf.json_format import MessageToDict, ParseDict

from adreel.v1 import common_pb2
from services.common.audio_choices import VoiceChoice
from services.common.storage import ObjectStore
from services.compositor.providers.base import MusicProvider, MusicRequest, MusicTrack, VoiceProvider
from services.compositor.voice import Speech, Word

log = logging.getLogger(__name__)
T = TypeVar("T")


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


def _pack(samples: np.ndarray, record: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    meta = np.frombuffer(json.dumps(record).encode(), dtype=np.uint8)
    np.savez(buf, samples=samples.astype(np.float32), record=meta)
    return buf.getvalue()


def _unpack(data: bytes) -> tuple[np.ndarray, dict[str, Any]]:
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        return f["samples"], json.loads(f["record"].tobytes())


def _unbilled(cost: dict[str, Any]) -> common_pb2.Cost:
    """What a hit costs: nothing, by the engine that made it."""
    made = ParseDict(cost, common_pb2.Cost())
    return common_pb2.Cost(provider=made.provider, model=made.model)


class _Kept:
    """One session's kept audio in object storage."""

    def __init__(self, store: ObjectStore, session_id: str, kind: str) -> None:
        self.store, self.prefix = store, f"sessions/{session_id}/audio/{kind}-"

    async def get_or_make(
        self,
        parts: tuple[object, ...],
        make: Callable[[], Awaitable[T]],
        pack: Callable[[T], bytes | None],
        unpack: Callable[[bytes], T],
    ) -> T:
        key = f"{self.prefix}{_digest(*parts)}.npz"
        if await self.store.exists(key):
            try:
                return unpack(await self.store.get_bytes(key))
            except (OSError, ValueError, KeyError) as exc:  # damaged: made again, not trusted
                log.warning("kept audio %s unreadable (%s): making it again", key, exc)
        made = await make()
        if (data := pack(made)) is not None:
            await self.store.put_bytes(key, data, "application/octet-stream")
        return made


class SessionVoice:
    """A VoiceProvider that keeps what `inner` speaks for the session (a voice id names its engine)."""

    def __init__(self, inner: VoiceProvider, store: ObjectStore, session_id: str) -> None:
        self.inner, self.kept = inner, _Kept(store, session_id, "voice")

    def voices(self) -> tuple[VoiceChoice, ...]:
        return self.inner.voices()

    async def speak(self, script: str, voice: str, speed: float) -> Speech:
        def pack(s: Speech) -> bytes | None:
            if s.fallback_reason:
                return None
            words = [asdict(w) for w in s.words]
            return _pack(s.samples, {"rate": s.rate, "words": words, "cost": MessageToDict(s.cost)})

        def unpack(data: bytes) -> Speech:
            samples, r = _unpack(data)
            return Speech(samples, int(r["rate"]), tuple(Word(**w) for w in r["words"]), _unbilled(r["cost"]))

        parts = ("speech", voice, round(speed, 3), script)
        return await self.kept.get_or_make(
            parts, lambda: self.inner.speak(script, voice, speed), pack, unpack
        )


class SessionMusic:
    """A MusicProvider that keeps what `inner` makes for the session, under the engine `name`
    (`inner`'s own unless it stands in for another: then only that engine's kept takes are found)."""

    def __init__(self, inner: MusicProvider, store: ObjectStore, session_id: str, name: str = "") -> None:
        self.inner, self.kept = inner, _Kept(store, session_id, "music")
        self.name = name or inner.name

    async def make_music(self, request: MusicRequest) -> MusicTrack:
        def pack(t: MusicTrack) -> bytes | None:
            if t.fallback_reason:
                return None
            return _pack(t.samples, {"rate": t.rate, "bpm": t.bpm, "cost": MessageToDict(t.cost)})

        def unpack(data: bytes) -> MusicTrack:
            samples, r = _unpack(data)
            return MusicTrack(samples, int(r["rate"]), _unbilled(r["cost"]), bpm=float(r["bpm"]))

        parts = ("music", self.name, *asdict(request).values())
        return await self.kept.get_or_make(parts, lambda: self.inner.make_music(request), pack, unpack)
