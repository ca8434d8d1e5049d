"""A session's own music through the HTTP API: WAV and MP3 tracks decoded in full and stored as
48 kHz stereo FLAC; files that are not audio, empty, too short, too long or too large are refused
with a 4xx naming the field `file`, and nothing is stored.

Real PostgreSQL and the gateway on uvicorn; the agents are down (uploads need none).
"""

from __future__ import annotations

import io
import subprocess
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import av
import httpx
import numpy as np
import pytest

from gateway.core.config import Settings
from gateway.music_uploads import MUSIC_MAX_BYTES
from services.common.ffmpeg import ffmpeg_exe
from tests.gateway_support import gateway_database, gateway_settings, login, running_gateway, unused_addr

__all__ = ["gateway_database"]

TONE_HZ = 660.0
BPM = 120.0


def tone_with_clicks(
    seconds: float, rate: int = 44_100, bpm: float = BPM, first_s: float = 0.25
) -> np.ndarray:
    """A steady tone with a click on every beat: float mono, peak 0.8."""
    t = np.arange(int(seconds * rate)) / rate
    x = 0.35 * np.sin(2 * np.pi * TONE_HZ * t)
    burst = np.random.default_rng(3).standard_normal(int(0.012 * rate)) * np.exp(
        -np.arange(int(0.012 * rate)) / rate * 350
    )
    for beat in np.arange(first_s, seconds, 60.0 / bpm):
        i = round(beat * rate)
        x[i : i + len(burst)] += 0.6 * burst[: len(x) - i]
    return 0.8 * x / np.abs(x).max()


def wav_bytes(samples: np.ndarray, rate: int = 44_100) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()


def mp3_bytes(samples: np.ndarray, tmp: Path, rate: int = 44_100) -> bytes:
    src, out = tmp / "src.wav", tmp / "track.mp3"
    src.write_bytes(wav_bytes(samples, rate))
    args = [
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(src),
        "-b:a",
        "128k",
        str(out),
    ]
    subprocess.run(args, check=True)
    return out.read_bytes()


def decoded(data: bytes) -> tuple[np.ndarray, int, int]:
    """(samples (channels, n), rate, channels) of a stored track."""
    with av.open(io.BytesIO(data)) as c:
        s = c.streams.audio[0]
        rate, channels = s.codec_context.sample_rate, s.codec_context.channels
        # FLAC decodes to packed (interleaved) 16-bit samples.
        pcm = np.concatenate([f.to_ndarray().reshape(-1, channels).T for f in c.decode(s)], axis=1)
    return pcm.astype(np.float64) / 32768.0, rate, channels


def peak_hz(mono: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(len(mono))))
    return float(np.fft.rfftfreq(len(mono), 1 / rate)[int(np.argmax(spectrum))])


@pytest.fixture
def settings(gateway_database: str, storage_dir: Path, tmp_path: Path) -> Settings:
    down = unused_addr()
    return gateway_settings(
        gateway_database,
        storage_dir,
        tmp_path / "state",
        prompt_parser_addr=down,
        image_gen_addr=down,
        video_gen_addr=down,
        compositor_addr=down,
    )


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base, timeout=60) as c:
        c.headers["Authorization"] = f"Bearer {await login(c)}"
        yield c


async def new_session(client: httpx.AsyncClient) -> str:
    return str((await client.post("/api/sessions/create", json={})).json()["session_id"])


