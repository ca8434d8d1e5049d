"""Brand kits over a real gateway and PostgreSQL: CRUD, the logo and font checks, refusals by field."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image, ImageDraw

from gateway.core.config import Settings
from tests.gateway_support import gateway_client, login

FONTS = Path(__file__).resolve().parents[2] / "services" / "compositor" / "fonts"


def logo_png(size: tuple[int, int] = (200, 100), fmt: str = "PNG") -> bytes:
    """A red disc on a transparent ground."""
    im = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((10, 10, size[0] - 10, size[1] - 10), fill=(230, 20, 40, 255))
    buf = io.BytesIO()
    im.convert("RGB").save(buf, fmt) if fmt == "JPEG" else im.save(buf, fmt)
    return buf.getvalue()


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client(settings, signed_in=True) as c:
        yield c


async def test_kit_crud_with_logo_and_font(client: httpx.AsyncClient, storage_dir: Path) -> None:
    r = await client.post(
        "/api/brand-kits", json={"name": " Acme ", "primary_color": "#ff3366", "default_cta": "Shop now"}
    )
    assert r.status_code == 201, r.text
    kit = r.json()
    assert (kit["name"], kit["primary_color"], kit["secondary_color"]) == ("Acme", "#FF3366", "#FFFFFF")
    assert kit["has_logo"] is False and kit["font_family"] is None
    kid = kit["id"]

    r = await client.put(f"/api/brand-kits/{kid}/logo", files={"file": ("logo.webp", logo_png(fmt="WEBP"))})
    assert r.status_code == 200, r.text
    assert r.json()["has_logo"] is True
    r = await client.get(f"/api/brand-kits/{kid}/logo")
    assert r.headers["content-type"] == "image/png"
    logo = np.asarray(Image.open(io.BytesIO(r.content)))
    assert logo.shape == (100, 200, 4) and logo[0, 0, 3] == 0 and logo[50, 100, 3] == 255
    assert np.abs(logo[50, 100, :3].astype(int) - (230, 20, 40)).max() <= 4  # lossy WebP

    ttf = (FONTS / "Lato-Bold.ttf").read_bytes()
    r = await client.put(f"/api/brand-kits/{kid}/font", files={"file": ("Lato.ttf", ttf)})
    assert r.status_code == 200, r.text
    assert r.json()["font_family"] == "Lato"
    assert (storage_dir / "brand_kits").is_dir()

    r = await client.patch(f"/api/brand-kits/{kid}", json={"secondary_color": "#00aa00", "default_cta": None})
    assert (
        r.status_code == 200 and r.json()["secondary_color"] == "#00AA00" and r.json()["default_cta"] is None
    )
    assert [k["id"] for k in (await client.get("/api/brand-kits")).json()] == [kid]
    assert (await client.get(f"/api/brand-kits/{kid}")).json()["font_family"] == "Lato"

    r = await client.delete(f"/api/brand-kits/{kid}/font")
    assert r.status_code == 200 and r.json()["font_family"] is None
    assert (await client.delete(f"/api/brand-kits/{kid}")).status_code == 204
    assert (await client.get(f"/api/brand-kits/{kid}")).status_code == 404
    assert not list((storage_dir / "brand_kits").rglob("*.png"))


async def test_refusals_name_the_field(client: httpx.AsyncClient, settings: Settings) -> None:
    r = await client.post("/api/brand-kits", json={"name": "A", "primary_color": "red"})
    assert r.status_code == 422 and "primary_color" in r.text
    r = await client.post("/api/brand-kits", json={"name": "  ", "primary_color": "#000000"})
    assert r.status_code == 422 and "name" in r.text
    r = await client.post(
        "/api/brand-kits", json={"name": "A", "primary_color": "#000000", "default_cta": ""}
    )
    assert r.status_code == 422 and "default_cta" in r.text
    kid = (await client.post("/api/brand-kits", json={"name": "A", "primary_color": "#000000"})).json()["id"]
    r = await client.patch(f"/api/brand-kits/{kid}", json={"primary_color": None})
    assert r.status_code == 422 and "primary_color" in r.text

    bad_logos = [
        (logo_png(fmt="JPEG"), 415, "logo: is a JPEG"),
        (b"GIF89a not a logo", 415, "logo: is not a PNG"),
        (logo_png((40, 40)), 422, "logo: is 40x40"),
        (logo_png()[:300], 422, "logo:"),
    ]
    for data, code, message in bad_logos:
        r = await client.put(f"/api/brand-kits/{kid}/logo", files={"file": ("x.png", data)})
        assert r.status_code == code and message in r.json()["detail"], (message, r.text)

    ttf = (FONTS / "Lato-Bold.ttf").read_bytes()
    bad_fonts = [
        (b"wOFF" + ttf[4:], 415, "font: is not a TrueType"),
        (ttf[:2000], 422, "font: is damaged"),
        (b"\x00\x01\x00\x00" + b"\x00" * 3_000_000, 413, "font: is larger than the limit of 2 MB"),
    ]
    for data, code, message in bad_fonts:
        r = await client.put(f"/api/brand-kits/{kid}/font", files={"file": ("f.ttf", bytes(data))})
        assert r.status_code == code and message in r.json()["detail"], (message, r.text)

    # Another user's kit does not exist for me.
    async with httpx.AsyncClient(base_url=str(client.base_url), timeout=30) as other:
        other.headers["Authorization"] = f"Bearer {await login(other)}"
        assert (await other.get(f"/api/brand-kits/{kid}")).status_code == 404
        r = await other.put(f"/api/brand-kits/{kid}/logo", files={"file": ("x.png", logo_png())})
        assert r.status_code == 404 and "brand_kit_id" in r.text
