"""PRD 12.3's end-to-end test as written (its selectors and button texts), with the "Continue to ..."
buttons between screens, a screenshot of every screen, and checks of what the user really gets."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import Browser, expect

from tests.browser.conftest import Mesh
from tests.browser.pages import all_images_loaded, probe_mp4, session_id, shot, start_new_ad


async def test_complete_user_flow(mesh: Mesh, browser: Browser, tmp_path: Path) -> None:
    context = await browser.new_context(viewport={"width": 1440, "height": 960}, accept_downloads=True)
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=mesh.web_url)
    page = await context.new_page()

    # 1. Login
    await page.goto(mesh.web_url)
    await shot(page, "01-login")
    await page.fill('input[name="email"]', "demo@example.com")
    await page.fill('input[name="password"]', "demo123")
    await page.click('button:has-text("Start Creating")')
    await start_new_ad(page)

    # 2. Generate images
    await page.fill('textarea[name="product_prompt"]', "pink tennis shoes")
    await shot(page, "02-product-prompt")
    await page.click('button:has-text("Generate Images")')
    await expect(page.locator(".progress-panel")).to_be_visible()
    await expect(page.locator(".progress-message")).to_contain_text(re.compile(r"\w"))
    await shot(page, "03-image-progress", settle=False)

    # Wait for images to appear
    await page.wait_for_selector(".image-grid", timeout=60000)
    images = page.locator(".image-card img")
    await expect(images).to_have_count(6)
    await all_images_loaded(page, ".image-card img")
    assert await page.locator(".image-card input[type='checkbox']:checked").count() == 0
    await expect(page.get_by_role("button", name=re.compile("Add to Mood Board"))).to_be_disabled()

    # 3. Select images
    image_checkboxes = page.locator('.image-card input[type="checkbox"]')
    for i in range(4):
        await image_checkboxes.nth(i).check()
    await expect(page.locator(".selection-footer")).to_contain_text("Selected: 4 of 6 images")
    await shot(page, "04-image-grid")

    await page.click('button:has-text("Add to Mood Board")')
    await expect(page.locator(".mood-card")).to_have_count(4)
    await all_images_loaded(page, ".mood-card img")
    await expect(page.locator(".cost-tracker")).to_contain_text("Images")
    await shot(page, "05-image-mood-board")
    await page.click('button:has-text("Continue to Video Prompt")')

    # 4. Generate clips
    await page.fill('textarea[name="video_prompt"]', "girl running in sun")
    await page.locator(".reference-images summary").click()
    await shot(page, "06-video-prompt")
    await page.click('button:has-text("Generate Clips")')
    await expect(page.locator(".progress-panel")).to_be_visible()
    await shot(page, "07-clip-progress", settle=False)

    # Wait for clips
    await page.wait_for_selector(".video-grid", timeout=180000)
    await expect(page.locator(".clip-card")).to_have_count(4)

    # 5. Select clips
    clip_checkboxes = page.locator('.clip-card input[type="checkbox"]')
    await clip_checkboxes.first.check()
    await clip_checkboxes.nth(1).check()
    await shot(page, "08-clip-grid")

    await page.click('button:has-text("Add to Clip Board")')
    await expect(page.locator(".board-clip")).to_have_count(2)
    await expect(page.locator(".estimated-duration")).to_contain_text("seconds")
    await shot(page, "09-clip-mood-board")
    await page.click('button:has-text("Continue to Final Composition")')

    # 6. Final composition
    await page.fill('input[name="product_name"]', "AirRun Pro")
    await page.fill('input[name="cta"]', "Shop Now")
    fonts = page.locator("select#font option")
    await expect(fonts.first).not_to_have_text("Loading fonts…")
    assert await fonts.count() >= 3, "the font selector shows the compositor's fonts"
    # Each font previewed with the user's own product name, as the compositor draws it.
    previews = page.get_by_test_id("font-previews").get_by_role("radio")
    await expect(previews).to_have_count(await fonts.count())
    await expect(previews.first.locator("img")).to_have_attribute("alt", re.compile("AirRun Pro"))
    await expect(page.locator(".sequence-preview li")).to_have_count(4)  # intro, 2 clips, outro
    # Offline the track is synthesised: no music model is offered that would change nothing.
    await expect(page.locator("select#music-model")).to_have_count(0)
    # A variant from the same render: also a square version with another call to action.
    await page.click('button:has-text("Also make 1:1")')
    await page.get_by_label("Variant 1 call to action").fill("Get yours")
    await shot(page, "10-finishing-touches")
    await page.click('button:has-text("Generate Final Video")')

    # Wait for final video
    await page.wait_for_selector("video", timeout=60000)

    # 7. Verify download button
    download_button = page.locator('button:has-text("Download")')
    assert await download_button.is_visible()
    await expect(page.locator(".video-info")).to_contain_text("1920x1080 (Full HD)")
    await expect(page.locator(".video-info")).to_contain_text(re.compile(r"Audio\s*Music\s*Total cost"))
    await page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && !v.paused && v.currentTime > 0.2; }"
    )
    await shot(page, "11-final-video")

    # What the user really gets: the downloaded file is the 1080p30 ad the page describes.
    async with page.expect_download() as info:
        await download_button.click()
    download = await info.value
    assert download.suggested_filename.endswith(".mp4")
    saved = tmp_path / "ad.mp4"
    await download.save_as(saved)
    probe = probe_mp4(saved)
    assert (probe.width, probe.height) == (1920, 1080)
    assert abs(probe.fps - 30) < 0.01
    shown = float(re.search(r"([\d.]+) seconds", await page.locator(".video-info").inner_text()).group(1))
    assert abs(probe.duration_s - shown) < 0.15, (probe.duration_s, shown)
    assert probe.has_audio, "music was on by default"
    assert probe.middle_frame.std() > 10, "the middle of the ad is not a flat colour"

    # Share Link copies a public page of this one final; its video works without the app.
    await page.click('button:has-text("Share Link")')
    await expect(page.get_by_role("button", name="Link copied!")).to_be_visible()
    shared = await page.evaluate("navigator.clipboard.readText()")
    assert shared.startswith(mesh.web_url + "/s/")
    token = shared.rsplit("/", 1)[1]
    async with httpx.AsyncClient(base_url=mesh.api_url) as http:
        public = (await http.get(f"/api/shares/{token}")).json()
        r = await http.get(public["video_url"])
    assert r.status_code == 200 and r.headers["content-type"] == "video/mp4"
    assert len(r.content) == saved.stat().st_size

    summary = await page.locator(".session-summary").inner_text()
    assert "Images generated: 6" in summary and "Clips generated: 4" in summary
    assert "Final composition" in summary

    # The variant is listed beside the main ad, plays, and downloads as the 1:1 file it says it is.
    await expect(page.locator(".final-variant")).to_have_count(2)
    square = page.locator('.final-variant[data-variant-id="v1"]')
    await expect(square).to_contain_text('1:1 · CTA "Get yours"')
    await square.locator("video").evaluate("v => { v.muted = true; return v.play(); }")
    await page.wait_for_function(
        "() => document.querySelector('.final-variant[data-variant-id=\"v1\"] video').currentTime > 0.2"
    )
    await shot(page, "12-variants")
    async with page.expect_download() as info:
        await square.get_by_role("button", name=re.compile("^Download 1:1")).click()
    variant = tmp_path / "variant.mp4"
    await (await info.value).save_as(variant)
    probe = probe_mp4(variant)
    assert (probe.width, probe.height) == (1080, 1080) and abs(probe.fps - 30) < 0.01
    assert probe.has_audio and probe.middle_frame.std() > 10

    # Another ad from the same product and images: straight to a new scene, nothing bought again.
    first = page.url
    await page.get_by_role("button", name="Generate Another Video").click()
    await page.get_by_role("button", name="Same product and images, new scene").click()
    await page.wait_for_url("**/clips")
    assert session_id(page.url) != session_id(first)
    await expect(page.locator('textarea[name="video_prompt"]')).to_be_editable()
    await context.close()
