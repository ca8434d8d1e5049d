"""Users' own product photos through the HTTP API: good PNG/JPEG/WebP (EXIF rotation applied,
metadata stripped) and hostile files, refused with a 4xx naming the file and nothing stored.

Real PostgreSQL and the gateway on uvicorn; the agents are down (uploads need none).
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import asyncpg
import httpx
import numpy as np
import pytest
from PIL import Image

from gateway.core.config import Settings
from tests.gateway_support import bearer, login, plain_dsn

MAX_BYTES = 400_000
MAX_PIXELS = 4_000_000
GATEWAY_OVERRIDES = {
    "agent_retry_wait_s": 0.05,
    "upload_max_bytes": MAX_BYTES,
    "upload_max_pixels": MAX_PIXELS,
    "upload_max_files": 4,
}
Files = list[tuple[str, tuple[str, bytes, str]]]


async def new_session(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    h = bearer(await login(client))
    r = await client.post("/api/sessions/create", headers=h, json={})
    return r.json()["session_id"], h


# ------------------------------------------------------------------ files


def halves(size: tuple[int, int], first: str, second: str) -> Image.Image:
    """Left half `first`, right half `second`: orientation is visible in the pixels."""
    im = Image.new("RGB", size, second)
    im.paste(Image.new("RGB", (size[0] // 2, size[1]), first), (0, 0))
    return im


def encode(im: Image.Image, fmt: str, **kw: object) -> bytes:
    out = io.BytesIO()
    im.save(out, fmt, **kw)
    return out.getvalue()


def rotated_jpeg() -> bytes:
    """Stored 300x150 red|blue, EXIF orientation 6 (show rotated 90 degrees clockwise), with a camera
    model and GPS position that must not survive."""
    im = halves((300, 150), "red", "blue")
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x0110] = "AdreelTestCam"  # Model
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPSInfo
    return encode(im, "JPEG", quality=92, exif=exif, comment=b"secret-comment")


def with_header_size(png: bytes, width: int, height: int) -> bytes:
    """The PNG with its IHDR claiming another size (CRC fixed): a decompression bomb's header."""
    ihdr = bytearray(png[8 : 8 + 25])
    ihdr[8:16] = struct.pack(">II", width, height)
    ihdr[21:25] = struct.pack(">I", zlib.crc32(bytes(ihdr[4:21])))
    return png[:8] + bytes(ihdr) + png[33:]


