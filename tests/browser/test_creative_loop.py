"""The creative loop in the browser (issue 13): regenerate one image, edit a shot on the storyboard,
go back from finishing and forward again, render twice and see both versions, every session screen
at 390 px without sideways scrolling, and the defects found on the way (wrong password, favicon).

Each test starts from a session brought to the step it needs over the API (the same calls the web
app makes), then drives the step under test in Chromium.
"""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Browser, expect

from tests.browser.conftest import Mesh
from tests.browser.pages import on_finishing, shot, signed_in


async def test_regenerate_one_image(mesh: Mesh, browser: Browser) -> None:
    async with signed_in(mesh, browser) as (api, page):
        sid = await api.with_images(num_images=4)
        await page.goto(f"{mesh.web_url}/sessions/{sid}/images")

        cards = page.locator(".image-card")
        await expect(cards).to_have_count(4)
        first_prompt = (await api.session(sid))["generated_images"][0]["prompt"]
        assert first_prompt, "every generated image carries its prompt"
        await expect(cards.first.locator(".image-prompt-text")).to_have_text(first_prompt)

        # A new seed for image 1: a fifth image joins the set, the four stay.
        await page.get_by_role("button", name="Regenerate image 1 with a new seed").click()
        await expect(cards).to_have_count(5, timeout=60000)
        images = (await api.settled(sid))["generated_images"]
        assert len(images) == 5 and images[-1]["prompt"] == first_prompt
        assert images[-1]["seed"] != images[0]["seed"]

        # Its prompt edited for image 2: the new image is rendered from the edited text.
        await page.get_by_role("button", name="Edit the prompt of image 2").click()
        edited = "pink tennis shoes with white laces, side view on wet asphalt at night"
        await page.get_by_label("Prompt for image 2").fill(edited)
        await page.locator(".image-card").nth(1).get_by_role("button", name="Regenerate", exact=True).click()
        await expect(cards).to_have_count(6, timeout=60000)
        await expect(page.locator(".image-prompt-text", has_text="wet asphalt")).to_have_count(1)
        images = (await api.settled(sid))["generated_images"]
        assert images[-1]["prompt"] == edited
        await shot(page, "loop-01-regenerated-image")

        # The product prompt stays editable for a whole new set.
        await expect(page.locator('textarea[name="product_prompt"]')).to_be_editable()


async def test_edit_one_shot_on_the_storyboard_then_generate(mesh: Mesh, browser: Browser) -> None:
    async with signed_in(mesh, browser) as (api, page):
        sid = await api.with_approved_images()
        await page.goto(f"{mesh.web_url}/sessions/{sid}/clips")

        await page.fill('textarea[name="video_prompt"]', "slow turn on a marble plinth, soft window light")
        await page.get_by_role("button", name="Plan the shots").click()
        shots = page.locator(".storyboard-shot")
        await expect(shots).to_have_count(2)
        await expect(page.locator(".storyboard-quote")).to_contain_text("$")

        # Shot 1: another camera move, calmer motion, new words.
        await page.get_by_label("Shot 1 camera movement").select_option("orbit")
        await page.get_by_label("Shot 1 scene").fill("the shoe turns slowly on a marble plinth")
        await expect(page.locator(".storyboard-state")).to_have_text("Plan saved")
        planned = (await api.session(sid))["storyboard"]["shots"]
        assert planned[0]["camera_movement"] == "orbit"
        assert planned[0]["scene_prompt"] == "the shoe turns slowly on a marble plinth"
        await shot(page, "loop-02-storyboard")

        await page.click('button:has-text("Generate Clips")')
        await page.wait_for_selector(".video-grid", timeout=180000)
        await expect(page.locator(".clip-card")).to_have_count(2, timeout=180000)
        clips = (await api.settled(sid))["generated_clips"]
        made = next(c for c in clips if c["source_image_id"] == planned[0]["source_image_id"])
        assert made["camera_movement"] == "orbit"
        assert made["scene_prompt"] == "the shoe turns slowly on a marble plinth"


