"""A compose that picks a brand kit, over the API with the real agents: the kit's colour draws
the texts and its logo sits in the chosen corner of the final (pixels of the downloaded MP4)."""

from __future__ import annotations

from pathlib import Path

import websockets

from tests.e2e.test_gateway_variants import _to_clip_selection
from tests.gateway_support import Stack, events_until_terminal, socket_url
from tests.integration.test_compositor_logo import MAGENTA, logo_bytes
from tests.video_analysis import color_share, frame_at

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
