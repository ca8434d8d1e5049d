"""Refresh restores every screen from the API, cards work from the keyboard, clips reorder by drag,
"My sessions" reopens a session, and errors are shown in plain words with a retry."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import psutil
from playwright.async_api import Browser, Page, expect

from tests.browser.conftest import Mesh
from tests.browser.pages import all_images_loaded, bearer, eventually, session_id, shot, start_new_ad


async def _new_context_page(browser: Browser) -> Page:
    context = await browser.new_context(viewport={"width": 1440, "height": 960})
    return await context.new_page()


async def _sign_up(page: Page, mesh: Mesh, email: str) -> None:
    await page.goto(mesh.web_url)
    await page.get_by_role("button", name="Create an account").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("a-long-password")
    await page.get_by_role("button", name="Create account").click()
    await start_new_ad(page)
    await expect(page.locator('textarea[name="product_prompt"]')).to_be_editable()


async def _session(page: Page, mesh: Mesh) -> dict:
    async with httpx.AsyncClient(base_url=mesh.api_url, headers=await bearer(page)) as http:
        r = await http.get(f"/api/sessions/{session_id(page.url)}")
    r.raise_for_status()
    return r.json()


async def test_refresh_restores_keyboard_selects_and_drag_reorders(mesh: Mesh, browser: Browser) -> None:
    page = await _new_context_page(browser)
    await _sign_up(page, mesh, "refresh@example.com")

    await page.fill('textarea[name="product_prompt"]', "luxury gold watch with leather strap")
    slider = page.get_by_label("Number of images")
    await slider.focus()
    await page.keyboard.press("Home")  # the slider works from the keyboard: 4 images
    await expect(slider).to_have_value("4")
    await page.click('button:has-text("Generate Images")')
    await page.reload()  # mid-generation or just after: the screen comes back from the API
    await page.wait_for_selector(".image-grid", timeout=60000)
    await expect(page.locator(".image-card")).to_have_count(4)

    # Keyboard only: Space ticks the focused card's checkbox; Tab goes through the card's own
    # "Regenerate" and "Edit prompt" buttons, then to the next card.
    await page.locator('.image-card input[type="checkbox"]').first.focus()
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name="Regenerate image 1 with a new seed")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Space")
    await expect(page.locator(".selection-footer")).to_contain_text("Selected: 2 of 4 images")
    for _ in range(3):
        await page.keyboard.press("Tab")
    await expect(page.locator('.image-card input[type="checkbox"]').nth(2)).to_be_focused()
    await page.click('button:has-text("Add to Mood Board")')
    await expect(page.locator(".mood-card")).to_have_count(2)

    # The mood board persists: a refresh shows the same two images, and both must stay.
    approved = (await _session(page, mesh))["approved_images"]
    await page.reload()
    await expect(page.locator(".mood-card")).to_have_count(2)
    await all_images_loaded(page, ".mood-card img")
    await expect(page.get_by_role("button", name=re.compile("^Remove image"))).to_have_count(2)
    for button in await page.get_by_role("button", name=re.compile("^Remove image")).all():
        await expect(button).to_be_disabled()

    # "My sessions" lists it and reopens it on the screen it was left on.
    await page.get_by_role("link", name="My sessions").click()
    await expect(page.locator(".session-list li")).to_have_count(1)
    await shot(page, "00-my-sessions")
    await page.locator(".session-list a").first.click()
    await expect(page).to_have_url(re.compile(r"/images/board$"))
    assert (await _session(page, mesh))["approved_images"] == approved

    await page.click('button:has-text("Continue to Video Prompt")')
    await page.fill(
        'textarea[name="video_prompt"]', "slow rotation on black velvet display, dramatic lighting"
    )
    await page.get_by_label("Clip duration").select_option("2")
    await page.click('button:has-text("Generate Clips")')
    await page.reload()
    await page.wait_for_selector(".video-grid", timeout=180000)
    clips = page.locator('.clip-card input[type="checkbox"]')
    await expect(clips).to_have_count(2)
    await clips.nth(0).check()
    await clips.nth(1).check()
    await page.click('button:has-text("Add to Clip Board")')
    await expect(page.locator(".board-clip")).to_have_count(2)
    first, second = [await c.get_attribute("data-clip-id") for c in await page.locator(".board-clip").all()]
    assert (await _session(page, mesh))["clip_order"] == [first, second]

    # Drag clip 2 by its handle onto clip 1: the order is saved and survives a refresh.
    source = await page.locator(".drag-handle").nth(1).bounding_box()
    target = await page.locator(".board-clip").nth(0).bounding_box()
    assert source and target
    await page.mouse.move(source["x"] + source["width"] / 2, source["y"] + source["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(target["x"] + 40, target["y"] + 40, steps=12)
    await page.mouse.up()
    await expect(page.locator(".board-clip").first).to_have_attribute("data-clip-id", second)
    await eventually(lambda: _clip_order(page, mesh), [second, first])
    await page.reload()
    await expect(page.locator(".board-clip").first).to_have_attribute("data-clip-id", second)
    await expect(page.locator(".estimated-duration")).to_have_text(re.compile(r"^\d+\.\d seconds$"))

    # The keyboard moves clips too.
    await page.get_by_role("button", name="Move clip 1 later").click()
    await eventually(lambda: _clip_order(page, mesh), [first, second])
    await page.context.close()


async def _clip_order(page: Page, mesh: Mesh) -> list[str]:
    return (await _session(page, mesh))["clip_order"]


@contextmanager
def paused(process: psutil.Process) -> Iterator[None]:
    """An agent that stops answering (SIGSTOP), resumed afterwards whatever happens."""
    os.kill(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)


def mesh_child(mesh: Mesh, module: str) -> psutil.Process:
    assert mesh.stack.process is not None
    launcher = psutil.Process(mesh.stack.process.pid)
    found = [p for p in launcher.children() if module in p.cmdline()]
    assert len(found) == 1, found
    return found[0]


async def test_errors_are_shown_in_plain_words_with_a_retry(mesh: Mesh, browser: Browser) -> None:
    page = await _new_context_page(browser)
    await _sign_up(page, mesh, "errors@example.com")

    # Validation: the gateway refuses a 2-character product; the page says which field and why.
    await page.fill('textarea[name="product_prompt"]', "ab")
    await page.click('button:has-text("Generate Images")')
    alert = page.locator(".problem")  # role=alert (Next adds an empty one for route changes)
    await expect(alert).to_contain_text("Please check your input")
    await expect(alert).to_contain_text("Product prompt: must be 3-200 characters, got 2")
    await shot(page, "12-error-validation")
    await alert.get_by_role("button", name="Dismiss").click()
    await expect(alert).to_have_count(0)

    # An agent down: the stage fails with a plain message and a Retry that resumes it.
    parser = mesh_child(mesh, "services.prompt_parser")
    with paused(parser):
        await page.fill('textarea[name="product_prompt"]', "white minimalist skincare bottle")
        await page.click('button:has-text("Generate Images")')
        await expect(alert).to_contain_text("An AI agent is unavailable", timeout=60000)
        await expect(alert).to_contain_text("prompt_parser")
        await shot(page, "13-error-agent-down")
    await alert.get_by_role("button", name="Retry").click()
    await page.wait_for_selector(".image-grid", timeout=60000)
    await expect(alert).to_have_count(0)
    assert (await _session(page, mesh))["stage"] == "image_selection"
    await page.context.close()
