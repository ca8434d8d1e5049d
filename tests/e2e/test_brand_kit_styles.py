"""A brand kit's font, secondary colour and default CTA, over the API with the real agents, read
back from the pixels of the downloaded MP4.

The kit's font is built here with fontTools: every letter and digit is a solid block, so text drawn
in it fills its bounding box far more than any real typeface does, which the frame shows.
"""

from __future__ import annotations

import io
import secrets
from pathlib import Path

import numpy as np
import websockets
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

from client.api import AdreelClient
from client.journey import run_journey
from services.common.media import probe
from tests.e2e.conftest import Stack
from tests.e2e.test_gateway_variants import _to_clip_selection
from tests.e2e.test_voiceover_journey import handbag_ad
from tests.gateway_support import events_until_terminal, socket_url
from tests.video_analysis import color_share, frame_at

PRIMARY = (0, 229, 255)  # #00E5FF: the texts
BUTTON = (255, 122, 0)  # #FF7A00: the secondary colour, the CTA's button
CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def block_font() -> bytes:
    """A TrueType font whose glyphs are solid blocks (and a space), named "Blocky"."""
    names = [".notdef", "space", *(f"g{ord(c)}" for c in CHARS)]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({32: "space", **{ord(c): f"g{ord(c)}" for c in CHARS}})
    glyphs = {}
    for name in names:
        pen = TTGlyphPen(None)
        if name not in (".notdef", "space"):
            pen.moveTo((40, 0))
            pen.lineTo((40, 700))
            pen.lineTo((560, 700))
            pen.lineTo((560, 0))
            pen.closePath()
        glyphs[name] = pen.glyph()
    fb.setupGlyf(glyphs)
    fb.setupHorizontalMetrics({name: (600, 40) for name in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Blocky", "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=800, usWinAscent=800, usWinDescent=200, fsType=0)
    fb.setupPost()
    out = io.BytesIO()
    fb.save(out)
    return out.getvalue()


def fill_ratio(mask: np.ndarray) -> float:
    """How much of its bounding box a shape fills."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return 0.0
    return float(mask.sum()) / ((xs.max() - xs.min() + 1) * (ys.max() - ys.min() + 1))


def near(frame: np.ndarray, rgb: tuple[int, int, int], tol: int = 40) -> np.ndarray:
    return np.all(np.abs(frame.astype(int) - np.array(rgb)) <= tol, axis=-1)


async def test_kit_font_button_and_default_cta(stack: Stack, tmp_path: Path) -> None:
    client = stack.client
    h, sid = await _to_clip_selection(stack)
    kit = {
        "name": "Blocky",
        "primary_color": "#00E5FF",
        "secondary_color": "#FF7A00",
        "default_cta": "Shop 24",
    }
    kid = (await client.post("/api/brand-kits", headers=h, json=kit)).json()["id"]
    r = await client.put(f"/api/brand-kits/{kid}/font", headers=h, files={"file": ("b.ttf", block_font())})
    assert r.status_code == 200 and r.json()["font_family"] == "Blocky", r.text

    # No CTA and no font: the kit's default CTA and its font are used. Without a kit, no CTA is refused.
    base = {"session_id": sid, "text_overlay": {"product_name": "Rosa 24"}, "intro_duration": 0.5}
    r = await client.post("/api/compose-final-video", headers=h, json=base)
    assert r.status_code == 422 and r.json()["detail"].startswith("text_overlay.cta:"), r.text
    brand_font = base | {"text_overlay": {"product_name": "Rosa 24", "font": "brand"}}
    r = await client.post("/api/compose-final-video", headers=h, json=brand_font)
    assert r.status_code == 422 and r.json()["detail"].startswith("text_overlay.font:"), r.text

    async with websockets.connect(await socket_url(client, h["Authorization"][7:], sid)) as ws:
        await ws.recv()
        body = base | {"brand_kit_id": kid}
        assert (await client.post("/api/compose-final-video", headers=h, json=body)).status_code == 202
        done = (await events_until_terminal(ws))[-1]
    assert done["type"] == "complete", done
    path = tmp_path / "final.mp4"
    path.write_bytes((await client.get(done["data"]["final_video"]["url"])).content)

    outro = frame_at(path, 4.5)  # the last frames: the outro, its texts faded in
    button = near(outro, BUTTON)
    assert button.mean() > 0.01, "the CTA sits on a button of the kit's secondary colour"
    assert color_share(frame_at(path, 1.5), BUTTON) < 0.001, "and only the CTA does"
    ys, xs = np.nonzero(button)
    inside = outro[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    # The CTA on the orange button is drawn in black (the kit's cyan would not read on it).
    assert near(inside, (0, 0, 0), tol=60).mean() > 0.1, "the default CTA is drawn on the button"
    # The product name, in the kit's colour and font: solid blocks fill most of their box.
    name = near(outro, PRIMARY, tol=30)
    name[ys.min() :, :] = False  # the name is above the button
    assert name.mean() > 0.005, "the name is drawn in the kit's primary colour"
    assert fill_ratio(name) > 0.55, f"the name is drawn in the kit's block font ({fill_ratio(name):.2f})"


async def test_cli_journey_with_a_kit_and_model_choices(stack: Stack, tmp_path: Path) -> None:
    """What `adreel generate --brand KIT --video-model kling-2.1 --music-model musicgen` runs: no --cta,
    so the kit's default CTA is used; the session keeps its video model (the offline engine draws
    the clips itself and says so); the music model is accepted."""
    async with AdreelClient(str(stack.client.base_url)) as client:
        await client.register(f"cli-kit-{secrets.token_hex(4)}@example.com", "cli-kit-pass")
        kit = {"name": "Rosa", "primary_color": "#00E5FF", "default_cta": "Shop Rosa"}
        kid = (await client.call("POST", "/api/brand-kits", kit))["id"]
        spec = handbag_ad(
            tmp_path / "ad.mp4", cta=None, brand=kid, video_model="kling-2.1", music_model="musicgen"
        )
        result = await run_journey(client, spec)
        session = await client.call("GET", f"/api/sessions/{result.session_id}")
    assert session["video_model"] == "kling-2.1"
    assert probe(result.files[0]).has_audio