def read_png(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    assert im.format == "PNG"
    return im


# ------------------------------------------------------------------ good photos


async def test_png_jpeg_webp_become_clean_pngs_on_the_mood_board(
    client: httpx.AsyncClient, storage_dir: Path
) -> None:
    sid, h = await new_session(client)
    files: Files = [
        ("files", ("bottle.png", encode(halves((200, 120), "green", "white"), "PNG"), "image/png")),
        ("files", ("rotated.jpg", rotated_jpeg(), "image/jpeg")),
        (
            "files",
            ("shoe.webp", encode(halves((160, 160), "yellow", "black"), "WEBP", lossless=True), "image/webp"),
        ),
    ]
    r = await client.post(
        f"/api/sessions/{sid}/images", headers=h, files=files, data={"view_type": ["side", "", "detail"]}
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["stage"] == "image_selection"  # a session may start from uploads alone
    images = body["images"]
    assert [i["view_type"] for i in images] == ["side", "front", "detail"]
    assert all(i["source"] == "upload" and i["cost"] == 0 for i in images)
    assert [(i["width"], i["height"]) for i in images] == [(200, 120), (150, 300), (160, 160)]

    for image in images:
        stored = storage_dir / "sessions" / sid / "uploads" / f"{image['id']}.png"
        assert stored.is_file()
        got = await client.get(image["url"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/png"
        assert got.content == stored.read_bytes()

    # EXIF orientation applied to the pixels: red (stored left) is now on top, blue below.
    jpeg = await client.get(images[1]["url"])
    im = read_png(jpeg.content)
    px = np.asarray(im.convert("RGB"), dtype=np.int16)
    top, bottom = px[:140].reshape(-1, 3).mean(0), px[160:].reshape(-1, 3).mean(0)
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom
    # ...and every piece of metadata gone.
    assert not im.getexif() and "exif" not in im.info and "icc_profile" not in im.info
    assert set(im.info) <= {"dpi", "gamma", "srgb"}, im.info
    for secret in (b"AdreelTestCam", b"secret-comment", b"Exif", b"GPS"):
        assert secret not in jpeg.content
    webp = np.asarray(read_png((await client.get(images[2]["url"])).content).convert("RGB"))
    assert tuple(webp[80, 20]) == (255, 255, 0) and tuple(webp[80, 140]) == (0, 0, 0)

    session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
    assert [i["id"] for i in session["generated_images"]] == [i["id"] for i in images]
    assert session["total_cost"] == 0

    # Approved on the mood board like generated images; their view can be changed.
    ids = [images[0]["id"], images[1]["id"]]
    r = await client.post(
        "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": ids}
    )
    assert r.status_code == 200 and r.json()["approved_count"] == 2
    r = await client.patch(f"/api/sessions/{sid}/images/{ids[1]}", headers=h, json={"view_type": "back"})
    assert r.status_code == 200 and r.json()["view_type"] == "back"
    r = await client.patch(f"/api/sessions/{sid}/images/{ids[1]}", headers=h, json={"view_type": "upside"})
    assert r.status_code == 422
    r = await client.patch(f"/api/sessions/{sid}/images/img_nope", headers=h, json={"view_type": "side"})
    assert r.status_code == 404
    session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
    assert session["generated_images"][1]["view_type"] == "back"
    assert session["approved_images"] == ids

    # More photos beside the first ones, still in image_selection.
    more = [("files", ("more.png", encode(halves((90, 90), "red", "red"), "PNG"), "image/png"))]
    r = await client.post(f"/api/sessions/{sid}/images", headers=h, files=more)
    assert (
        r.status_code == 201
        and len((await client.get(f"/api/sessions/{sid}", headers=h)).json()["generated_images"]) == 4
    )


# ------------------------------------------------------------------ hostile files


def noise(side: int) -> Image.Image:
    """Random pixels: incompressible, so the file is about side*side*3 bytes."""
    return Image.fromarray(np.random.default_rng(7).integers(0, 256, (side, side, 3), dtype=np.uint8))


def bomb() -> bytes:
    """A valid 64x64 PNG whose header claims 40000x40000 (1.6 gigapixels)."""
    return with_header_size(encode(Image.new("L", (64, 64)), "PNG"), 40_000, 40_000)


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100"/></svg>'
)


@pytest.mark.parametrize(
    ("name", "data", "status", "words"),
    [
        (
            "fake.png",
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40,
            422,
            "looks like PNG but cannot be decoded",
        ),
        ("bomb.png", bomb(), 422, "(1600.0 megapixels); the limit is 4 megapixels"),
        (
            "big.png",
            with_header_size(encode(Image.new("L", (64, 64)), "PNG"), 3000, 2000),
            422,
            "6.0 megapixels",
        ),
        ("logo.svg", SVG, 415, "is not a PNG, JPEG or WebP image"),
        (
            "anim.gif",
            encode(Image.new("RGB", (100, 100), "red"), "GIF"),
            415,
            "is not a PNG, JPEG or WebP image",
        ),
        (
            "huge.png",
            encode(noise(420), "PNG"),
            413,
            "the limit is 0.4 MB",
        ),
        ("tiny.png", encode(Image.new("RGB", (20, 20)), "PNG"), 422, "at least 64 pixels"),
        ("cut.jpg", rotated_jpeg()[:900], 422, "cannot be decoded"),
    ],
)
async def test_hostile_files_are_refused_naming_the_file(  # noqa: PLR0917 - pytest parameters
    client: httpx.AsyncClient, storage_dir: Path, name: str, data: bytes, status: int, words: str
) -> None:
    sid, h = await new_session(client)
    r = await client.post(
        f"/api/sessions/{sid}/images", headers=h, files=[("files", (name, data, "image/png"))]
    )
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert f'files[0] "{name}"' in detail and words in detail, detail
    session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
    assert session["stage"] == "created" and session["generated_images"] == []
    assert not (storage_dir / "sessions" / sid).exists()


async def test_one_bad_file_refuses_the_whole_upload_and_bad_requests(client: httpx.AsyncClient) -> None:
    sid, h = await new_session(client)
    good = encode(halves((100, 100), "red", "blue"), "PNG")
    files: Files = [("files", ("ok.png", good, "image/png")), ("files", ("x.svg", SVG, "image/png"))]
    r = await client.post(f"/api/sessions/{sid}/images", headers=h, files=files)
    assert r.status_code == 415 and 'files[1] "x.svg"' in r.json()["detail"]
    assert (await client.get(f"/api/sessions/{sid}", headers=h)).json()["generated_images"] == []

    one = [("files", ("ok.png", good, "image/png"))]
    r = await client.post(
        f"/api/sessions/{sid}/images", headers=h, files=one, data={"view_type": ["top", "side"]}
    )
    assert r.status_code == 422 and "view_type" in r.json()["detail"]
    r = await client.post(f"/api/sessions/{sid}/images", headers=h, files=one, data={"view_type": "sideways"})
    assert r.status_code == 422 and "view_type[0]" in r.json()["detail"]
    r = await client.post(f"/api/sessions/{sid}/images", headers=h, json={"files": []})
    assert r.status_code == 415
    r = await client.post(
        f"/api/sessions/{sid}/images", headers=h, files=[("other", ("a.png", good, "image/png"))]
    )
    assert r.status_code == 422 and "files" in r.json()["detail"]
    r = await client.post(f"/api/sessions/{sid}/images", headers=h, files=one * 5)
    assert r.status_code == 400  # more files than upload_max_files
    # The whole body is bounded before it is read: 4 files of 0.4 MB at most.
    r = await client.post(
        f"/api/sessions/{sid}/images", headers=h, files=[("files", ("a.png", b"\0" * 1_900_000, "image/png"))]
    )
    assert r.status_code == 413
    _, oh = await new_session(client)
    r = await client.post(f"/api/sessions/{sid}/images", headers=oh, files=one)
    assert r.status_code == 404


async def test_uploads_only_before_clips_and_generation_beside_them(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    sid, h = await new_session(client)
    one = [("files", ("ok.png", encode(halves((100, 100), "red", "blue"), "PNG"), "image/png"))]
    assert (await client.post(f"/api/sessions/{sid}/images", headers=h, files=one)).status_code == 201
    # Started from uploads: image generation may still add generated images beside them.
    body = {"session_id": sid, "product_prompt": "a red water bottle", "num_images": 4}
    assert (await client.post("/api/generate-images", headers=h, json=body)).status_code == 202
    r = await client.post(f"/api/sessions/{sid}/images", headers=h, files=one)
    assert r.status_code == 409 and "image_generation" in r.json()["detail"]

    assert settings.database_url
    conn = await asyncpg.connect(plain_dsn(settings.database_url))
    try:
        await conn.execute("UPDATE sessions SET stage = 'clip_selection' WHERE id = $1", sid)
    finally:
        await conn.close()
    r = await client.post(f"/api/sessions/{sid}/images", headers=h, files=one)
    assert r.status_code == 409 and "created or image_selection" in r.json()["detail"]
