"""A brand kit on the finishing screen, as a first-time user meets it: choosing the kit fills in its
colour, its default CTA and its own font (offered under the font's family name), and the final is
drawn with them: the CTA sits on a button of the kit's secondary colour (pixels of the MP4)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, expect

from tests.browser.conftest import Mesh
from tests.browser.pages import on_finishing, shot, signed_in
from tests.e2e.test_brand_kit_styles import BUTTON, block_font, near
from tests.integration.test_compositor import frame_at


async def test_a_kit_styles_the_finishing_form_and_the_final(
    mesh: Mesh, browser: Browser, tmp_path: Path
) -> None:
    async with signed_in(mesh, browser) as (api, page):
        kit = await api.post(
            "/api/brand-kits",
            {
                "name": "Blocky Co",
                "primary_color": "#00E5FF",
                "secondary_color": "#FF7A00",
                "default_cta": "Shop Blocky",
            },
        )
        r = await api.http.put(f"/api/brand-kits/{kit['id']}/font", files={"file": ("b.ttf", block_font())})
        assert r.status_code == 200, r.text
        sid = await on_finishing(mesh, api, page)
        await page.fill('input[name="product_name"]', "Blocky 24")

        await page.select_option("#brand-kit", kit["id"])
        await expect(page.locator("#font")).to_have_value("brand")
        await expect(page.locator("#font option:checked")).to_have_text("Blocky (your brand kit's font)")
        await expect(page.locator('input[name="cta"]')).to_have_value("Shop Blocky")
        await shot(page, "brand-01-kit-chosen")

        await page.click('button:has-text("Generate Final Video")')
        await expect(page).to_have_url(re.compile(r"/result$"), timeout=180000)
        session = await api.session(sid)
        path = tmp_path / "final.mp4"
        path.write_bytes((await api.http.get(session["final_video"]["url"])).content)
        outro = frame_at(path, session["final_video"]["duration"] - 0.1)
        assert near(outro, BUTTON).mean() > 0.01, "the CTA sits on the kit's secondary colour"
