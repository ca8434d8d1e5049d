"""The whole journey over HTTP + WebSocket with the four real agents, login to a probed MP4."""

from __future__ import annotations

import io
import json
from pathlib import Path

import av
import numpy as np
import websockets
from PIL import Image

from services.common.media import probe
from tests.e2e.conftest import Stack
from tests.gateway_support import events_until_terminal, socket_url, stage_events


async def test_login_to_mp4(stack: Stack, tmp_path: Path) -> None:
    client = stack.client
    login = await client.post("/api/auth/login", json={"email": "demo@example.com", "password": "demo123"})
    token = login.json()["session_token"]
    h = {"Authorization": f"Bearer {token}"}
    sid = (
        await client.post("/api/sessions/create", headers=h, json={"user_id": login.json()["user_id"]})
    ).json()["session_id"]

    # Images: socket A from the start, socket B joins mid-stage, drops, and reconnects.
    async with websockets.connect(await socket_url(client, token, sid)) as a:
        assert json.loads(await a.recv())["type"] == "snapshot"
        body = {"session_id": sid, "product_prompt": "pink tennis shoes with white laces", "num_images": 4}
        assert (await client.post("/api/generate-images", headers=h, json=body)).status_code == 202
        r = await client.post("/api/generate-images", headers=h, json=body)
        assert r.status_code == 409 and "running" in r.json()["detail"]
        first = json.loads(await a.recv())
        async with websockets.connect(await socket_url(client, token, sid)) as b:
            late = json.loads(await b.recv())
        assert late["type"] == "snapshot" and late["seq"] >= first["seq"]
        async with websockets.connect(await socket_url(client, token, sid)) as b2:
            again = json.loads(await b2.recv())
            assert again["type"] == "snapshot" and again["seq"] >= late["seq"]
            b_events = [again, *(await events_until_terminal(b2))] if again["type"] != "complete" else [again]
            a_events = [first, *await events_until_terminal(a)]
    done = a_events[-1]
    assert (
        done["type"] == "complete" and done["progress"] == 100 and done["session_stage"] == "image_selection"
    )
    assert b_events[-1]["seq"] == done["seq"] or b_events[-1]["data"] == done["data"]
    seqs = [e["seq"] for e in a_events]
    assert seqs == sorted(set(seqs))
    # The step's own bar: 0 -> 100, never back, with the PRD's messages at every substep.
    bar = [e["progress"] for e in a_events if e["type"] in ("progress", "complete")]
    assert bar == sorted(bar) and bar[-1] == 100
    assert {e["stage"] for e in a_events if e["type"] != "snapshot"} == {"image_generation"}
    messages = {e["message"] for e in a_events}
    assert "Parsing prompt..." in messages and "Generating image 1 of 4..." in messages
    images = done["data"]["images"]
    assert len(images) == 4 and len({i["view_type"] for i in images}) == 4
    assert len({i["seed"] for i in images}) == 1

    session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
    assert session["stage"] == "image_selection" and session["consistency_seed"] == images[0]["seed"]
    png = await client.get(session["generated_images"][0]["url"])  # signed URL, no header
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    pixels = np.asarray(Image.open(io.BytesIO(png.content)).convert("RGB"), dtype=np.float32)
    assert pixels.shape[0] >= 256 and pixels.std() > 10  # a rendered picture, not a flat fill

    ids = [i["id"] for i in session["generated_images"]]
    r = await client.post(
        "/api/save-approved-images",
        headers=h,
        json={"session_id": sid, "approved_image_ids": [ids[0], "img_nope"]},
    )
    assert r.status_code == 422 and "img_nope" in r.json()["detail"]
    r = await client.post(
        "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": ids[:3]}
    )
    assert r.status_code == 200 and r.json()["approved_count"] == 3

    # Clips.
    body = {
        "session_id": sid,
        "video_prompt": "girl running on a track in golden hour sunlight",
        "clip_duration": 3.0,
    }
    clip_events = await stage_events(client, token, sid, "/api/generate-clips", body)
    assert clip_events[-1]["type"] == "complete" and clip_events[-1]["progress"] == 100
    bar = [e["progress"] for e in clip_events if e["type"] in ("progress", "complete")]
    assert bar == sorted(bar)
    messages = {e["message"] for e in clip_events}
    assert "Planning scenes..." in messages and "Generating clip 1 of 3..." in messages
    clips = clip_events[-1]["data"]["clips"]
    assert len(clips) == 3 and {c["source_image_id"] for c in clips} == set(ids[:3])
    clip_file = tmp_path / "clip.mp4"
    clip_file.write_bytes((await client.get(clips[0]["url"])).content)
    info = probe(clip_file)
    assert round(info.fps) == 30 and abs(info.duration_s - 3.0) < 0.2 and clips[0]["fps"] == 30

    clip_ids = [c["id"] for c in clips]
    r = await client.post(
        "/api/save-approved-clips",
        headers=h,
        json={"session_id": sid, "approved_clip_ids": clip_ids, "clip_order": clip_ids[:2]},
    )
    assert r.status_code == 422 and "permutation" in r.json()["detail"]
    order = clip_ids[::-1]
    r = await client.post(
        "/api/save-approved-clips",
        headers=h,
        json={"session_id": sid, "approved_clip_ids": clip_ids, "clip_order": order},
    )
    assert r.status_code == 200 and r.json()["approved_count"] == 3
    estimate = r.json()["estimated_duration"]

    # Final video, with music and the PRD's default font name.
    fonts = (await client.get("/api/fonts", headers=h)).json()
    assert fonts["fonts"] and fonts["default"] in {f["id"] for f in fonts["fonts"]}
    compose = {
        "session_id": sid,
        "text_overlay": {
            "product_name": "AirRun Pro",
            "cta": "Shop Now",
            "font": "Montserrat-Bold",
            "color": "#FFFFFF",
        },
        "audio": {"enabled": True, "genre": "upbeat"},
    }
    bad_font = {**compose, "text_overlay": {**compose["text_overlay"], "font": "Comic Sans"}}
    r = await client.post("/api/compose-final-video", headers=h, json=bad_font)
    assert r.status_code == 422 and fonts["default"] in r.json()["detail"]
    final_events = await stage_events(client, token, sid, "/api/compose-final-video", compose)
    final = final_events[-1]
    assert final["type"] == "complete" and final["progress"] == 100 and final["session_stage"] == "complete"
    video = final["data"]["final_video"]
    assert video["resolution"] == "1920x1080" and video["fps"] == 30 and video["has_audio"] is True

    # Seek like a <video> element does, then fetch it all and probe it.
    part = await client.get(video["url"], headers={"Range": "bytes=0-1023"})
    assert (
        part.status_code == 206 and len(part.content) == 1024 and part.headers["content-type"] == "video/mp4"
    )
    mp4 = tmp_path / "final.mp4"
    mp4.write_bytes((await client.get(video["url"])).content)
    info = probe(mp4)
    assert (info.width, info.height) == (1920, 1080) and round(info.fps) == 30
    assert 8.0 <= info.duration_s <= 12.0 and info.has_audio
    assert abs(video["duration"] - info.duration_s) < 0.1
    # The clip board's estimate is the composed length (cards, clips, less the cross-fades).
    assert abs(estimate - info.duration_s) < 0.05
    bar = [e["progress"] for e in final_events if e["type"] in ("progress", "complete")]
    assert bar == sorted(bar) and len(set(bar)) > 5  # from FFmpeg's frame count, not a few fixed steps
    assert {"Generating music...", "Stitching clips..."} <= {e["message"] for e in final_events}
    with av.open(str(mp4)) as container:
        frames = [
            f.to_ndarray(format="rgb24")
            for _, f in zip(range(int(info.duration_s * 15)), container.decode(video=0), strict=False)
        ]
    middle = frames[len(frames) // 2].astype(np.float32)
    assert middle.std() > 10  # a clip with a product in it, not a blank frame

    session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
    assert session["stage"] == "complete" and session["clip_order"] == order
    costs = (await client.get(f"/api/sessions/{sid}/costs", headers=h)).json()
    agents = {line["agent"] for line in costs["breakdown"]}
    assert agents == {"prompt_parser", "image_gen", "video_gen", "compositor"}
    assert abs(sum(line["cost"] for line in costs["breakdown"]) - session["total_cost"]) < 1e-5
    assert 0 < session["total_cost"] < 10
