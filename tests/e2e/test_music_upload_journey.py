"""A user's own track over the API with the real agents: an MP3 uploaded to the session plays in the
final (its tone is in the audio from start to end, repeated past its own length) and the cuts land
on its beats (measured in the downloaded MP4's frames)."""

from __future__ import annotations

import secrets
from pathlib import Path

import numpy as np
import websockets

from client.api import AdreelClient
from client.journey import run_journey
from tests.e2e.conftest import Stack
from tests.e2e.test_gateway_variants import _to_clip_selection
from tests.e2e.test_voiceover_journey import handbag_ad
from tests.gateway_support import events_until_terminal, socket_url
from tests.integration.test_compositor_beats import off_beat
from tests.integration.test_gateway_music import TONE_HZ, mp3_bytes, peak_hz, tone_with_clicks
from tests.video_analysis import audio_samples, gray_frames

FRAME = 1 / 30
# A 120 bpm click track, its first beat 0.25 s in; MP3 frames may shift it by a few milliseconds.
BPM, FIRST_S, CODEC_SLACK_S = 120.0, 0.25, 0.006


async def test_an_uploaded_track_plays_in_the_final_and_the_cuts_follow_it(
    stack: Stack, tmp_path: Path
) -> None:
    client = stack.client
    h, sid = await _to_clip_selection(stack)
    track = mp3_bytes(tone_with_clicks(3.0, bpm=BPM, first_s=FIRST_S), tmp_path)
    r = await client.post(f"/api/sessions/{sid}/music", headers=h, files={"file": ("jingle.mp3", track)})
    assert r.status_code == 201, r.text
    upload_id = r.json()["id"]

    base = {
        "session_id": sid,
        "text_overlay": {"product_name": "Rosa Tote", "cta": "Shop now", "font": "inter"},
        "intro_duration": 1.0,
        "outro_duration": 1.2,
        "transition_duration": 0.0,
    }
    refusals = [
        ({"enabled": True, "source": "upload"}, "audio.upload_id:"),
        ({"enabled": True, "source": "upload", "upload_id": "mus_nothing"}, "audio.upload_id:"),
    ]
    for audio, field in refusals:
        r = await client.post("/api/compose-final-video", headers=h, json=base | {"audio": audio})
        assert r.status_code == 422 and str(r.json()["detail"]).startswith(field), r.json()

    audio = {"enabled": True, "source": "upload", "upload_id": upload_id}
    async with websockets.connect(await socket_url(client, h["Authorization"][7:], sid)) as ws:
        await ws.recv()
        assert (
            await client.post("/api/compose-final-video", headers=h, json=base | {"audio": audio})
        ).status_code == 202
        done = (await events_until_terminal(ws))[-1]
    assert done["type"] == "complete", done
    path = tmp_path / "final.mp4"
    path.write_bytes((await client.get(done["data"]["final_video"]["url"])).content)

    # Two 2 s clips between the cards: three cuts, the three largest frame changes.
    frames = gray_frames(path, (slice(None, None, 8), slice(None, None, 8)))
    diff = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2))
    cuts = sorted((int(i) + 1) / 30 for i in np.argsort(diff)[-3:])
    for t in cuts:
        assert off_beat(t, BPM, FIRST_S) <= FRAME + CODEC_SLACK_S, f"cut at {t:.3f} s is off the track's beat"

    sound = audio_samples(path).mean(axis=0)
    seconds = len(frames) / 30
    assert abs(len(sound) / 48_000 - seconds) < 0.07, "the music lasts as long as the ad"
    assert seconds > 4.5, "longer than the 3 s track: it repeats"
    for start in (0.6, seconds - 2.2):  # the track, and again after it repeated
        part = sound[int(start * 48_000) : int((start + 1.5) * 48_000)]
        assert abs(peak_hz(part, 48_000) - TONE_HZ) <= 2, "the uploaded tone plays"
        assert np.sqrt(np.mean(part**2)) > 0.02


async def test_the_cli_journey_plays_a_music_file(stack: Stack, tmp_path: Path) -> None:
    """`adreel generate --music-file`: the journey uploads the track and composes with it."""
    track = tmp_path / "jingle.mp3"
    track.write_bytes(mp3_bytes(tone_with_clicks(4.0), tmp_path))
    async with AdreelClient(str(stack.client.base_url)) as client:
        await client.register(f"cli-music-{secrets.token_hex(4)}@example.com", "cli-music-pass")
        spec = handbag_ad(tmp_path / "ad.mp4", music_file=track)
        result = await run_journey(client, spec)
    sound = audio_samples(result.files[0]).mean(axis=0)
    assert abs(peak_hz(sound[48_000 : 3 * 48_000], 48_000) - TONE_HZ) <= 2, "the file's tone is the music"
