"""With S3 storage the gateway's media route authorises, then hands the browser a presigned URL."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.common.storage.factory import open_store
from tests.fakes.s3 import BUCKET
from tests.gateway_support import gateway_database, gateway_settings, login, running_gateway

__all__ = ["gateway_database"]


async def test_media_redirects_the_owner_to_a_presigned_url(
    gateway_database: str, moto_endpoint: str, tmp_path: Path
) -> None:
    settings = gateway_settings(
        gateway_database,
        tmp_path / "unused",
        tmp_path / "state",
        storage_backend="s3",
        s3_bucket=BUCKET,
        s3_prefix="media-test",
        s3_endpoint_url=moto_endpoint,
        s3_path_style=True,
    )
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base, timeout=30) as c:
        owner = {"Authorization": f"Bearer {await login(c)}"}
        other = {"Authorization": f"Bearer {await login(c)}"}
        created = await c.post("/api/sessions/create", json={}, headers=owner)
        sid = created.json()["session_id"]
        key = f"sessions/{sid}/images/img_test.png"
        await open_store(settings).put_bytes(key, data, "image/png")

        r = await c.get(f"/media/{key}", headers=owner)
        assert r.status_code == 307, r.text
        location = r.headers["location"]
        assert location.startswith(f"{moto_endpoint}/{BUCKET}/media-test/{key}")
        fetched = await c.get(location)
        assert fetched.status_code == 200 and fetched.content == data

        assert (await c.get(f"/media/{key}", headers=other)).status_code == 404
        assert (await c.get(f"/media/{key}")).status_code == 401
        missing = await c.get(f"/media/sessions/{sid}/images/nope.png", headers=owner)
        assert missing.status_code == 404
