"""Variants over the API: one compose call makes three finals, each a session asset probed with PyAV."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import websockets

from services.common.media import probe
from tests.gateway_support import Stack, events_until_terminal, socket_url


async def _to_clip_selection(stack: Stack) -> tuple[dict[str, str], str]:
    """A fresh user's session with two approved 2 s clips (the shortest journey to composing)."""
    client = stack.client
    # A user of its own each time: the tests share one database, and an email registers once.
    email = f"variants-{secrets.token_hex(4)}@example.com"
    r = await client.post("/api/auth/register", json={"email": email, "password": "vari-pass"})
    token = r.json()["session_token"]
    h = {"Authorization": f"Bearer {token}"}
    sid = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
    async with websockets.connect(await socket_url(client, token, sid)) as ws:
        await ws.recv()
        body = {"session_id": sid, "product_prompt": "red leather handbag", "num_images": 4}
        assert (await client.post("/api/generate-images", headers=h, json=body)).status_code == 202
        images = (await events_until_terminal(ws))[-1]["data"]["images"]
    body = {"session_id": sid, "approved_image_ids": [i["id"] for i in images[:2]]}
    assert (await client.post("/api/save-approved-images", headers=h, json=body)).status_code == 200
    async with websockets.connect(await socket_url(client, token, sid)) as ws:
        await ws.recv()
        body = {"session_id": sid, "video_prompt": "slow turn on a marble table", "clip_duration": 2.0}
        assert (await client.post("/api/generate-clips", headers=h, json=body)).status_code == 202
        clips = (await events_until_terminal(ws))[-1]["data"]["clips"]
    body = {"session_id": sid, "approved_clip_ids": [c["id"] for c in clips]}
    assert (await client.post("/api/save-approved-clips", headers=h, json=body)).status_code == 200
    return h, sid


def _compose(sid: str, *variants: dict[str, Any], **over: Any) -> dict[str, Any]:
    return {
        "session_id": sid,
        "text_overlay": {"product_name": "Rosa Tote", "cta": "Shop now", "font": "inter", "color": "#FFCC00"},
        "audio": {"enabled": True, "genre": "chill"},
        "intro_duration": 0.5,
        "outro_duration": 0.8,
        "variants": list(variants),
    } | over


async def _download(client: httpx.AsyncClient, url: str, path: Path) -> Path:
    r = await client.get(url)
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    path.write_bytes(r.content)
    return path


def _last_frame(path: Path) -> np.ndarray:
    with av.open(str(path)) as c:
        last = None
        for last in c.decode(video=0):  # noqa: B007 - the loop leaves the last frame behind
            pass
        assert last is not None
        return last.to_ndarray(format="rgb24")


async def test_three_finals_from_one_compose(stack: Stack, tmp_path: Path) -> None:
    client = stack.client
    h, sid = await _to_clip_selection(stack)
    tall = {
        "format": "9:16",
        "text_overlay": {"cta": "Tap to shop", "color": "#00E5FF", "font": "Bebas Neue"},
    }
    square = {"variant_id": "square-quiet", "format": "1:1", "audio": {"enabled": False}}

    comic = {"format": "1:1", "text_overlay": {"font": "Comic Sans"}}
    four = [{"format": "1:1", "text_overlay": {"cta": f"Buy {i}"}} for i in range(4)]
    refusals = [
        (_compose(sid, {"format": "16:9"}), "variants[0]:"),  # the same video as the 16:9 final
        (_compose(sid, {"variant_id": "16x9", "format": "1:1"}), "variants[0].variant_id:"),
        (_compose(sid, tall, comic), "variants[1].text_overlay.font:"),
        (_compose(sid, *four, formats=["16:9", "9:16", "1:1"]), "variants:"),  # 7 finals
    ]
    for body, field in refusals:
        r = await client.post("/api/compose-final-video", headers=h, json=body)
        assert r.status_code == 422 and str(r.json()["detail"]).startswith(field), r.json()
    r = await client.post("/api/compose-final-video", headers=h, json=_compose(sid, {"format": "4:3"}))
    assert r.status_code == 422, "an unknown format is refused by the schema"

    async with websockets.connect(await socket_url(stack.client, h["Authorization"][7:], sid)) as ws:
        await ws.recv()
        r = await client.post("/api/compose-final-video", headers=h, json=_compose(sid, tall, square))
        assert r.status_code == 202
        done = (await events_until_terminal(ws))[-1]
    assert done["type"] == "complete" and done["session_stage"] == "complete", done
    finals = done["data"]["final_videos"]
    assert [f["variant_id"] for f in finals] == ["16x9", "v1", "square-quiet"]
    assert done["data"]["final_video"] == finals[0]
    assert [f["label"] for f in finals] == [
        "16:9",
        '9:16 · CTA "Tap to shop" · Bebas Neue · #00e5ff',
        "1:1 · no music",
    ]
    assert [f["resolution"] for f in finals] == ["1920x1080", "1080x1920", "1080x1080"]
    assert [f["has_audio"] for f in finals] == [True, True, False]

    session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
    assert session["final_video"]["variant_id"] == "16x9"
    assert [f["variant_id"] for f in session["final_videos"]] == ["16x9", "v1", "square-quiet"]
    sizes = {"16x9": (1920, 1080), "v1": (1080, 1920), "square-quiet": (1080, 1080)}
    files = {}
    for f in session["final_videos"]:
        path = await _download(client, f["url"], tmp_path / f"{f['variant_id']}.mp4")
        info = probe(path)
        assert (info.width, info.height) == sizes[f["variant_id"]] and round(info.fps) == 30
        assert info.has_audio == f["has_audio"] and abs(info.duration_s - f["duration"]) < 0.1
        files[f["variant_id"]] = path
    assert len({p.read_bytes()[:100_000] for p in files.values()}) == 3

    # The 9:16 variant ends on its own CTA in cyan; the primary's is yellow.
    def share(frame: np.ndarray, rgb: tuple[int, int, int]) -> float:
        h = frame.shape[0]
        band = frame[int(0.3 * h) : int(0.7 * h)].astype(int)
        return float(np.all(np.abs(band - np.array(rgb)) <= 40, axis=-1).mean())

    tall_end, wide_end = _last_frame(files["v1"]), _last_frame(files["16x9"])
    assert share(tall_end, (0, 229, 255)) > 0.003 > share(tall_end, (255, 204, 0))
    assert share(wide_end, (255, 204, 0)) > 0.003 > share(wide_end, (0, 229, 255))

    # One compose call, one cost line for it.
    costs = (await client.get(f"/api/sessions/{sid}/costs", headers=h)).json()
    compositor = [line for line in costs["breakdown"] if line["agent"] == "compositor"]
    assert len(compositor) == 1 and compositor[0]["calls"] == 1 and compositor[0]["cost"] > 0
    assert json.dumps(session["final_videos"]).count('"url": "/media/') == 3
