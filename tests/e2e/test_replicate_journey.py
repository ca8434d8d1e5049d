"""The whole journey with every agent on its Replicate engine, against a local server that speaks
Replicate's HTTP API (tests/fakes): Llama reads the product and plans the shots, Flux renders the
images, Wan 2.2 (the default) animates them following each shot, Seedance when the session chooses it
(a regenerated clip too), Stable Audio 2.5 scores the ad (MusicGen, non-commercial, is never asked
unless chosen), Kokoro speaks the script the user wrote in the chosen voice and speed, and the
compositor joins them into the MP4, the speech audible where the captions put the words. Every
image-to-video call carries its shot's scene prompt and camera words, and its approved image."""

from __future__ import annotations

import asyncio
import json
import re
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest

from adreel.v1 import common_pb2
from services.common.media import probe
from services.video_gen.providers.replicate import CAMERA
from tests.e2e.conftest import start_stack
from tests.fakes import replicate_models as M
from tests.fakes.replicate_server import (
    DEFAULT_TOKEN,
    FakePrediction,
    FakeReplicate,
    running_fake,
    token_chunks,
)
from tests.integration.test_compositor_voiceover import _word_times
from tests.video_analysis import audio_samples

PRODUCT = {
    "category": "footwear",
    "product_phrase": "pink running shoes with white laces",
    "setting_phrase": "",
    "colors": ["pink", "white"],
    "materials": ["mesh"],
    "style_keywords": ["athletic"],
}


async def llama(p: FakePrediction) -> list[str]:
    """Answers like the model would: the product reading, or one shot per item id it was given."""
    prompt = str(p.input.get("prompt", ""))
    if "shots" in str(p.input.get("system_prompt", "")) + prompt:
        ids = re.findall(r"- item_id (\S+):", prompt)
        moves = ["zoom_in", "pan_left", "orbit", "tracking"]
        shots = [
            {
                "item_id": item,
                "scene_prompt": f"The shoes on a sunny track, shot {n + 1}.",
                "camera_movement": moves[n % len(moves)],
                "motion_intensity": 0.6,
            }
            for n, item in enumerate(ids)
        ]
        reply = json.dumps({"shots": shots})
    else:
        reply = "Here you go:\n```json\n" + json.dumps(PRODUCT) + "\n```"
    p.metrics.update(input_token_count=400, output_token_count=120)
    return token_chunks(reply)


# As the user edited it in the finishing form (not the parser's suggestion).
SCRIPT = "AirRun Pro, light on every track.\n  Run further today. Shop now!"


def speech_band_db(audio: np.ndarray, a: float, b: float, rate: int = 48000) -> float:
    """Level of the 1-4 kHz band (where speech is, and the fake's chords are not) between a and b s."""
    part = audio[int(a * rate) : int(b * rate)]
    spectrum = np.abs(np.fft.rfft(part)) ** 2
    hz = np.fft.rfftfreq(part.size, 1 / rate)
    return float(10 * np.log10(spectrum[(hz >= 1000) & (hz <= 4000)].sum() / part.size + 1e-12))


async def wait_stage(client: httpx.AsyncClient, sid: str, h: dict[str, str], stage: str) -> dict[str, Any]:
    for _ in range(600):
        body = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
        if body["stage"] == stage:
            return body
        assert body["stage"] != "failed", body
        await asyncio.sleep(0.1)
    raise AssertionError(f"session never reached {stage}")


async def assert_calls_follow_the_shots(
    client: httpx.AsyncClient,
    h: dict[str, str],
    session: dict[str, Any],
    fake: FakeReplicate,
    calls: list[FakePrediction],
) -> None:
    """Each shot of the session's storyboard went to the model as one call carrying the shot's scene
    prompt and camera words, with the shot's approved image as the start frame."""
    shots = session["storyboard"]["shots"]
    images = {i["id"]: i["url"] for i in session["generated_images"]}
    assert len(calls) == len(shots) == 3
    for shot in shots:
        scene = shot["scene_prompt"].strip().rstrip(".")
        (call,) = [c for c in calls if c.input["prompt"].startswith(scene + ".")]
        move = common_pb2.CameraMovement.Value(f"CAMERA_MOVEMENT_{shot['camera_movement'].upper()}")
        assert CAMERA[move] in call.input["prompt"], (shot, call.input["prompt"])
        still = await client.get(images[shot["source_image_id"]], headers=h)
        assert fake.read_url(call.input["image"]) == still.content


