"""The user's own product photos in the web app: the file picker (opened from the keyboard) and the
drop zone, a refusal in plain words, setting a photo's view, and photos on the mood board."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import httpx
from PIL import Image, ImageDraw
from playwright.async_api import Browser, expect

from tests.browser.conftest import Mesh
from tests.browser.pages import all_images_loaded, bearer, eventually, session_id, shot, start_new_ad


def photo(path: Path, colour: str, fmt: str) -> Path:
    im = Image.new("RGB", (640, 480), (240, 238, 232))
    ImageDraw.Draw(im).rounded_rectangle((200, 120, 440, 360), 30, fill=colour)
    im.save(path, fmt)
    return path


def b64(im: Image.Image, fmt: str) -> str:
    out = io.BytesIO()
    im.save(out, fmt)
    return base64.b64encode(out.getvalue()).decode()


DROP = """async ([data, name, type]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], name, { type }));
  return dt;
}"""


async def test_upload_by_picker_and_drop_zone(mesh: Mesh, browser: Browser, tmp_path: Path) -> None:
    context = await browser.new_context(viewport={"width": 1440, "height": 960})
    page = await context.new_page()
    await page.goto(mesh.web_url)
    await page.get_by_role("button", name="Create an account").click()
    await page.get_by_label("Email").fill("uploads@example.com")
    await page.get_by_label("Password").fill("a-long-password")
    await page.get_by_role("button", name="Create account").click()
    await start_new_ad(page)
    await expect(page.locator(".photo-drop-zone")).to_be_visible()
    await shot(page, "uploads-01-drop-zone")

    # The file picker, opened from the keyboard.
    # Locator.press focuses the button and presses Enter on it in one step: a re-render between a
    # separate focus() and keypress (the session's snapshot arriving late) would lose the focus.
    choose = page.get_by_role("button", name="Choose photos")
    async with page.expect_file_chooser() as chooser:
        await choose.press("Enter")
    files = [photo(tmp_path / "red.png", "red", "PNG"), photo(tmp_path / "blue.jpg", "blue", "JPEG")]
    await (await chooser.value).set_files(files)
    await expect(page.locator(".image-card")).to_have_count(2, timeout=20000)
    await expect(page.locator(".upload-status")).to_contain_text("2 photos added")
    await all_images_loaded(page, ".image-card img")
    await expect(page.locator(".image-card").first).to_contain_text("Your photo")

    # A file dropped on the zone.
    drop = await page.evaluate_handle(
        DROP, [b64(Image.new("RGB", (600, 600), "green"), "WEBP"), "green.webp", "image/webp"]
    )
    await page.dispatch_event(".photo-drop-zone", "drop", {"dataTransfer": drop})
    await expect(page.locator(".image-card")).to_have_count(3, timeout=20000)
    await all_images_loaded(page, ".image-card img")

    # Not a photo (a GIF under a .png name): refused in plain words, naming the file, nothing added.
    gif = await page.evaluate_handle(
        DROP, [b64(Image.new("RGB", (100, 100), "red"), "GIF"), "sneaky.png", "image/png"]
    )
    await page.dispatch_event(".photo-drop-zone", "drop", {"dataTransfer": gif})
    problem = page.locator(".problem")
    await expect(problem).to_contain_text("That file is not a photo we can use")
    await expect(problem).to_contain_text('"sneaky.png"')
    await expect(page.locator(".image-card")).to_have_count(3)
    await shot(page, "uploads-02-photos-and-refusal")

    # The view an uploaded photo shows, saved on the server.
    await page.get_by_label("View shown in photo 2").select_option("side")
    sid = session_id(page.url)
    async with httpx.AsyncClient(base_url=mesh.api_url, headers=await bearer(page)) as http:

        async def views() -> list[str]:
            session = (await http.get(f"/api/sessions/{sid}")).json()
            return [i["view_type"] for i in session["generated_images"]]

        await eventually(views, ["front", "side", "front"])

        # Photos go on the mood board like generated images.
        boxes = page.locator('.image-card input[type="checkbox"]')
        await boxes.nth(0).check()
        await boxes.nth(1).check()
        await page.click('button:has-text("Add to Mood Board")')
        await expect(page.locator(".mood-card")).to_have_count(2)
        await all_images_loaded(page, ".mood-card img")
        await expect(page.locator(".mood-card").nth(1)).to_contain_text("Side")
        session = (await http.get(f"/api/sessions/{sid}")).json()
    assert session["stage"] == "image_selection" and len(session["approved_images"]) == 2
    assert all(i["source"] == "upload" for i in session["generated_images"])
    await shot(page, "uploads-03-mood-board")
    await context.close()
