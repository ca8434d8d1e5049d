"""Users' own music: every sample decoded (PyAV), then re-encoded as a clean 48 kHz stereo FLAC.

What arrives is recognised by its content, never by its name or declared type: FFmpeg's probe must
find one of the audio containers in FORMATS, holding an audio stream at a sane sample rate. Every
sample is decoded, so a damaged file is refused now rather than failing a render later; decoding
stops as soon as the track passes MAX_S (a small file of a very low bitrate can hold hours). The
track is re-encoded losslessly as 16-bit stereo FLAC at 48 kHz (the ad's audio rate) with no
metadata at all (tags and cover art are gone), so the compositor only ever reads our own encoding.
A track that never rises above SILENT_PEAK (-60 dBFS) would play as nothing under the ad: refused.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from gateway.product_photos import PhotoRejected

MUSIC_MAX_BYTES = 20_000_000
MIN_S, MAX_S = 1.0, 600.0
RATE = 48_000
SOURCE_RATES = (8_000, 192_000)
# The loudest sample a track must pass, in 16-bit units: -60 dBFS.
SILENT_PEAK = 33
# FFmpeg's names for the containers taken: WAV, MP3, FLAC, Ogg (Vorbis, Opus), MP4/M4A, ADTS AAC,
# AIFF, WebM/Matroska audio.
FORMATS = {
    "wav": "WAV",
    "mp3": "MP3",
    "flac": "FLAC",
    "ogg": "Ogg",
    "mov,mp4,m4a,3gp,3g2,mj2": "MP4",
    "aac": "AAC",
    "aiff": "AIFF",
    "matroska,webm": "WebM",
}
TAKEN = "WAV, MP3, FLAC, Ogg, M4A, AAC, AIFF or WebM"


@dataclass(frozen=True)
class CleanTrack:
    duration_s: float
    # What arrived: its container and its first audio stream.
    source_format: str
    source_codec: str
    source_rate: int
    source_channels: int


def clean_track(data: bytes, dest: Path, field: str = "file") -> CleanTrack:
    """Check one uploaded audio file and write it to `dest` as FLAC, or raise PhotoRejected naming
    `field` (413 too large, 415 not audio, 422 empty, damaged, too short or too long)."""
    if not data:
        raise PhotoRejected(422, f"{field}: is empty")
    if len(data) > MUSIC_MAX_BYTES:
        raise PhotoRejected(
            413, f"{field}: is {len(data) / 1e6:.1f} MB; the limit is {MUSIC_MAX_BYTES / 1e6:g} MB"
        )
    try:
        source = av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, OSError, ValueError):
        raise PhotoRejected(415, f"{field}: is not an audio file ({TAKEN})") from None
    with source:
        fmt = FORMATS.get(source.format.name)
        if fmt is None or not source.streams.audio:
            raise PhotoRejected(415, f"{field}: is not an audio file ({TAKEN})")
        stream = source.streams.audio[0]
        ctx = stream.codec_context
        rate, channels = ctx.sample_rate or 0, ctx.channels or 0
        if not SOURCE_RATES[0] <= rate <= SOURCE_RATES[1] or channels < 1:
            raise PhotoRejected(
                422, f"{field}: has {rate} Hz audio; a track needs {SOURCE_RATES[0]}-{SOURCE_RATES[1]} Hz"
            )
        if source.duration is not None and source.duration / av.time_base > MAX_S + 5:
            raise PhotoRejected(422, _length(field, source.duration / av.time_base))
        try:
            samples, peak = _transcode(source, stream, dest, field)
        except (av.error.FFmpegError, ValueError):
            dest.unlink(missing_ok=True)
            raise PhotoRejected(422, f"{field}: is damaged or truncated and cannot be decoded") from None
        except PhotoRejected:
            dest.unlink(missing_ok=True)
            raise
    seconds = samples / RATE
    if seconds < MIN_S:
        dest.unlink(missing_ok=True)
        raise PhotoRejected(422, _length(field, seconds))
    if peak < SILENT_PEAK:
        dest.unlink(missing_ok=True)
        raise PhotoRejected(422, f"{field}: is silent (its loudest sample is under -60 dBFS)")
    return CleanTrack(round(seconds, 3), fmt, ctx.name, rate, channels)


def _length(field: str, seconds: float) -> str:
    lasts = f"lasts over {MAX_S:g} s" if seconds > MAX_S else f"lasts {seconds:.1f} s"
    return f"{field}: {lasts}; a track must last {MIN_S:g}-{MAX_S:g} s"


def _transcode(
    source: av.container.InputContainer, stream: av.AudioStream, dest: Path, field: str
) -> tuple[int, int]:
    """Every sample of `stream` into `dest` (FLAC, 48 kHz stereo s16); the number of samples and
    the loudest one's magnitude."""
    resampler = av.AudioResampler(format="s16", layout="stereo", rate=RATE)
    written = peak = 0
    with av.open(str(dest), mode="w", format="flac") as out:
        encoder = out.add_stream("flac", rate=RATE, layout="stereo")
        encoder.format = "s16"

        def put(frames: list[av.AudioFrame]) -> None:
            nonlocal written, peak
            for frame in frames:
                written += frame.samples
                peak = max(peak, int(np.abs(frame.to_ndarray().astype(np.int32)).max(initial=0)))
                if written > MAX_S * RATE:
                    raise PhotoRejected(422, _length(field, written / RATE))
                frame.pts = None
                out.mux(encoder.encode(frame))

        for frame in source.decode(stream):
            put(resampler.resample(frame))
        put(resampler.resample(None))
        out.mux(encoder.encode(None))
    return written, peak
