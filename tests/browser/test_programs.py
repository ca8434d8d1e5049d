"""Adreel for programs in Chromium: an API key made on the API keys page (shown once, then revoked),
and a batch from CSV text on the Batches page, its rows' progress, the bad row's column and the ZIP."""

from __future__ import annotations

import io
import json
import secrets
import zipfile

import httpx
from playwright.async_api import Browser, expect

from tests.browser.conftest import Mesh
from tests.browser.pages import shot

SCENE = "a runner on an outdoor track at golden hour"


async def _signed_in(mesh: Mesh, browser: Browser) -> tuple[object, dict[str, str]]:
    email = f"programs-{secrets.token_hex(4)}@example.com"
    async with httpx.AsyncClient(base_url=mesh.api_url, timeout=60) as anon:
        r = await anon.post("/api/auth/register", json={"email": email, "password": "a-long-password"})
        r.raise_for_status()
        auth = r.json()
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    account = {"token": auth["session_token"], "email": email, "userId": auth["user_id"]}
    await context.add_init_script(
        f"localStorage.setItem('adreel.account', {json.dumps(json.dumps(account))})"
    )
    return context, {"Authorization": f"Bearer {auth['session_token']}"}


async def test_api_key_page_shows_a_key_once_then_revokes_it(mesh: Mesh, browser: Browser) -> None:
    context, _ = await _signed_in(mesh, browser)
    page = await context.new_page()  # type: ignore[attr-defined]
    await page.goto(f"{mesh.web_url}/keys")
    await page.get_by_label("Name").fill("feed script")
    await page.get_by_role("button", name="Create key").click()
    shown = page.get_by_test_id("new-api-key")
    await expect(shown).to_be_visible(timeout=15000)
    key = (await shown.text_content() or "").strip()
    assert key.startswith("adr_") and len(key) == 47
    await shot(page, "programs-01-api-key-created")
    async with httpx.AsyncClient(base_url=mesh.api_url, timeout=30) as http:
        as_key = {"Authorization": f"Bearer {key}"}
        assert (await http.get("/api/sessions", headers=as_key)).status_code == 200
        # Shown once: after a reload the page lists the key by its hint only.
        await page.reload()
        await expect(page.get_by_text("feed script")).to_be_visible()
        assert key not in await page.content() and key[:8] in await page.content()
        await page.get_by_role("button", name="Revoke feed script").click()
        await expect(page.get_by_text("revoked")).to_be_visible()
        assert (await http.get("/api/sessions", headers=as_key)).status_code == 401
    await context.close()  # type: ignore[attr-defined]


async def test_batch_page_runs_rows_and_offers_the_zip(mesh: Mesh, browser: Browser) -> None:
    context, headers = await _signed_in(mesh, browser)
    page = await context.new_page()  # type: ignore[attr-defined]
    await page.goto(f"{mesh.web_url}/batches")
    csv = (
        "product,scene,name,cta,images,clips,clip_duration\n"
        f"pink tennis shoes,{SCENE},AirRun,Shop Now,4,2,2\n"
        f"wool beanie,{SCENE},Beanie,{'x' * 40},4,2,2\n"
    )
    await page.get_by_label("CSV rows").fill(csv)
    await page.get_by_label("Budget (USD)").fill("20")
    await page.get_by_role("button", name="Start batch").click()
    await page.wait_for_url("**/batches/*")
    bad = page.locator('tr[data-row="2"]')
    await expect(bad).to_contain_text("invalid")
    await expect(bad).to_contain_text("cta")
    good = page.locator('tr[data-row="1"]')
    bar = good.get_by_role("progressbar")
    await page.wait_for_function(
        "() => Number(document.querySelector('tr[data-row=\"1\"] [role=progressbar]')"
        "?.getAttribute('aria-valuenow')) > 0",
        timeout=120000,
    )
    await shot(page, "programs-02-batch-running", settle=False)
    await expect(good).to_contain_text("complete", timeout=240000)
    assert await bar.get_attribute("aria-valuenow") == "100"
    link = page.get_by_role("link", name="Download all finals (ZIP)")
    await expect(link).to_be_visible()
    await shot(page, "programs-03-batch-complete")
    href = await link.get_attribute("href")
    assert href is not None
    async with httpx.AsyncClient(timeout=60) as http:
        zipped = await http.get(href)
        assert zipped.status_code == 200
        names = zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
        assert len(names) == 1 and names[0].startswith("001-airrun")
        listed = (await http.get(f"{mesh.api_url}/api/batches", headers=headers)).json()
        assert listed[0]["counts"] == {"complete": 1, "invalid": 1}
    await context.close()  # type: ignore[attr-defined]