async def test_wav_and_mp3_tracks_are_stored_as_clean_flac(
    client: httpx.AsyncClient, storage_dir: Path, tmp_path: Path
) -> None:
    sid = await new_session(client)
    track = tone_with_clicks(6.0)
    r = await client.post(f"/api/sessions/{sid}/music", files={"file": ("Jingle One.wav", wav_bytes(track))})
    assert r.status_code == 201, r.text
    wav = r.json()
    assert wav["name"] == "Jingle One.wav" and wav["duration"] == pytest.approx(6.0, abs=0.01)
    assert wav["id"].startswith("mus")

    r = await client.get(wav["url"])
    assert r.status_code == 200 and r.headers["content-type"] == "audio/flac"
    pcm, rate, channels = decoded(r.content)
    assert (rate, channels) == (48_000, 2) and pcm.shape[1] == pytest.approx(6 * 48_000, abs=2)
    assert peak_hz(pcm[0], rate) == pytest.approx(TONE_HZ, abs=2), "the track itself, resampled"
    with av.open(io.BytesIO(r.content)) as c:
        assert not {k for k in c.metadata if k.lower() != "encoder"}, "no tags of the upload are kept"

    r = await client.post(
        f"/api/sessions/{sid}/music", files={"file": ("loop.mp3", mp3_bytes(tone_with_clicks(3.0), tmp_path))}
    )
    assert r.status_code == 201, r.text
    mp3 = r.json()
    assert mp3["duration"] == pytest.approx(3.0, abs=0.08)  # MP3 frames pad the ends a little

    listed = (await client.get(f"/api/sessions/{sid}/music")).json()
    assert [t["id"] for t in listed] == [mp3["id"], wav["id"]], "the newest first"
    stored = sorted(p.name for p in (storage_dir / "sessions" / sid / "music").iterdir())
    assert stored == sorted([f"{wav['id']}.flac", f"{mp3['id']}.flac"])

    assert (await client.delete(f"/api/sessions/{sid}/music/{wav['id']}")).status_code == 204
    assert [t["id"] for t in (await client.get(f"/api/sessions/{sid}/music")).json()] == [mp3["id"]]
    assert not (storage_dir / "sessions" / sid / "music" / f"{wav['id']}.flac").exists()
    assert (await client.delete(f"/api/sessions/{sid}/music/{wav['id']}")).status_code == 404


def long_wav(seconds: float) -> bytes:
    """A quiet 8 kHz tone: 601 s of it is still only ~9.6 MB."""
    return wav_bytes(0.2 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * 8000)) / 8000), rate=8000)


@pytest.mark.parametrize(
    ("name", "data", "code", "says"),
    [
        ("empty.wav", b"", 422, "is empty"),
        ("photo.mp3", b"\x89PNG\r\n\x1a\n" + bytes(2000), 415, "is not an audio file"),
        ("notes.txt", b"la la la " * 500, 415, "is not an audio file"),
        ("blip.wav", wav_bytes(tone_with_clicks(0.5)), 422, "lasts 0.5 s"),
        ("cut.wav", wav_bytes(tone_with_clicks(4.0))[:30], 415, "is not an audio file"),
        ("epic.wav", long_wav(601.0), 422, "lasts over 600 s"),
        ("hush.wav", wav_bytes(np.zeros(3 * 44_100)), 422, "is silent"),
        ("hiss.wav", wav_bytes(np.full(3 * 44_100, 0.0005)), 422, "is silent"),
    ],
)
async def test_bad_tracks_are_refused_by_the_field(  # noqa: PLR0917 - parametrised
    client: httpx.AsyncClient, storage_dir: Path, name: str, data: bytes, code: int, says: str
) -> None:
    sid = await new_session(client)
    r = await client.post(f"/api/sessions/{sid}/music", files={"file": (name, data)})
    assert r.status_code == code, r.text
    detail = r.json()["detail"]
    assert detail.startswith("file: ") and says in detail, detail
    assert not (storage_dir / "sessions" / sid / "music").exists(), "nothing is stored"
    assert (await client.get(f"/api/sessions/{sid}/music")).json() == []


async def test_oversized_wrongly_sent_and_foreign_uploads(client: httpx.AsyncClient) -> None:
    sid = await new_session(client)
    r = await client.post(
        f"/api/sessions/{sid}/music", files={"file": ("big.wav", bytes(MUSIC_MAX_BYTES + 1))}
    )
    assert r.status_code == 413 and r.json()["detail"].startswith("file: "), r.text
    r = await client.post(f"/api/sessions/{sid}/music", content=wav_bytes(tone_with_clicks(2.0)))
    assert r.status_code == 415 and r.json()["detail"].startswith("file: "), r.text
    r = await client.post(
        f"/api/sessions/{sid}/music", files={"track": ("a.wav", wav_bytes(tone_with_clicks(2)))}
    )
    assert r.status_code == 422 and r.json()["detail"].startswith("file: "), r.text

    other = {"Authorization": f"Bearer {await login(client)}"}
    r = await client.post(
        f"/api/sessions/{sid}/music", headers=other, files={"file": ("a.wav", wav_bytes(tone_with_clicks(2)))}
    )
    assert r.status_code == 404
    assert (await client.get(f"/api/sessions/{sid}/music", headers=other)).status_code == 404
