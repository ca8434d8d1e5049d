"""Share links in Chromium: the owner shares the final from the result screen, a stranger (a fresh
browser context, never signed in) watches it on /s/<token> with its Open Graph tags, and once the
owner revokes it the page is a 404. Also: signing in lands on My sessions and creates no session."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any

import httpx
from playwright.async_api import Browser, expect

from tests.browser.conftest import Mesh
from tests.browser.pages import shot


async def _wait(http: httpx.AsyncClient, sid: str, running: str) -> dict[str, Any]:
    for _ in range(1200):
        s = (await http.get(f"/api/sessions/{sid}")).json()
        if s["stage"] != running:
            assert s["stage"] != "failed", s["error"]
            return dict(s)
        await asyncio.sleep(0.25)
    raise AssertionError(f"still {running}")


async def _finished_ad(http: httpx.AsyncClient) -> str:
    """A complete session made through the API on the offline engines (2 images, 2 short clips)."""
    sid = (await http.post("/api/sessions/create", json={})).json()["session_id"]
    body = {"session_id": sid, "product_prompt": "red ceramic coffee mug", "num_images": 4}
    assert (await http.post("/api/generate-images", json=body)).status_code == 202
    images = [i["id"] for i in (await _wait(http, sid, "image_generation"))["generated_images"]]
    r = await http.post(
        "/api/save-approved-images", json={"session_id": sid, "approved_image_ids": images[:2]}
    )
    assert r.status_code == 200, r.text
    clips_body = {"session_id": sid, "video_prompt": "mug on a sunny kitchen table", "clip_duration": 2.0}
    assert (await http.post("/api/generate-clips", json=clips_body)).status_code == 202, clips_body
    clips = [c["id"] for c in (await _wait(http, sid, "clip_generation"))["generated_clips"]]
    r = await http.post("/api/save-approved-clips", json={"session_id": sid, "approved_clip_ids": clips})
    assert r.status_code == 200, r.text
    compose = {"session_id": sid, "text_overlay": {"product_name": "Sunrise Mug", "cta": "Shop Now"}}
    assert (await http.post("/api/compose-final-video", json=compose)).status_code == 202
    assert (await _wait(http, sid, "final_composition"))["stage"] == "complete"
    return str(sid)


async def test_share_page_plays_for_a_stranger_then_404_when_revoked(mesh: Mesh, browser: Browser) -> None:
    email = f"share-{secrets.token_hex(4)}@example.com"
    async with httpx.AsyncClient(base_url=mesh.api_url, timeout=60) as anon:
        r = await anon.post("/api/auth/register", json={"email": email, "password": "a-long-password"})
        r.raise_for_status()
        auth = r.json()
    h = {"Authorization": f"Bearer {auth['session_token']}"}
    async with httpx.AsyncClient(base_url=mesh.api_url, headers=h, timeout=60) as http:
        sid = await _finished_ad(http)

    # The owner: signed in, on the result screen, clicks Share Link.
    owner_ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    account = {"token": auth["session_token"], "email": email, "userId": auth["user_id"]}
    await owner_ctx.add_init_script(
        f"localStorage.setItem('adreel.account', {json.dumps(json.dumps(account))})"
    )
    owner = await owner_ctx.new_page()
    await owner.goto(f"{mesh.web_url}/sessions/{sid}/result")
    await owner.get_by_role("button", name="Share Link").click()
    link_box = owner.locator("#share_url")
    await expect(link_box).to_be_visible(timeout=15000)
    link = await link_box.input_value()
    assert link.startswith(f"{mesh.web_url}/s/") and "token=" not in link
    await expect(owner.locator(".share-item")).to_have_count(1)
    await shot(owner, "share-01-result-shared")

    # A stranger: a fresh context that never signed in.
    stranger_ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    stranger = await stranger_ctx.new_page()
    response = await stranger.goto(link)
    assert response is not None and response.status == 200
    assert await stranger.evaluate("localStorage.getItem('adreel.account')") is None
    await expect(stranger.locator("h1")).to_have_text("Sunrise Mug")
    og = {
        prop: await stranger.locator(f'meta[property="{prop}"]').first.get_attribute("content")
        for prop in ("og:title", "og:type", "og:video", "og:image")
    }
    assert og["og:title"] == "Sunrise Mug" and og["og:type"] == "video.other", og
    token = link.rsplit("/", 1)[1]
    assert og["og:video"] == f"{mesh.api_url}/share-media/{token}" and og["og:image"], og
    video = stranger.locator("video.share-video")
    assert await video.get_attribute("src") == og["og:video"]
    # It plays: the browser fetched and decoded the shared file (muted, so autoplay rules allow it).
    await video.evaluate("v => { v.muted = true; return v.play(); }")
    await stranger.wait_for_function(
        "() => { const v = document.querySelector('video.share-video');"
        " return v.currentTime > 0.3 && v.videoWidth > 0; }",
        timeout=20000,
    )
    await shot(stranger, "share-02-public-page", settle=False)

    # The owner revokes it: the page and its media are gone for everyone.
    await owner.locator(".share-item").get_by_role("button", name="Revoke").click()
    await expect(owner.locator(".share-item")).to_have_count(0)
    response = await stranger.goto(link)
    assert response is not None and response.status == 404
    await expect(stranger.locator("video.share-video")).to_have_count(0)
    async with httpx.AsyncClient(base_url=mesh.api_url) as anon:
        assert (await anon.get(f"/share-media/{token}")).status_code == 404
    await owner_ctx.close()
    await stranger_ctx.close()


async def test_signing_in_lands_on_my_sessions_and_creates_none(mesh: Mesh, browser: Browser) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    email = f"landing-{secrets.token_hex(4)}@example.com"
    await page.goto(mesh.web_url)
    await page.get_by_role("button", name="Create an account").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("a-long-password")
    await page.get_by_role("button", name="Create account").click()
    await page.wait_for_url(f"{mesh.web_url}/sessions")
    await expect(page.get_by_role("heading", name="My sessions")).to_be_visible()
    await expect(page.get_by_text("No sessions yet")).to_be_visible()
    token = await page.evaluate("JSON.parse(localStorage.getItem('adreel.account')).token")
    async with httpx.AsyncClient(base_url=mesh.api_url, headers={"Authorization": f"Bearer {token}"}) as http:
        assert (await http.get("/api/sessions")).json() == []
        # Signing in again (a second login) still creates nothing.
        await page.goto(mesh.web_url)
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password").fill("a-long-password")
        await page.get_by_role("button", name="Start Creating").click()
        await page.wait_for_url(f"{mesh.web_url}/sessions")
        assert (await http.get("/api/sessions")).json() == []

        # Starting a product makes the session; renaming and deleting it from My sessions.
        await page.get_by_role("button", name="New video ad").click()
        await page.wait_for_url("**/images")
        listed = (await http.get("/api/sessions")).json()
        assert len(listed) == 1
        sid = listed[0]["id"]
        await page.goto(f"{mesh.web_url}/sessions")
        await page.get_by_role("button", name="Rename Untitled session").click()
        await page.locator(f"#title-{sid}").fill("  Spring campaign ")
        await page.get_by_role("button", name="Save").click()
        await expect(page.locator(".session-title")).to_have_text("Spring campaign")
        assert (await http.get("/api/sessions")).json()[0]["title"] == "Spring campaign"
        await page.get_by_role("button", name="Delete Spring campaign").click()
        await page.get_by_role("button", name="Delete for good").click()
        await expect(page.get_by_text("No sessions yet")).to_be_visible()
        assert (await http.get("/api/sessions")).json() == []
        assert (await http.get(f"/api/sessions/{sid}")).status_code == 404
    await context.close()
