"""A session that starts from the user's own photos: uploads -> scene planning -> clips -> final MP4,
with the four real agents, and a signed completion webhook for every stage on a loopback receiver."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest
from PIL import Image, ImageDraw

from services.common.media import probe
from tests.e2e.conftest import Stack, start_stack
from tests.webhook_receiver import event_types, running_receiver


@pytest.fixture
async def hooked_stack(
    gateway_database: str, storage_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Stack]:
    # The receiver is on loopback; tests allow that (production refuses it).
    monkeypatch.setenv("ADREEL_WEBHOOK_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("ADREEL_WEBHOOK_POLL_S", "0.05")
    async with AsyncExitStack() as exits:
        yield await start_stack(exits, gateway_database, storage_dir, tmp_path / "state")


def product_photo(colour: str, fmt: str, **kw: Any) -> bytes:
    """A product shot: one coloured object on a light backdrop."""
    im = Image.new("RGB", (800, 600), (235, 235, 230))
    ImageDraw.Draw(im).ellipse((250, 150, 550, 450), fill=colour)
    out = io.BytesIO()
    im.save(out, fmt, **kw)
    return out.getvalue()


def share(frame: np.ndarray, channel: int) -> float:
    """Share of pixels strongly of one primary colour (0 red, 2 blue)."""
    f = frame.astype(np.int16)
    others = [c for c in range(3) if c != channel]
    strong = (f[..., channel] > 140) & (f[..., others[0]] < 90) & (f[..., others[1]] < 90)
    return float(strong.mean())


def frame_at(path: Path, t: float) -> np.ndarray:
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= t:
                return frame.to_ndarray(format="rgb24")
    raise AssertionError(f"no frame at {t}s")


async def until_stage(client: httpx.AsyncClient, h: dict[str, str], sid: str, stage: str) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while True:
        session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
        assert session["stage"] != "failed", session["error"]
        if session["stage"] == stage:
            return session
        assert time.monotonic() < deadline, session
        await asyncio.sleep(0.2)


async def test_own_photos_to_final_mp4(hooked_stack: Stack, tmp_path: Path) -> None:
    client = hooked_stack.client
    login = await client.post("/api/auth/login", json={"email": "demo@example.com", "password": "demo123"})
    h = {"Authorization": f"Bearer {login.json()['session_token']}"}
    async with running_receiver() as receiver:
        r = await client.post("/api/sessions/create", headers=h, json={"webhook_url": receiver.url})
        sid, secret = r.json()["session_id"], r.json()["webhook_secret"]

        files = [
            ("files", ("red.png", product_photo("red", "PNG"), "image/png")),
            ("files", ("blue.jpg", product_photo("blue", "JPEG", quality=90), "image/jpeg")),
        ]
        r = await client.post(
            f"/api/sessions/{sid}/images", headers=h, files=files, data={"view_type": ["front"]}
        )
        assert r.status_code == 201 and r.json()["stage"] == "image_selection"
        red, blue = (i["id"] for i in r.json()["images"])
        r = await client.patch(f"/api/sessions/{sid}/images/{blue}", headers=h, json={"view_type": "side"})
        assert r.status_code == 200
        r = await client.post(
            "/api/save-approved-images",
            headers=h,
            json={"session_id": sid, "approved_image_ids": [red, blue]},
        )
        assert r.status_code == 200

        # Scene planning and image-to-video take the photos like generated images (view from the user).
        body = {
            "session_id": sid,
            "video_prompt": "the product turning slowly on a marble table",
            "clip_duration": 2.0,
        }
        assert (await client.post("/api/generate-clips", headers=h, json=body)).status_code == 202
        session = await until_stage(client, h, sid, "clip_selection")
        clips = {c["source_image_id"]: c for c in session["generated_clips"]}
        assert set(clips) == {red, blue}
        for source, channel in ((red, 0), (blue, 2)):
            path = tmp_path / f"{source}.mp4"
            path.write_bytes((await client.get(clips[source]["url"])).content)
            info = probe(path)
            assert round(info.fps) == 30 and abs(info.duration_s - 2.0) < 0.2
            middle = frame_at(path, 1.0)
            assert share(middle, channel) > 0.05 and share(middle, 2 - channel) < 0.005

        order = [clips[red]["id"], clips[blue]["id"]]
        r = await client.post(
            "/api/save-approved-clips", headers=h, json={"session_id": sid, "approved_clip_ids": order}
        )
        assert r.status_code == 200
        compose = {"session_id": sid, "text_overlay": {"product_name": "Orb", "cta": "Shop Now"}}
        assert (await client.post("/api/compose-final-video", headers=h, json=compose)).status_code == 202
        session = await until_stage(client, h, sid, "complete")
        final = session["final_video"]
        mp4 = tmp_path / "final.mp4"
        mp4.write_bytes((await client.get(final["url"])).content)
        info = probe(mp4)
        assert (info.width, info.height) == (1920, 1080) and round(info.fps) == 30
        # 1 s intro + 2 x 2 s clips + 1 s outro, less three 0.3 s cross-fades.
        assert abs(info.duration_s - 5.1) < 0.3, info.duration_s
        assert share(frame_at(mp4, 1.6), 0) > 0.03 and share(frame_at(mp4, 3.4), 2) > 0.03
        assert session["total_cost"] > 0 and all(i["cost"] == 0 for i in session["generated_images"])

        got = await receiver.wait_for(2)
    events = [g.verify(secret) for g in got]
    assert event_types(events) == ["stage.completed:clip_generation", "stage.completed:final_composition"]
    assert set(events[0]["data"]["clip_ids"]) == set(order)
    (video,) = events[1]["data"]["final_videos"]
    assert video["url"].startswith(f"/media/sessions/{sid}/") and video["resolution"] == "1920x1080"
    assert events[1]["data"]["session_stage"] == "complete" and events[1]["data"]["progress"] == 100