async def test_back_from_finishing_to_images_and_forward_again(mesh: Mesh, browser: Browser) -> None:
    async with signed_in(mesh, browser) as (api, page):
        sid = await api.with_clip_board()
        before = await api.session(sid)
        await page.goto(f"{mesh.web_url}/sessions/{sid}/finish")

        await page.fill('input[name="product_name"]', "AirRun Pro")
        await page.fill('input[name="cta"]', "Run with us")
        await expect(page.locator(".draft-state")).to_have_text("Draft saved")
        await page.reload()  # the draft is the server's: a reload brings it back
        await expect(page.locator('input[name="product_name"]')).to_have_value("AirRun Pro")
        await expect(page.locator('input[name="cta"]')).to_have_value("Run with us")

        # Back to the images: every image is there and the product prompt can be changed.
        await page.get_by_role("link", name="Step 1: Images").click()
        await expect(page).to_have_url(re.compile(r"/images$"))
        await expect(page.locator(".image-card")).to_have_count(len(before["generated_images"]))
        await expect(page.locator('textarea[name="product_prompt"]')).to_be_editable()
        await expect(page.locator(".image-card[data-selected=true]")).to_have_count(2)

        # Forward again, step by step: nothing was lost on the way.
        await page.get_by_role("link", name="Step 2: Mood board").click()
        await expect(page.locator(".mood-card")).to_have_count(2)
        await page.get_by_role("link", name="Step 4: Clip board").click()
        await expect(page.locator(".board-clip")).to_have_count(len(before["clip_order"]))
        await page.get_by_role("link", name="Step 5: Finishing").click()
        await expect(page.locator('input[name="cta"]')).to_have_value("Run with us")
        after = await api.session(sid)
        for key in ("approved_images", "clip_order", "generated_images", "generated_clips"):
            assert [x if isinstance(x, str) else x["id"] for x in after[key]] == [
                x if isinstance(x, str) else x["id"] for x in before[key]
            ], key


async def test_render_twice_with_different_ctas(mesh: Mesh, browser: Browser) -> None:
    async with signed_in(mesh, browser) as (api, page):
        sid = await on_finishing(mesh, api, page)

        await page.fill('input[name="product_name"]', "AirRun Pro")
        await page.fill('input[name="cta"]', "Shop Now")
        # A free preview first: a 480p animatic of the timeline, played on the page, no cost booked.
        spent = (await api.session(sid))["total_cost"]
        await page.get_by_role("button", name="Preview (free)").click()
        preview = page.locator("video.preview-video")
        await expect(preview).to_be_visible(timeout=120000)
        await page.wait_for_function(
            "() => document.querySelector('video.preview-video').videoHeight === 480"
        )
        assert (await api.session(sid))["total_cost"] == spent
        await page.click('button:has-text("Generate Final Video")')
        await expect(page).to_have_url(re.compile(r"/result$"), timeout=180000)
        await expect(page.locator("video.final-video")).to_be_visible()

        await page.get_by_role("button", name="Edit and render again").click()
        await expect(page).to_have_url(re.compile(r"/finish$"))
        await expect(page.locator('input[name="product_name"]')).to_have_value("AirRun Pro")
        await page.fill('input[name="cta"]', "Buy Today")
        await page.click('button:has-text("Generate Final Video")')
        await expect(page).to_have_url(re.compile(r"/result$"), timeout=180000)

        versions = page.locator(".final-version")
        await expect(versions).to_have_count(2)
        await expect(versions.nth(0)).to_contain_text('CTA "Buy Today"')
        await expect(versions.nth(1)).to_contain_text('CTA "Shop Now"')
        finals = (await api.session(sid))["finals"]
        overlays = [f["settings"].get("text_overlay") or f["settings"]["overlay"] for f in finals]
        assert [o["cta"] for o in overlays] == ["Buy Today", "Shop Now"]
        await shot(page, "loop-03-two-versions")

        # The older version downloads too, named after the product.
        async with page.expect_download() as info:
            await versions.nth(1).get_by_role("button", name=re.compile("^Save version 1")).click()
        name = (await info.value).suggested_filename
        assert name.endswith(".mp4") and "airrun" in name.lower()


async def test_a_refused_render_shows_the_field_and_runs_again(mesh: Mesh, browser: Browser) -> None:
    async with signed_in(mesh, browser) as (api, page):
        await on_finishing(mesh, api, page)

        # No bundled font draws an Egyptian hieroglyph: the product name is refused (by the gateway up
        # front, or by the compositor as a failed render); either way the field says why.
        await page.fill('input[name="product_name"]', "AirRun \U00013000")
        await page.fill('input[name="cta"]', "Shop Now")
        await page.click('button:has-text("Generate Final Video")')
        error = page.locator("#product_name-error")
        await expect(error).to_contain_text("U+13000", timeout=120000)
        await expect(page.locator('input[name="product_name"]')).to_have_attribute("aria-invalid", "true")
        await shot(page, "loop-04-refused-text")

        # Not a dead end: change the text, render again.
        await page.fill('input[name="product_name"]', "AirRun Pro")
        await page.click('button:has-text("Generate Final Video")')
        await expect(page).to_have_url(re.compile(r"/result$"), timeout=180000)
        await expect(page.locator("video.final-video")).to_be_visible()


