"""Voiceover and captions over the API: a suggested script, refusals naming the field, then a final
that speaks it (speech energy in the word windows) with its WebVTT and SRT beside the MP4."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import websockets

from client.api import AdreelClient
from client.journey import AdSpec, run_journey
from services.common.media import probe
from tests.e2e.conftest import Stack
from tests.e2e.test_gateway_variants import _to_clip_selection
from tests.gateway_support import events_until_terminal, socket_url
from tests.integration.test_compositor_voiceover import _word_times
from tests.video_analysis import audio_samples


def handbag_ad(out: Path, **options: Any) -> AdSpec:
    """What the CLI's journey makes of a small handbag ad (4 images, 2 picked, 2 s clips) into `out`."""
    return AdSpec(
        product="red leather handbag",
        scene="slow turn on a marble table",
        out=out,
        images=4,
        pick_images="2",
        clip_duration=2.0,
        name="Rosa Tote",
        **options,
    )


def _body(sid: str, **over: Any) -> dict[str, Any]:
    return {
        "session_id": sid,
        "text_overlay": {"product_name": "Rosa Tote", "cta": "Shop now", "font": "inter"},
        "audio": {"enabled": True, "genre": "chill"},
        "intro_duration": 0.5,
        "outro_duration": 0.8,
    } | over


async def test_voiceover_and_captions_through_the_api(stack: Stack, tmp_path: Path) -> None:
    client = stack.client
    h, sid = await _to_clip_selection(stack)

    # The suggested script fits the ad (two 2 s clips and the cards: about 4.5 s).
    r = await client.post(
        f"/api/sessions/{sid}/voiceover-script",
        headers=h,
        json={"product_name": "Rosa Tote", "cta": "Shop now"},
    )
    assert r.status_code == 200, r.text
    suggestion = r.json()
    script = suggestion["script"]
    assert 3.0 <= suggestion["duration"] <= 6.0
    assert suggestion["word_count"] == len(script.split()) <= 2.5 * suggestion["duration"]
    assert script.startswith("Meet Rosa Tote") and script.endswith("Shop now.")
    r = await client.post(f"/api/sessions/{sid}/voiceover-script", headers=h, json={"duration": 99})
    assert r.status_code == 422 and "duration" in r.text

    refusals = [
        ({"voiceover": {"enabled": True}}, "voiceover.script"),
        ({"captions": {"style": "phrase"}}, "captions.style"),
        ({"voiceover": {"enabled": True, "script": "Hi there", "speed": 3}}, "speed"),
        ({"voiceover": {"enabled": True, "script": "Hi\x1bthere"}}, "script"),
        ({"voiceover": {"enabled": True, "script": "Hi there", "voice": "nobody"}}, "voice"),
        # A Kokoro voice: the compositor here runs the local engine, which speaks only the offline one.
        ({"voiceover": {"enabled": True, "script": "Hi there", "voice": "am_adam"}}, "voiceover.voice"),
        ({"audio": {"enabled": True, "genre": "chill", "model": "suno"}}, "model"),
        # Far too long for a 4.5 s ad: the compositor's check, named in the body's words.
        ({"voiceover": {"enabled": True, "script": " ".join(["word"] * 60)}}, "voiceover.script"),
    ]
    for over, field in refusals:
        r = await client.post("/api/compose-final-video", headers=h, json=_body(sid, **over))
        assert r.status_code == 422 and field in str(r.json()["detail"]), (field, r.json())
    # The voices the web app offers are the compositor's own.
    r = await client.get("/api/voices", headers=h)
    assert r.status_code == 200 and r.json() == {
        "voices": [{"id": "joe", "name": "Joe (US English, male, offline)", "online": False}],
        "default": "joe",
    }

    voice = {"enabled": True, "script": script, "voice": "joe", "speed": 1.0}
    body = _body(sid, voiceover=voice, captions={"style": "highlight"})
    async with websockets.connect(await socket_url(client, h["Authorization"][7:], sid)) as ws:
        await ws.recv()
        r = await client.post("/api/compose-final-video", headers=h, json=body)
        assert r.status_code == 202, r.text
        done = (await events_until_terminal(ws))[-1]
    assert done["type"] == "complete", done

    session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
    final = session["final_videos"][0]
    assert final["captions_vtt_url"] and final["captions_srt_url"]
    assert session["finals"][0]["settings"]["captions"] == "highlight"

    r = await client.get(final["captions_vtt_url"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/vtt")
    assert (
        r.headers["content-disposition"].startswith("attachment")
        and ".vtt" in r.headers["content-disposition"]
    )
    vtt = r.text
    assert vtt.startswith("WEBVTT")
    words = _word_times(vtt)
    assert [w for w, _ in words] == script.split()
    r = await client.get(final["captions_srt_url"])
    assert r.status_code == 200 and r.text.startswith("1\n") and "Rosa Tote" in r.text

    mp4 = tmp_path / "final.mp4"
    mp4.write_bytes((await client.get(final["url"])).content)
    info = probe(mp4)
    assert info.has_audio and (info.width, info.height) == (1920, 1080)
    assert all(t < info.duration_s for _, t in words)
    # What the result screen says of its sound: music, and the voice for as long as it speaks.
    assert final["has_audio"] and final["has_music"] and 0 < final["voiceover_s"] < info.duration_s

    # Speech energy: loud in the word windows (the music alone is ducked well under it).
    audio = audio_samples(mp4).T.astype(np.float64)
    part = audio[int(words[0][1] * 48000) : int(words[-1][1] * 48000)]
    level = float(20 * np.log10(np.sqrt((part**2).mean()) + 1e-9))
    assert level > -30, level


async def test_cli_journey_speaks_and_saves_captions(stack: Stack, tmp_path: Path) -> None:
    """What `adreel generate --voice joe --captions phrase` runs: the suggested script is spoken and
    the captions are saved beside the MP4."""
    async with AdreelClient(str(stack.client.base_url)) as client:
        await client.register("cli-voice@example.com", "cli-voice-pass")
        spec = handbag_ad(tmp_path / "ad.mp4", music=False, voice="joe", captions="phrase")
        result = await run_journey(client, spec)
    assert result.files == [tmp_path / "ad.mp4", tmp_path / "ad.vtt", tmp_path / "ad.srt"]
    vtt = (tmp_path / "ad.vtt").read_text()
    assert vtt.startswith("WEBVTT") and "Rosa" in vtt and "Shop" in vtt
    assert probe(tmp_path / "ad.mp4").has_audio  # the voice alone, without music
