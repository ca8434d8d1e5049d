"""A compose that picks a brand kit, over the API with the real agents: the kit's colour draws
the texts and its logo sits in the chosen corner of the final (pixels of the downloaded MP4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import websockets

from tests.e2e.test_gateway_variants import _to_clip_selection
from tests.gateway_support import Stack, events_until_terminal, socket_url
from tests.integration.test_compositor_logo import MAGENTA, logo_bytes
from tests.video_analysis import audio_samples, color_share, frame_at

KIT_COLOUR = (0, 229, 255)  # #00E5FF


async def test_compose_with_a_brand_kit(stack: Stack, tmp_path: Path) -> None:
    client = stack.client
    h, sid = await _to_clip_selection(stack)
    kit = {"name": "Rosa", "primary_color": "#00E5FF", "default_cta": "Shop Rosa"}
    kid = (await client.post("/api/brand-kits", headers=h, json=kit)).json()["id"]
    bare = (await client.post("/api/brand-kits", headers=h, json=kit | {"name": "No logo"})).json()["id"]
    r = await client.put(f"/api/brand-kits/{kid}/logo", headers=h, files={"file": ("l.png", logo_bytes())})
    assert r.status_code == 200

    base = {
        "session_id": sid,
        "text_overlay": {"product_name": "Rosa Tote", "cta": "Shop now", "font": "inter"},
        "intro_duration": 0.5,
        "outro_duration": 1.0,
    }
    refusals = [
        (base | {"brand_logo": "top_left"}, 422, "brand_logo:"),
        (base | {"brand_kit_id": bare, "brand_logo": "top_left"}, 422, "brand_logo:"),
        (base | {"brand_kit_id": "00000000-0000-0000-0000-000000000000"}, 404, "brand_kit_id:"),
    ]
    for body, code, field in refusals:
        r = await client.post("/api/compose-final-video", headers=h, json=body)
        assert r.status_code == code and str(r.json()["detail"]).startswith(field), r.json()

    # The free preview wears the kit too, and speaks the script: what it shows is what the final will.
    body = base | {"brand_logo": "top_left"}
    r = await client.post(f"/api/sessions/{sid}/preview", headers=h, json=body)
    assert r.status_code == 422 and str(r.json()["detail"]).startswith("brand_logo:"), r.json()
    voice = {
        "voiceover": {"enabled": True, "script": "Rosa Tote. Shop now!"},
        "captions": {"style": "phrase"},
    }
    body = base | {"brand_kit_id": kid, "brand_logo": "bottom_right"} | voice
    r = await client.post(f"/api/sessions/{sid}/preview", headers=h, json=body)
    assert r.status_code == 200, r.text
    assert r.json()["note"] == "", "the offline engine's own voice: nothing stands in"
    sketch = tmp_path / "preview.mp4"
    sketch.write_bytes((await client.get(r.json()["url"])).content)
    outro = frame_at(sketch, 4.3)
    h_, w_ = outro.shape[:2]
    assert (w_, h_) == (854, 480)
    assert color_share(outro[h_ - h_ // 4 :, w_ - w_ // 4 :], MAGENTA) > 0.03, "the logo, bottom right"
    assert color_share(outro, KIT_COLOUR, tol=30) > 0.003, "the kit's colour"
    audio = audio_samples(sketch).T
    assert 20 * np.log10(np.sqrt(np.mean(audio[24000:72000] ** 2))) > -35, "the voice, 0.5-1.5 s"

    async with websockets.connect(await socket_url(client, h["Authorization"][7:], sid)) as ws:
        await ws.recv()
        body = base | {"brand_kit_id": kid, "brand_logo": "bottom_right"}
        assert (await client.post("/api/compose-final-video", headers=h, json=body)).status_code == 202
        done = (await events_until_terminal(ws))[-1]
    assert done["type"] == "complete", done
    r = await client.get(done["data"]["final_video"]["url"])
    path = tmp_path / "final.mp4"
    path.write_bytes(r.content)

    outro = frame_at(path, 4.3)  # 0.5 + 2 x 2 s clips - cross-fades, then the outro with the CTA
    h_, w_ = outro.shape[:2]
    corner = outro[h_ - h_ // 4 :, w_ - w_ // 4 :]
    assert color_share(corner, MAGENTA) > 0.03, "the logo is in the bottom-right corner"
    assert color_share(outro[: h_ // 4, : w_ // 4], MAGENTA) < 0.001
    assert color_share(outro, KIT_COLOUR, tol=30) > 0.003, "the texts are drawn in the kit's colour"
    clip = frame_at(path, 1.5)
    assert color_share(clip[h_ - h_ // 4 :, w_ - w_ // 4 :], MAGENTA) > 0.03, "and over the clips"
