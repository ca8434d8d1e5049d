"""A session's lifecycle over the API: rename, duplicate (both modes), delete, and My sessions' fields.

Real PostgreSQL (a database of its own per run), the gateway served by uvicorn on loopback, and the
prompt parser and image generator as real agents on their offline engines.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from gateway.core.config import Settings
from tests.gateway_support import Stack, bearer, fixture_image_stack, gateway_database, login, plain_dsn

__all__ = ["fixture_image_stack", "gateway_database"]


@pytest.fixture
def gateway(image_stack: Stack) -> httpx.AsyncClient:
    image_stack.client.settings = image_stack.settings  # type: ignore[attr-defined]
    return image_stack.client


async def new_session(client: httpx.AsyncClient, h: dict[str, str]) -> str:
    r = await client.post("/api/sessions/create", headers=h, json={})
    assert r.status_code == 201
    return str(r.json()["session_id"])


async def wait_stage(client: httpx.AsyncClient, h: dict[str, str], sid: str, running: str) -> dict[str, Any]:
    for _ in range(600):
        s = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
        if s["stage"] != running:
            return dict(s)
        await asyncio.sleep(0.1)
    raise AssertionError(f"session {sid} still in {running}")


async def sql(settings: Settings, query: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_dsn(settings.database_url or ""))
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


async def test_signing_in_creates_no_session(gateway: httpx.AsyncClient) -> None:
    email = f"u{uuid.uuid4().hex[:8]}@example.com"
    # Someone else's session exists, so an empty list is not an empty table.
    await new_session(gateway, bearer(await login(gateway)))
    r = await gateway.post("/api/auth/register", json={"email": email, "password": "secret-pass"})
    assert r.status_code == 201
    for _ in range(2):
        token = await login(gateway, email=email)
        assert (await gateway.get("/api/sessions", headers=bearer(token))).json() == []
    rows = await sql(
        gateway.settings,
        "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1",
        email,
    )  # type: ignore[attr-defined]
    assert rows[0][0] == 0


async def test_rename_trims_and_refuses_bad_titles(gateway: httpx.AsyncClient) -> None:
    h, other = bearer(await login(gateway)), bearer(await login(gateway))
    sid = await new_session(gateway, h)
    listed = (await gateway.get("/api/sessions", headers=h)).json()
    assert listed[0]["title"] is None and listed[0]["thumbnail_url"] is None

    r = await gateway.patch(f"/api/sessions/{sid}", headers=h, json={"title": "  Summer launch \u2600 "})
    assert r.status_code == 200 and r.json()["title"] == "Summer launch \u2600"
    assert (await gateway.get("/api/sessions", headers=h)).json()[0]["title"] == "Summer launch \u2600"

    for body in (
        {"title": ""},
        {"title": "   "},
        {"title": "a\x00b"},
        {"title": "x" * 101},
        {},
        {"title": "ok", "surprise": 1},
        {"title": 5},
    ):
        r = await gateway.patch(f"/api/sessions/{sid}", headers=h, json=body)
        assert r.status_code == 422, body
        assert "title" in str(r.json()["detail"]) or "surprise" in str(r.json()["detail"]), r.json()
    assert (
        await gateway.patch(f"/api/sessions/{sid}", headers=h, json={"title": "x" * 100})
    ).status_code == 200
    assert (
        await gateway.patch(f"/api/sessions/{sid}", headers=other, json={"title": "mine"})
    ).status_code == 404
    r = await gateway.patch(f"/api/sessions/{uuid.uuid4()}", headers=h, json={"title": "nobody"})
    assert r.status_code == 404
    assert (await gateway.patch(f"/api/sessions/{sid}", json={"title": "anon"})).status_code == 401


async def test_duplicate_and_delete_a_session_with_images(
    gateway: httpx.AsyncClient, storage_dir: Path
) -> None:
    settings: Settings = gateway.settings  # type: ignore[attr-defined]
    h, other = bearer(await login(gateway)), bearer(await login(gateway))
    sid = await new_session(gateway, h)
    r = await gateway.post(f"/api/sessions/{sid}/duplicate", headers=h, json={"mode": "same_images"})
    assert r.status_code == 409 and "same_images" in r.json()["detail"]

    body = {
        "session_id": sid,
        "product_prompt": "pink tennis shoes with white laces",
        "num_images": 4,
        "style_keywords": ["studio"],
    }
    assert (await gateway.post("/api/generate-images", headers=h, json=body)).status_code == 202
    # While the stage runs the session can't be deleted: its agents are still writing into it.
    r = await gateway.delete(f"/api/sessions/{sid}", headers=h)
    assert r.status_code == 409 and "image_generation" in r.json()["detail"]
    original = await wait_stage(gateway, h, sid, "image_generation")
    assert original["stage"] == "image_selection", original
    ids = [i["id"] for i in original["generated_images"]]
    r = await gateway.post(
        "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": ids[1:3]}
    )
    assert r.status_code == 200
    original = (await gateway.get(f"/api/sessions/{sid}", headers=h)).json()
    assert original["total_cost"] > 0 or original["generated_images"]

    # same_images: the product and the kept images, as files of the copy's own.
    for bad in ({"mode": "all"}, {}, {"mode": "fresh", "x": 1}):
        r = await gateway.post(f"/api/sessions/{sid}/duplicate", headers=h, json=bad)
        assert r.status_code == 422, bad
        assert {"mode"} & {str(e["loc"][-1]) for e in r.json()["detail"]} or "x" in bad, r.json()
    assert (
        await gateway.post(f"/api/sessions/{sid}/duplicate", headers=other, json={"mode": "fresh"})
    ).status_code == 404
    r = await gateway.post(f"/api/sessions/{sid}/duplicate", headers=h, json={"mode": "same_images"})
    assert r.status_code == 201 and r.json()["stage"] == "image_selection"
    same = r.json()["session_id"]
    copy = (await gateway.get(f"/api/sessions/{same}", headers=h)).json()
    assert copy["stage"] == "image_selection" and copy["product_prompt"] == body["product_prompt"]
    assert copy["consistency_seed"] == original["consistency_seed"] and copy["style_keywords"] == ["studio"]
    assert copy["total_cost"] == 0 and copy["budget"] == original["budget"]
    copied_ids = [i["id"] for i in copy["generated_images"]]
    assert len(copied_ids) == 4 and not set(copied_ids) & set(ids)
    assert copy["approved_images"] == copied_ids[1:3]
    assert [i["view_type"] for i in copy["generated_images"]] == [
        i["view_type"] for i in original["generated_images"]
    ]
    assert all(i["cost"] == 0 for i in copy["generated_images"])
    originals = [(await gateway.get(i["url"])).content for i in original["generated_images"]]
    for image, data in zip(copy["generated_images"], originals, strict=True):
        assert f"/media/sessions/{same}/" in image["url"]  # the copy's key, with the copy's media token
        got = await gateway.get(image["url"])
        assert got.status_code == 200 and got.headers["content-type"] == "image/png" and got.content == data
    # The copy's token does not open the original's files, nor the other way round.
    copy_token = copy["generated_images"][0]["url"].split("token=")[1]
    orig_key = original["generated_images"][0]["url"].split("?")[0]
    assert (await gateway.get(f"{orig_key}?token={copy_token}")).status_code == 404

    # fresh: only the product text and styles, to start again from the prompt.
    r = await gateway.post(f"/api/sessions/{sid}/duplicate", headers=h, json={"mode": "fresh"})
    assert r.status_code == 201 and r.json()["stage"] == "created"
    fresh = (await gateway.get(f"/api/sessions/{r.json()['session_id']}", headers=h)).json()
    assert fresh["product_prompt"] == body["product_prompt"] and fresh["style_keywords"] == ["studio"]
    assert fresh["generated_images"] == [] and fresh["approved_images"] == [] and fresh["total_cost"] == 0

    # My sessions: title (the prompt until renamed), a thumbnail (the first kept image), step, cost.
    listed = {s["id"]: s for s in (await gateway.get("/api/sessions", headers=h)).json()}
    assert set(listed) == {sid, same, fresh["id"]}
    assert listed[sid]["title"] == body["product_prompt"] and listed[sid]["stage"] == "image_selection"
    assert listed[sid]["total_cost"] == original["total_cost"]
    assert listed[same]["thumbnail_url"].split("?")[0] == copy["generated_images"][1]["url"].split("?")[0]
    assert (await gateway.get(listed[same]["thumbnail_url"])).content == originals[1]
    assert listed[fresh["id"]]["thumbnail_url"] is None

    # Delete: media gone from storage, assets gone, ledger rows kept, 404 everywhere after.
    ledger_before = await sql(
        settings, "SELECT count(*), sum(cost_micros) FROM generation_costs WHERE session_id = $1", sid
    )
    assert ledger_before[0][0] > 0
    assert any((storage_dir / "sessions" / sid).rglob("*.png"))
    assert (await gateway.delete(f"/api/sessions/{sid}", headers=other)).status_code == 404
    r = await gateway.delete(f"/api/sessions/{sid}", headers=h)
    assert r.status_code == 204 and r.content == b""
    assert not (storage_dir / "sessions" / sid).exists()
    assert (await sql(settings, "SELECT count(*) FROM assets WHERE session_id = $1", sid))[0][0] == 0
    ledger_after = await sql(
        settings, "SELECT count(*), sum(cost_micros) FROM generation_costs WHERE session_id = $1", sid
    )
    assert tuple(ledger_after[0]) == tuple(ledger_before[0])
    for method, path, payload in (
        ("GET", f"/api/sessions/{sid}", None),
        ("GET", f"/api/sessions/{sid}/costs", None),
        ("PATCH", f"/api/sessions/{sid}", {"title": "back"}),
        ("POST", f"/api/sessions/{sid}/duplicate", {"mode": "fresh"}),
        ("DELETE", f"/api/sessions/{sid}", None),
        ("POST", "/api/generate-images", body),
    ):
        r = await gateway.request(method, path, headers=h, json=payload)
        assert r.status_code == 404, (method, path, r.text)
    assert (await gateway.get(original["generated_images"][0]["url"])).status_code == 404
    assert sid not in {s["id"] for s in (await gateway.get("/api/sessions", headers=h)).json()}

    # The copy is untouched: its own files still open.
    copy_after = (await gateway.get(f"/api/sessions/{same}", headers=h)).json()
    for image, data in zip(copy_after["generated_images"], originals, strict=True):
        got = await gateway.get(image["url"])
        assert got.status_code == 200 and got.content == data
