"""The whole journey with every agent on its Replicate engine, against a local server that speaks
Replicate's HTTP API (tests/fakes): Llama reads the product and plans the shots, Flux renders the
images, SVD animates them, MusicGen scores the ad, and the compositor joins them into the MP4."""

from __future__ import annotations

import asyncio
import json
import re
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.common.media import probe
from tests.e2e.conftest import start_stack
from tests.fakes import replicate_models as M
from tests.fakes.replicate_server import DEFAULT_TOKEN, FakePrediction, running_fake, token_chunks

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


async def wait_stage(client: httpx.AsyncClient, sid: str, h: dict[str, str], stage: str) -> dict[str, Any]:
    for _ in range(600):
        body = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
        if body["stage"] == stage:
            return body
        assert body["stage"] != "failed", body
        await asyncio.sleep(0.1)
    raise AssertionError(f"session never reached {stage}")


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
            clips_body = {"session_id": sid, "video_prompt": "running on a sunny track", "clip_duration": 3}
            assert (await client.post("/api/generate-clips", headers=h, json=clips_body)).status_code == 202
            session = await wait_stage(client, sid, h, "clip_selection")
            clip_ids = [c["id"] for c in session["generated_clips"]]
            assert len(clip_ids) == 3
            save = {"session_id": sid, "approved_clip_ids": clip_ids, "clip_order": clip_ids[::-1]}
            assert (await client.post("/api/save-approved-clips", headers=h, json=save)).status_code == 200

            compose = {
                "session_id": sid,
                "text_overlay": {"product_name": "AirRun Pro", "cta": "Shop Now"},
                "audio": {"enabled": True, "genre": "upbeat"},
            }
            assert (await client.post("/api/compose-final-video", headers=h, json=compose)).status_code == 202
            session = await wait_stage(client, sid, h, "complete")
            media = await client.get(session["final_video"]["url"], headers=h)
            assert media.status_code == 200
            final = tmp_path / "final.mp4"
            final.write_bytes(media.content)
            costs = (await client.get(f"/api/sessions/{sid}/costs", headers=h)).json()

    info = probe(final)
    assert (info.width, info.height, round(info.fps)) == (1920, 1080, 30)
    assert 8.0 <= info.duration_s <= 12.5 and info.has_audio
    # Every model of the journey was really asked, through Replicate's API as documented.
    assert len(fake.calls(M.LLAMA)) == 2  # the product, then the shot plan
    assert len(fake.calls(M.FLUX)) == 4 and not fake.calls(M.SDXL)
    assert len(fake.calls(M.SVD)) == 3
    assert len(fake.calls(M.MUSICGEN)) == 1
    # The provider's costs are what the session shows.
    models = {line["model"] for line in costs["breakdown"]}
    assert {M.FLUX, M.SVD} <= {m.split(":")[0] for m in models}, models
    assert costs["total_cost"] > 0.1 and costs["total_cost"] == pytest.approx(session["total_cost"])