async def test_journey_with_every_agent_on_replicate(
    gateway_database: str, storage_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_fake() as fake:
        M.install_all(fake, llama)
        monkeypatch.setenv("REPLICATE_API_TOKEN", DEFAULT_TOKEN)
        monkeypatch.setenv("REPLICATE_BASE_URL", fake.base_url)
        monkeypatch.setenv("ADREEL_REPLICATE_POLL_INTERVAL_S", "0.05")
        monkeypatch.delenv("ADREEL_ENGINE", raising=False)  # the engine follows the token
        async with AsyncExitStack() as exits:
            stack = await start_stack(exits, gateway_database, storage_dir, tmp_path / "state")
            client = stack.client
            login = await client.post(
                "/api/auth/login", json={"email": "demo@example.com", "password": "demo123"}
            )
            h = {"Authorization": f"Bearer {login.json()['session_token']}"}
            sid = (await client.post("/api/sessions/create", headers=h, json={})).json()["session_id"]

            body = {"session_id": sid, "product_prompt": "pink running shoes", "num_images": 4}
            assert (await client.post("/api/generate-images", headers=h, json=body)).status_code == 202
            session = await wait_stage(client, sid, h, "image_selection")
            images = session["generated_images"]
            assert len(images) == 4 and len({i["seed"] for i in images}) == 1

            ids = [i["id"] for i in images[:3]]
            r = await client.post(
                "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": ids}
            )
            assert r.status_code == 200, r.text
            # The storyboard is quoted at the list price of the default model (Wan 2.2: $0.10 a clip) and
            # of each model the session may choose instead; the clips then follow the plan.
            scene = {"video_prompt": "running on a sunny track", "clip_duration": 3}
            board = (await client.post(f"/api/sessions/{sid}/storyboard", headers=h, json=scene)).json()
            quotes = board["model_quotes_usd"]
            assert board["quote_usd"] == pytest.approx(0.30) and quotes[""] == pytest.approx(0.30)
            assert quotes["veo-3.1-fast"] == pytest.approx(1.20)
            assert quotes["kling-2.1"] == pytest.approx(0.75)
            clips_body = {"session_id": sid, **scene}
            assert (await client.post("/api/generate-clips", headers=h, json=clips_body)).status_code == 202
            session = await wait_stage(client, sid, h, "clip_selection")
            assert len(session["generated_clips"]) == 3 and session["video_model"] == ""
            await assert_calls_follow_the_shots(client, h, session, fake, fake.calls(M.WAN))
            # Every shot has its clip now; another model would make all three anew.
            board = session["storyboard"]
            assert board["quote_usd"] == 0
            assert board["model_quotes_usd"]["seedance-lite"] == pytest.approx(0.432)

            # The session chooses Seedance: the same shots are made anew with it, and so is a clip
            # regenerated later (the session keeps its model). A model the API doesn't offer is a 422.
            bad_body = clips_body | {"video_model": "sora"}
            bad = await client.post("/api/generate-clips", headers=h, json=bad_body)
            assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "video_model"]
            clips_body["video_model"] = "seedance-lite"
            assert (await client.post("/api/generate-clips", headers=h, json=clips_body)).status_code == 202
            session = await wait_stage(client, sid, h, "clip_selection")
            assert len(session["generated_clips"]) == 6 and session["video_model"] == "seedance-lite"
            await assert_calls_follow_the_shots(client, h, session, fake, fake.calls(M.SEEDANCE_LITE))
            first = session["storyboard"]["shots"][0]
            regenerate = f"/api/sessions/{sid}/clips/{first['clip_id']}/regenerate"
            redo = await client.post(regenerate, headers=h, json={})
            assert redo.status_code == 202, redo.text
            session = await wait_stage(client, sid, h, "clip_selection")
            assert len(fake.calls(M.SEEDANCE_LITE)) == 4 and len(fake.calls(M.WAN)) == 3
            again = fake.calls(M.SEEDANCE_LITE)[-1].input["prompt"]
            assert again.startswith(first["scene_prompt"].rstrip(".") + ".")
            clip_ids = [shot["clip_id"] for shot in session["storyboard"]["shots"]]
            assert len(clip_ids) == 3 and first["clip_id"] not in clip_ids
            save = {"session_id": sid, "approved_clip_ids": clip_ids, "clip_order": clip_ids[::-1]}
            assert (await client.post("/api/save-approved-clips", headers=h, json=save)).status_code == 200

            compose = {
                "session_id": sid,
                "text_overlay": {"product_name": "AirRun Pro", "cta": "Shop Now"},
                "audio": {"enabled": True, "genre": "upbeat"},
                "voiceover": {"enabled": True, "script": SCRIPT, "voice": "am_adam", "speed": 1.1},
                "captions": {"style": "phrase"},
            }
            assert (await client.post("/api/compose-final-video", headers=h, json=compose)).status_code == 202
            session = await wait_stage(client, sid, h, "complete")
            media = await client.get(session["final_video"]["url"], headers=h)
            assert media.status_code == 200
            final = tmp_path / "final.mp4"
            final.write_bytes(media.content)
            vtt = (await client.get(session["final_videos"][0]["captions_vtt_url"], headers=h)).text
            costs = (await client.get(f"/api/sessions/{sid}/costs", headers=h)).json()

    info = probe(final)
    assert (info.width, info.height, round(info.fps)) == (1920, 1080, 30)
    assert 8.0 <= info.duration_s <= 12.5 and info.has_audio
    # Every model of the journey was really asked, through Replicate's API as documented.
    assert len(fake.calls(M.LLAMA)) == 2  # the product, then the shot plan
    assert len(fake.calls(M.FLUX)) == 4 and not fake.calls(M.SDXL)
    assert not fake.calls(M.SVD)
    # The music by the model whose outputs may be used in ads; the voice by Kokoro, as the user asked.
    assert len(fake.calls(M.STABLE_AUDIO)) == 1 and not fake.calls(M.MUSICGEN)
    (spoken,) = fake.calls(M.KOKORO)
    assert spoken.input == {"text": " ".join(SCRIPT.split()), "voice": "am_adam", "speed": 1.1}
    # Speech where the captions put the words: voice-band energy far above the music bed before it.
    words = _word_times(vtt)
    assert [w for w, _ in words] == SCRIPT.split()
    audio = audio_samples(final).mean(axis=0)
    first, last = words[0][1], words[-1][1]
    assert speech_band_db(audio, first, last) > speech_band_db(audio, 0.05, first - 0.1) + 20
    # The provider's costs are what the session shows.
    models = {line["model"] for line in costs["breakdown"]}
    assert {M.FLUX, M.WAN, M.SEEDANCE_LITE} <= {m.split(":")[0] for m in models}, models
    assert costs["total_cost"] > 0.1 and costs["total_cost"] == pytest.approx(session["total_cost"])
