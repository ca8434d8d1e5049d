"""S3 storage over real HTTP against moto's standalone server: the same ObjectStore contract as the
local folder, path-style addressing, a key prefix, and presigned GET URLs a browser can fetch."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import numpy as np
import pytest
from PIL import Image

from services.common.config import StorageSettings
from services.common.errors import NotFound
from services.common.media import store_media
from services.common.storage.factory import open_store
from services.common.storage.s3 import S3Store
from tests.fakes.s3 import BUCKET


@pytest.fixture
def s3_store(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> S3Store:
    monkeypatch.setenv("ADREEL_STORAGE_BACKEND", "s3")
    monkeypatch.setenv("ADREEL_S3_BUCKET", BUCKET)
    monkeypatch.setenv("ADREEL_S3_PREFIX", "/deploy-a/")
    monkeypatch.setenv("ADREEL_S3_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("ADREEL_S3_PATH_STYLE", "true")
    store = open_store(StorageSettings())
    assert isinstance(store, S3Store)
    return store


async def test_round_trip_exists_delete(s3_store: S3Store) -> None:
    data = bytes(range(256)) * 4000  # ~1 MB, crosses no multipart threshold but is not tiny
    obj = await s3_store.put_bytes("sessions/s1/images/i1.png", data, "image/png")
    assert obj.uri == "asset://sessions/s1/images/i1.png"
    assert (obj.bytes, obj.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert await s3_store.get_bytes(obj.key) == data
    assert await s3_store.exists(obj.key)

    # The prefix is really applied in the bucket (and slashes around it are normalised).
    head = s3_store.client.head_object(Bucket=BUCKET, Key="deploy-a/sessions/s1/images/i1.png")
    assert head["ContentType"] == "image/png"
    assert head["Metadata"]["sha256"] == obj.sha256

    await s3_store.delete(obj.key)
    assert not await s3_store.exists(obj.key)
    with pytest.raises(NotFound):
        await s3_store.get_bytes(obj.key)
    with pytest.raises(NotFound):
        async with s3_store.local_path(obj.key):
            pass


async def test_put_file_local_path_and_media_probe(s3_store: S3Store, tmp_path: Path) -> None:
    pixels = np.zeros((48, 64, 3), np.uint8)
    pixels[:, 32:] = (200, 30, 30)
    src = tmp_path / "frame.png"
    Image.fromarray(pixels).save(src)

    ref = await store_media(s3_store, "sessions/s1/images/frame.png", src, "image/png")
    assert (ref.width, ref.height, ref.bytes) == (64, 48, src.stat().st_size)

    async with s3_store.local_path("sessions/s1/images/frame.png") as path:
        kept = path
        with Image.open(path) as im:
            back = np.asarray(im.convert("RGB"))
    assert np.array_equal(back, pixels)
    assert not kept.exists()  # the downloaded copy is private and temporary


async def test_presigned_url_is_path_style_and_fetchable(s3_store: S3Store, moto_endpoint: str) -> None:
    data = b"GIF89a" + b"\x00" * 1000
    await s3_store.put_bytes("sessions/s2/clips/c1.gif", data, "image/gif")
    url = s3_store.presigned_url("sessions/s2/clips/c1.gif", expires_s=600)
    assert url is not None
    parts = urlsplit(url)
    # Path style: the bucket is the first path segment, not a subdomain of the endpoint.
    assert f"{parts.scheme}://{parts.netloc}" == moto_endpoint
    assert parts.path == f"/{BUCKET}/deploy-a/sessions/s2/clips/c1.gif"
    assert "X-Amz-Signature=" in parts.query and "X-Amz-Expires=600" in parts.query

    async with httpx.AsyncClient() as http:
        got = await http.get(url)
        assert got.status_code == 200
        assert got.content == data
        assert got.headers["content-type"] == "image/gif"


async def test_check_reports_a_missing_bucket(moto_endpoint: str) -> None:
    store = S3Store("no-such-bucket", endpoint_url=moto_endpoint, path_style=True)
    with pytest.raises(Exception, match=r"404|Not Found"):
        await store.check()
    await S3Store(BUCKET, endpoint_url=moto_endpoint, path_style=True).check()


async def test_delete_tree_removes_a_sessions_folder_and_nothing_beside_it(s3_store: S3Store) -> None:
    kept = await s3_store.put_bytes("sessions/tree-10/final/a.mp4", b"other session", "video/mp4")
    for name in ("final/a.mp4", "audio/voice-0.npz", "audio/music-0.npz"):
        await s3_store.put_bytes(f"sessions/tree-1/{name}", b"x", "application/octet-stream")
    assert await s3_store.delete_tree("sessions/tree-1") == 3
    assert not await s3_store.exists("sessions/tree-1/audio/voice-0.npz")
    assert await s3_store.exists(kept.key), "a session whose id starts the same is left alone"
    assert await s3_store.delete_tree("sessions/tree-1") == 0
