"""GET /api/fonts says which scripts each font draws; POST /api/fonts/preview draws the user's own
text in every font with the real compositor (its shaping and fallback fonts) on loopback."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

from services.compositor.config import Settings as CompositorSettings
from services.compositor.server import build
from tests.agents import running_agent
from tests.gateway_support import agentless_settings, gateway_client, gateway_database

__all__ = ["gateway_database"]


@pytest.fixture
async def client(
    gateway_database: str, storage_dir: Path, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    agent, settings = build(CompositorSettings(storage_dir=storage_dir, engine="local"))
    async with running_agent(agent, settings) as (server, _):
        cfg = agentless_settings(
            gateway_database, storage_dir, tmp_path / "state", compositor_addr=f"127.0.0.1:{server.port}"
        )
        async with gateway_client(cfg, signed_in=True) as c:
            yield c


async def test_fonts_say_which_scripts_they_draw(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/fonts")).json()
    fonts = {f["id"]: f for f in body["fonts"]}
    assert body["default"] in fonts
    for font in fonts.values():
        assert "Latin" in font["scripts"]
        drawable = set(font["scripts"]) | set(font["fallback_scripts"])
        assert {"Arabic", "Hebrew", "Devanagari", "Thai", "Han", "Hiragana", "Hangul", "Emoji"} <= drawable
    assert "Arabic" in fonts["dejavu-sans"]["scripts"] and "Arabic" in fonts["inter"]["fallback_scripts"]


def _png(data_url: str) -> np.ndarray:
    prefix = "data:image/png;base64,"
    assert data_url.startswith(prefix)
    with Image.open(io.BytesIO(base64.b64decode(data_url.removeprefix(prefix)))) as im:
        assert im.mode == "RGBA"
        return np.asarray(im)


async def test_preview_draws_the_users_text_in_every_font(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/fonts/preview", json={"text": "新しい香り 🚀", "color": "#FFFFFF"})
    assert r.status_code == 200, r.text
    previews = r.json()["previews"]
    ids = [f["id"] for f in (await client.get("/api/fonts")).json()["fonts"]]
    assert [p["font"] for p in previews] == ids
    for p in previews:
        assert {"Noto Sans CJK", "Noto Color Emoji"} <= set(p["fallback_fonts"])
        pixels = _png(p["image"])
        assert pixels.shape[:2] == (p["height"], p["width"])
        ink = pixels[..., 3] > 128
        assert ink.mean() > 0.05, "the text is drawn"
        rgb = pixels[..., :3].astype(int)
        coloured = ink & ((rgb.max(axis=-1) - rgb.min(axis=-1)) > 90)
        assert coloured.sum() > 50, "the rocket is in colour"


async def test_preview_refuses_what_cannot_be_drawn_by_field(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/fonts/preview", json={"text": "ༀ om"})
    assert r.status_code == 422 and r.json()["detail"].startswith("text: no bundled font can draw U+0F00")
    r = await client.post("/api/fonts/preview", json={"text": "tab\there"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "text"]
