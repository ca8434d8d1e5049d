"""Public share links over the API: one final video each, readable without an account, revocable.

Real PostgreSQL and the gateway on loopback. The session's final video is a real MP4 (encoded by
FFmpeg here) stored in the session's storage prefix with its asset row, as the compositor leaves it.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from gateway.core.config import Settings
from services.common.ffmpeg import ffmpeg_exe
from tests.gateway_support import bearer, login, plain_dsn


@dataclass
class Finished:
    sid: str
    h: dict[str, str]
    final_id: str
    video: bytes
    image_key: str


def encode_mp4(path: Path, size: str = "320x180") -> bytes:
    source = ["-f", "lavfi", "-i", f"testsrc=size={size}:rate=30", "-t", "1"]
    h264 = ["-pix_fmt", "yuv420p", "-c:v", "libx264", "-movflags", "+faststart"]
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", *source, *h264, str(path)], check=True)
    return path.read_bytes()


async def finished_session(client: httpx.AsyncClient, settings: Settings, storage: Path) -> Finished:
    """A session whose compose delivered a final video (and a kept image for the poster)."""
    h = bearer(await login(client))
    sid = (await client.post("/api/sessions/create", headers=h, json={})).json()["session_id"]
    folder = storage / "sessions" / sid
    (folder / "final").mkdir(parents=True)
    (folder / "images").mkdir()
    final_id = f"final_{uuid.uuid4().hex[:16]}"
    video = encode_mp4(folder / "final" / f"{final_id}-16x9.mp4")
    image_id = f"img_{uuid.uuid4().hex[:16]}"
    (folder / "images" / f"{image_id}.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    conn = await asyncpg.connect(plain_dsn(settings.database_url or ""))
    try:
        final_meta = {
            "asset": {"uri": f"asset://sessions/{sid}/final/{final_id}-16x9.mp4", "width": 320, "height": 180}
            | {"duration_s": 1.0, "fps": 30.0},
            "format": "16:9",
            "order": 0,
            "variant_id": "16x9",
            "label": "16:9",
        }
        for asset_id, kind, uri, meta in (
            (final_id, "final_video", final_meta["asset"]["uri"], final_meta),
            (image_id, "image", f"asset://sessions/{sid}/images/{image_id}.png", {"view": "front"}),
        ):
            await conn.execute(
                "INSERT INTO assets (id, session_id, asset_type, uri, metadata, cost_micros)"
                " VALUES ($1, $2, $3, $4, $5::jsonb, 0)",
                asset_id,
                sid,
                kind,
                uri,
                json.dumps(meta),
            )
        plan = {"item_id": final_id, "overlay": {"product_name": "AirRun Pro"}, "finals": []}
        await conn.execute(
            "UPDATE sessions SET stage = 'complete', final_video_id = $2, compose_plan = $3::jsonb,"
            " generated_image_ids = $4::jsonb, approved_image_ids = $4::jsonb, product_prompt = 'pink shoes'"
            " WHERE id = $1",
            sid,
            final_id,
            json.dumps(plan),
            json.dumps([image_id]),
        )
    finally:
        await conn.close()
    return Finished(sid, h, final_id, video, f"sessions/{sid}/images/{image_id}.png")


async def test_share_one_final_publicly(
    client: httpx.AsyncClient, settings: Settings, storage_dir: Path
) -> None:
    f = await finished_session(client, settings, storage_dir)
    finals = (await client.get(f"/api/sessions/{f.sid}/shares/finals", headers=f.h)).json()
    assert [x["id"] for x in finals] == [f.final_id] and finals[0]["media_key"].endswith("-16x9.mp4")

    r = await client.post(f"/api/sessions/{f.sid}/shares", headers=f.h, json={"final_id": f.final_id})
    assert r.status_code == 201, r.text
    created = r.json()
    token = created["token"]
    assert created["share_url"] == f"/s/{token}" and created["media_url"] == f"/share-media/{token}"
    assert created["expires_at"] is None and len(token) == 43

    # Public: no Authorization header, no media token.
    public = await client.get(f"/api/shares/{token}")
    assert public.status_code == 200
    body = public.json()
    assert body["product_name"] == "AirRun Pro"
    assert (body["width"], body["height"], body["duration"]) == (320, 180, 1.0)
    assert (
        body["video_url"] == f"/share-media/{token}" and body["poster_url"] == f"/share-media/{token}/poster"
    )
    assert "token=" not in json.dumps(body)  # no session-wide media token, no user token
    full = await client.get(body["video_url"])
    assert full.status_code == 200 and full.headers["content-type"] == "video/mp4" and full.content == f.video
    part = await client.get(body["video_url"], headers={"Range": "bytes=10-109"})
    assert part.status_code == 206 and part.content == f.video[10:110]
    poster = await client.get(body["poster_url"])
    assert poster.status_code == 200 and poster.headers["content-type"] == "image/png"

    # The share opens that one file: nothing else of the session through its token.
    for path in (
        f"/share-media/{token}/{f.image_key}",
        f"/share-media/{token}/../media/{f.image_key}",
        f"/share-media/{token}/poster/x",
        f"/media/{f.image_key}?token={token}",
    ):
        assert (await client.get(path)).status_code in (401, 404), path
    assert (await client.get(f"/media/{f.image_key}", headers=bearer(token))).status_code == 401

    # The owner lists the session's shares (no token, no hash), and revokes one: 404 from then on.
    listed = (await client.get(f"/api/sessions/{f.sid}/shares", headers=f.h)).json()
    assert [s["id"] for s in listed] == [created["id"]] and listed[0]["active"] is True
    assert token not in json.dumps(listed) and "sha256" not in json.dumps(listed)
    stranger = bearer(await login(client))
    assert (await client.get(f"/api/sessions/{f.sid}/shares", headers=stranger)).status_code == 404
    revoke = f"/api/sessions/{f.sid}/shares/{created['id']}"
    assert (await client.delete(revoke, headers=stranger)).status_code == 404
    assert (await client.delete(revoke, headers=f.h)).status_code == 204
    assert (await client.delete(revoke, headers=f.h)).status_code == 204  # already revoked: still gone
    for path in (f"/api/shares/{token}", f"/share-media/{token}", f"/share-media/{token}/poster"):
        assert (await client.get(path)).status_code == 404, path
    listed = (await client.get(f"/api/sessions/{f.sid}/shares", headers=f.h)).json()
    assert listed[0]["active"] is False and listed[0]["revoked_at"] is not None
    r = await client.delete(f"/api/sessions/{f.sid}/shares/{uuid.uuid4()}", headers=f.h)
    assert r.status_code == 404


async def test_expiry_bad_final_and_session_deletion(
    client: httpx.AsyncClient, settings: Settings, storage_dir: Path
) -> None:
    f = await finished_session(client, settings, storage_dir)
    url = f"/api/sessions/{f.sid}/shares"
    for body, field in (
        ({"final_id": "final_nope"}, "final_id"),
        ({"final_id": f.image_key.rsplit("/", 1)[1].removesuffix(".png")}, "final_id"),  # an image
        ({"final_id": "../x"}, "final_id"),
        ({}, "final_id"),
        ({"final_id": f.final_id, "expires_in_days": 0}, "expires_in_days"),
        ({"final_id": f.final_id, "expires_in_days": 366}, "expires_in_days"),
        ({"final_id": f.final_id, "extra": True}, "extra"),
    ):
        r = await client.post(url, headers=f.h, json=body)
        assert r.status_code == 422 and field in json.dumps(r.json()["detail"]), (body, r.text)
    assert (await client.post(url, json={"final_id": f.final_id})).status_code == 401
    assert (
        await client.post(url, headers=bearer(await login(client)), json={"final_id": f.final_id})
    ).status_code == 404

    r = await client.post(url, headers=f.h, json={"final_id": f.final_id, "expires_in_days": 7})
    assert r.status_code == 201 and r.json()["expires_at"] is not None
    week = r.json()["token"]
    assert (await client.get(f"/api/shares/{week}")).status_code == 200
    conn = await asyncpg.connect(plain_dsn(settings.database_url or ""))
    try:
        # Only the token's hash is stored.
        stored = await conn.fetchval("SELECT token_sha256 FROM shares WHERE id = $1", r.json()["id"])
        assert stored != week and len(stored) == 64
        await conn.execute(
            "UPDATE shares SET expires_at = now() - interval '1 s' WHERE id = $1", r.json()["id"]
        )
    finally:
        await conn.close()
    assert (await client.get(f"/api/shares/{week}")).status_code == 404
    assert (await client.get(f"/share-media/{week}")).status_code == 404
    for junk in ("x", "A" * 43, "A" * 64, "%00" * 10):
        assert (await client.get(f"/api/shares/{junk}")).status_code in (404, 422), junk
        assert (await client.get(f"/share-media/{junk}")).status_code in (404, 422), junk

    # Deleting the session revokes its shares.
    forever = (await client.post(url, headers=f.h, json={"final_id": f.final_id})).json()["token"]
    assert (await client.get(f"/share-media/{forever}")).status_code == 200
    assert (await client.delete(f"/api/sessions/{f.sid}", headers=f.h)).status_code == 204
    assert (await client.get(f"/api/shares/{forever}")).status_code == 404
    assert (await client.get(f"/share-media/{forever}")).status_code == 404
    assert not (storage_dir / "sessions" / f.sid).exists()
