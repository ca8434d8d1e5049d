"""The creative loop over the API with the four real agents: regenerate one image, plan and edit the
storyboard before paying for clips, regenerate one clip, render twice, go back a step and forward
again, with nothing paid twice and nothing lost."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from services.common.media import probe
from tests.e2e.conftest import Stack


async def wait_idle(client: httpx.AsyncClient, sid: str, h: dict[str, str]) -> dict[str, Any]:
    """The session once its running stage is over (complete or failed)."""
    for _ in range(600):
        session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
        if session["stage"] not in ("image_generation", "clip_generation", "final_composition"):
            return session
        await asyncio.sleep(0.1)
    raise AssertionError("the stage never finished")


async def costs_of(client: httpx.AsyncClient, sid: str, h: dict[str, str], agent: str) -> int:
    await asyncio.sleep(0.3)  # the outbox relays within milliseconds
    lines = (await client.get(f"/api/sessions/{sid}/costs", headers=h)).json()["breakdown"]
    return sum(line["calls"] for line in lines if line["agent"] == agent)


async def test_change_any_stage_and_go_again(stack: Stack, tmp_path: Path) -> None:
    client = stack.client
    login = await client.post("/api/auth/login", json={"email": "demo@example.com", "password": "demo123"})
    h = {"Authorization": f"Bearer {login.json()['session_token']}"}
    sid = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
    product = {"session_id": sid, "product_prompt": "pink tennis shoes with white laces", "num_images": 4}
    assert (await client.post("/api/generate-images", headers=h, json=product)).status_code == 202
    session = await wait_idle(client, sid, h)
    first = session["generated_images"]
    assert len(first) == 4 and all("pink tennis shoes" in i["prompt"] for i in first)

    # 1. One image again, with its prompt edited: a new image joins, the old one stays.
    target = first[1]
    started = time.monotonic()
    r = await client.post(
        f"/api/sessions/{sid}/images/{target['id']}/regenerate",
        headers=h,
        json={"prompt": "pink tennis shoes with white laces, on a marble plinth"},
    )
    assert r.status_code == 202
    session = await wait_idle(client, sid, h)
    regenerate_s = time.monotonic() - started
    images = session["generated_images"]
    assert session["stage"] == "image_selection" and len(images) == 5
    new = images[-1]
    assert new["replaces"] == target["id"] and new["prompt"].endswith("on a marble plinth")
    assert new["seed"] != target["seed"] and target["id"] in [i["id"] for i in images]
    assert await costs_of(client, sid, h, "image_gen") == 5  # one more image bought, not a new set
    print(f"regenerate -> new image: {regenerate_s:.2f} s")
    r = await client.post(f"/api/sessions/{sid}/images/img_nope/regenerate", headers=h, json={})
    assert r.status_code == 404 and "image_id" in r.json()["detail"]

    # 2. The storyboard before paying for clips; one shot edited.
    keep = [first[0]["id"], new["id"], first[2]["id"]]
    r = await client.post(
        "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": keep}
    )
    assert r.status_code == 200
    scene = {"video_prompt": "a runner on a track at golden hour", "clip_duration": 3.0}
    board = (await client.post(f"/api/sessions/{sid}/storyboard", headers=h, json=scene)).json()
    assert [s["source_image_id"] for s in board["shots"]] == keep
    # Offline, clips are CPU time: the quote is what the engine charges, not an online model's price.
    assert 0 < board["quote_usd"] < 0.01 and board["model_quotes_usd"] == {}
    assert await costs_of(client, sid, h, "video_gen") == 0  # planning buys no clip
    shot = board["shots"][0]
    edit = {
        "shot_id": shot["shot_id"],
        "camera_movement": "zoom_out",
        "duration": 2.5,
        "scene_prompt": "slow reveal",
    }
    board = (await client.put(f"/api/sessions/{sid}/storyboard", headers=h, json={"shots": [edit]})).json()
    edited = board["shots"][0]
    assert edited["shot_id"] != shot["shot_id"] and edited["camera_movement"] == "zoom_out"
    assert edited["duration"] == 2.5 and edited["scene_prompt"] == "slow reveal"
    r = await client.put(
        f"/api/sessions/{sid}/storyboard",
        headers=h,
        json={"shots": [{"shot_id": "clip_nope", "duration": 3}]},
    )
    assert r.status_code == 422 and "shots[0].shot_id" in r.json()["detail"]
    r = await client.put(
        f"/api/sessions/{sid}/storyboard", headers=h, json={"shots": [{**edit, "camera_movement": "spin"}]}
    )
    assert r.status_code == 422

    clips_body = {"session_id": sid, **scene}
    assert (await client.post("/api/generate-clips", headers=h, json=clips_body)).status_code == 202
    session = await wait_idle(client, sid, h)
    clips = session["generated_clips"]
    assert session["stage"] == "clip_selection" and len(clips) == 3
    by_source = {c["source_image_id"]: c for c in clips}
    assert (
        by_source[keep[0]]["id"] == edited["shot_id"] and by_source[keep[0]]["camera_movement"] == "zoom_out"
    )
    assert (
        abs(by_source[keep[0]]["duration"] - 2.5) < 0.05 and abs(by_source[keep[1]]["duration"] - 3.0) < 0.05
    )

    # 3. One clip again with its shot edited: it takes the old one's place on the board.
    order = [c["id"] for c in clips]
    r = await client.post(
        "/api/save-approved-clips", headers=h, json={"session_id": sid, "approved_clip_ids": order}
    )
    assert r.status_code == 200
    old_clip = order[1]
    r = await client.post(
        f"/api/sessions/{sid}/clips/{old_clip}/regenerate", headers=h, json={"camera_movement": "pan_left"}
    )
    assert r.status_code == 202
    session = await wait_idle(client, sid, h)
    assert len(session["generated_clips"]) == 4 and await costs_of(client, sid, h, "video_gen") == 4
    regenerated = session["generated_clips"][-1]
    assert regenerated["camera_movement"] == "pan_left"
    assert session["clip_order"] == [order[0], regenerated["id"], order[2]]

    # 4. A draft of the finishing form, then two renders with different CTAs: two versions.
    draft = {"text_overlay": {"product_name": "AirRun Pro", "cta": "Shop"}, "intro_duration": 1.5}
    r = await client.put(f"/api/sessions/{sid}/composition", headers=h, json=draft)
    assert r.status_code == 200
    assert (await client.get(f"/api/sessions/{sid}", headers=h)).json()["composition_draft"] == draft
    for cta in ("Shop Now", "Buy Today"):
        compose = {"session_id": sid, "text_overlay": {"product_name": "AirRun Pro", "cta": cta}}
        assert (await client.post("/api/compose-final-video", headers=h, json=compose)).status_code == 202
        session = await wait_idle(client, sid, h)
        assert session["stage"] == "complete", session["error"]
    finals = session["finals"]
    assert [f["settings"]["overlay"]["cta"] for f in finals] == ["Buy Today", "Shop Now"]
    assert session["final_video"]["url"] == finals[0]["videos"][0]["url"]
    for version in finals:
        video = version["videos"][0]
        got = await client.get(video["download_url"])
        assert got.status_code == 200 and 'filename="airrun-pro.mp4"' in got.headers["content-disposition"]
        (tmp_path / "final.mp4").write_bytes(got.content)
        assert abs(probe(tmp_path / "final.mp4").duration_s - video["duration"]) < 0.1

    # 5. Back to the images, a new round, and forward again: nothing made before is lost.
    assert (await client.post("/api/generate-images", headers=h, json=product)).status_code == 202
    session = await wait_idle(client, sid, h)
    assert len(session["generated_images"]) == 9 and len(session["generated_clips"]) == 4
    assert len(session["finals"]) == 2
    new_round = session["generated_images"][-4:]
    assert {i["seed"] for i in new_round}.isdisjoint({i["seed"] for i in first})
    keep2 = [new_round[0]["id"], new_round[1]["id"]]
    r = await client.post(
        "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": keep2}
    )
    assert r.status_code == 200
    session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
    assert all(c["stale"] for c in session["generated_clips"])  # made from images no longer kept
    # ...and forward again to the clip board and a render, with no 409 on the way.
    r = await client.post(
        "/api/save-approved-clips", headers=h, json={"session_id": sid, "approved_clip_ids": order[:2]}
    )
    assert r.status_code == 200 and session["finals"][0]["stale"] is False
    session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
    assert session["stage"] == "clip_selection" and session["finals"][0]["stale"] is True
