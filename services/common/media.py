"""Probing media (PyAV; imageio-ffmpeg ships no ffprobe) and storing it as an AssetRef."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

from adreel.v1 import common_pb2
from services.common.storage import ObjectStore


@dataclass(frozen=True)
class MediaInfo:
    width: int = 0
    height: int = 0
    duration_s: float = 0.0
    fps: float = 0.0
    video_codec: str = ""
    pix_fmt: str = ""
    audio_codec: str = ""
    audio_rate: int = 0
    audio_channels: int = 0

    @property
    def has_video(self) -> bool:
        return bool(self.video_codec)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)


def probe(path: Path) -> MediaInfo:
    """Size, frame rate, duration and streams of a media file."""
    with av.open(str(path)) as container:
        fields: dict[str, object] = {}
        if container.duration is not None:
            fields["duration_s"] = container.duration / av.time_base
        if container.streams.video:
            v = container.streams.video[0]
            rate = v.average_rate or v.guessed_rate or Fraction(0)
            fields |= {
                "width": v.codec_context.width,
                "height": v.codec_context.height,
                "fps": float(rate),
                "video_codec": v.codec_context.name,
                "pix_fmt": v.codec_context.pix_fmt or "",
            }
            if v.duration is not None and v.time_base is not None:
                fields["duration_s"] = float(v.duration * v.time_base)
        if container.streams.audio:
            a = container.streams.audio[0]
            fields |= {
                "audio_codec": a.codec_context.name,
                "audio_rate": a.codec_context.sample_rate,
                "audio_channels": a.codec_context.channels,
            }
        return MediaInfo(**fields)  # type: ignore[arg-type]


def asset_ref(
    obj_uri: str, size: int, sha256: str, content_type: str, info: MediaInfo
) -> common_pb2.AssetRef:
    return common_pb2.AssetRef(
        uri=obj_uri,
        content_type=content_type,
        bytes=size,
        sha256=sha256,
        width=info.width,
        height=info.height,
        duration_s=round(info.duration_s, 3),
        fps=round(info.fps, 3),
    )


def probe_any(path: Path, content_type: str) -> MediaInfo:
    if content_type.startswith("image/"):
        with Image.open(path) as im:
            return MediaInfo(width=im.width, height=im.height)
    return probe(path)


async def store_media(store: ObjectStore, key: str, path: Path, content_type: str) -> common_pb2.AssetRef:
    """Put a file in storage and describe it, probing the file itself (never trusting the caller)."""
    info = await asyncio.to_thread(probe_any, path, content_type)
    obj = await store.put_file(key, path, content_type)
    return asset_ref(obj.uri, obj.bytes, obj.sha256, content_type, info)
