"""The user's own music in the web app: on the finishing screen, "Upload your own track", a refusal
in plain words, the uploaded track shown by name and length (and kept across a reload), then a
final rendered with it (the plan plays the upload; the MP4 has its tone)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from playwright.async_api import Browser, expect

from tests.browser.conftest import Mesh
from tests.browser.pages import on_finishing, shot, signed_in
from tests.integration.test_compositor import audio_samples
from tests.integration.test_gateway_music import TONE_HZ, peak_hz, tone_with_clicks, wav_bytes


async def test_upload_your_own_track_and_render_with_it(mesh: Mesh, browser: Browser, tmp_path: Path) -> None:
    async with signed_in(mesh, browser) as (api, page):
        sid = await on_finishing(mesh, api, page)
        await page.fill('input[name="product_name"]', "AirRun Pro")

        await page.get_by_label("Upload your own track").check()
        await expect(page.get_by_text("No track yet")).to_be_visible()
        await expect(page.get_by_text("Genre", exact=True)).to_be_hidden()

        # Not audio: refused in plain words, nothing chosen.
        notes = tmp_path / "notes.mp3"
        notes.write_bytes(b"la la la " * 300)
        async with page.expect_file_chooser() as chooser:
            await page.get_by_role("button", name="Choose a track").click()
        await (await chooser.value).set_files(notes)
        await expect(page.locator(".problem")).to_contain_text("That file is not audio we can use")

        track = tmp_path / "jingle.wav"
        track.write_bytes(wav_bytes(tone_with_clicks(4.0)))
        async with page.expect_file_chooser() as chooser:
            await page.get_by_role("button", name="Choose a track").click()
        await (await chooser.value).set_files(track)
        chosen = page.locator(".music-track")
        await expect(chosen).to_contain_text("jingle.wav")
        await expect(chosen).to_contain_text("0:04")
        await shot(page, "music-01-own-track")

        # The choice is part of the saved draft: a reload shows it again.
        await page.wait_for_timeout(1500)
        await page.reload()
        await expect(page.locator(".music-track")).to_contain_text("jingle.wav", timeout=15000)

        await page.click('button:has-text("Generate Final Video")')
        await expect(page).to_have_url(re.compile(r"/result$"), timeout=180000)
        session = await api.session(sid)
        settings = session["finals"][0]["settings"]
        music = settings.get("audio") or settings["music"]
        assert music["source"] == "upload" and music["upload_id"].startswith("mus")
        path = tmp_path / "final.mp4"
        path.write_bytes((await api.http.get(session["final_video"]["url"])).content)
        sound = audio_samples(path).mean(axis=0)
        assert abs(peak_hz(sound[48_000 : 3 * 48_000], 48_000) - TONE_HZ) <= 2
        assert np.sqrt(np.mean(sound**2)) > 0.02