async def test_no_session_screen_scrolls_sideways_at_390px(mesh: Mesh, browser: Browser) -> None:
    async with signed_in(mesh, browser, width=390, height=844) as (api, page):
        sid = await api.complete()
        wide: dict[str, tuple[int, int]] = {}
        wrapped: dict[str, list[int]] = {}
        steps = page.locator('nav[aria-label="Progress"] li')
        for path in ("images", "images/board", "clips", "clips/board", "finish", "result"):
            await page.goto(f"{mesh.web_url}/sessions/{sid}/{path}")
            await expect(page.locator("h1")).to_be_visible()
            await page.wait_for_load_state("networkidle")
            await expect(page).to_have_url(re.compile(f"/{path}$"))
            scroll, inner = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                wide[path] = (scroll, inner)
            # The six steps stay on one row.
            tops = await steps.evaluate_all("els => els.map(e => Math.round(e.getBoundingClientRect().top))")
            if len(set(tops)) != 1:
                wrapped[path] = tops
            await shot(page, f"loop-390-{path.replace('/', '-')}")
        assert not wide, f"pages wider than the screen: {wide}"
        assert not wrapped, f"steps on more than one row: {wrapped}"

        # The list of sessions: each row's name is readable, and its actions do not sit on top of it.
        await page.goto(f"{mesh.web_url}/sessions")
        row = page.locator(f'.session-row[data-session-id="{sid}"]')
        title = await row.locator(".session-title").bounding_box()
        rename = await row.get_by_role("button", name=re.compile("^Rename")).bounding_box()
        assert title is not None and rename is not None and title["width"] > 150, title
        assert rename["y"] >= title["y"] + title["height"], (title, rename)

        # Every page is reachable from the header on a phone too.
        await page.get_by_text("More").click()
        await page.get_by_role("link", name="Brand kits").click()
        await expect(page.get_by_role("heading", name="Brand kits")).to_be_visible()

        # The images are one long column on a phone: the choice and its button stay on screen.
        await page.goto(f"{mesh.web_url}/sessions/{sid}/images")
        await page.locator(".image-card").nth(1).scroll_into_view_if_needed()
        footer = await page.locator(".selection-footer").bounding_box()
        assert footer is not None and footer["y"] >= 0 and footer["y"] + footer["height"] <= 844, footer


async def test_wrong_password_bad_email_and_favicon(mesh: Mesh, browser: Browser) -> None:
    context = await browser.new_context(viewport={"width": 1440, "height": 960})
    page = await context.new_page()
    await page.goto(mesh.web_url)
    # The deployment offers its demo sign-in: filled in, and said to be shared.
    await expect(page.locator('input[name="email"]')).to_have_value("demo@example.com")
    await expect(page.locator(".demo-note")).to_contain_text("shared demo account")
    await page.fill('input[name="password"]', "not-the-password")
    await expect(page.locator(".demo-note")).to_have_count(0)
    await page.click('button:has-text("Start Creating")')
    problem = page.locator(".problem")
    await expect(problem).to_contain_text("Wrong email or password")
    await expect(problem).not_to_contain_text("expired")

    await page.get_by_role("button", name="Create an account").click()
    # A new account starts from empty fields, not from the demo's email (taken).
    await expect(page.get_by_label("Email")).to_have_value("")
    await page.get_by_label("Email").fill("not-an-email")
    await page.get_by_label("Password").fill("a-long-password")
    await page.get_by_role("button", name="Create account").click()
    await expect(problem).to_contain_text("Email: enter an email address like name@example.com")
    assert "^" not in await problem.inner_text()

    # The favicon the page links to is served, and so is /favicon.ico for browsers that just ask.
    href = await page.locator('link[rel="icon"]').first.get_attribute("href")
    assert href
    async with httpx.AsyncClient(base_url=mesh.web_url) as http:
        icon = await http.get(href)
        ico = await http.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/")
    assert ico.status_code == 200 and ico.headers["content-type"].startswith("image/")
    await context.close()
