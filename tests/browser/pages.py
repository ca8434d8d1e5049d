"""Helpers the browser tests share: an account signed in with a session brought to a step over the
API, screenshots kept as artifacts, and probing what the app delivered."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import av
import httpx
import numpy as np
from playwright.async_api import Browser, Page

from tests.browser.conftest import SCREENS, Mesh

RUNNING = {"image_generation", "clip_generation", "final_composition"}


@dataclass(frozen=True)
class Account:
    token: str
    email: str
    user_id: int


class Api:
    """The gateway as the web app calls it, for bringing a session to a step."""

    def __init__(self, mesh: Mesh, account: Account) -> None:
        self.http = httpx.AsyncClient(
            base_url=mesh.api_url, headers={"Authorization": f"Bearer {account.token}"}, timeout=30
        )

    async def post(self, path: str, body: dict | None = None) -> dict:
        r = await self.http.post(path, json=body or {})
        assert r.status_code in (200, 201, 202), (path, r.status_code, r.text)
        return r.json()

    async def session(self, sid: str) -> dict:
        r = await self.http.get(f"/api/sessions/{sid}")
        r.raise_for_status()
        return r.json()

    async def settled(self, sid: str, timeout_s: float = 240) -> dict:
        """The session once its running stage ended (it must not have failed)."""
        deadline = time.monotonic() + timeout_s
        while (s := await self.session(sid))["stage"] in RUNNING:
            assert time.monotonic() < deadline, f"still {s['stage']} at {s['progress']}%"
            await asyncio.sleep(0.5)
        assert s["stage"] != "failed", s["error"]
        return s

    async def with_images(self, num_images: int = 4) -> str:
        sid = (await self.post("/api/sessions/create"))["session_id"]
        await self.post(
            "/api/generate-images",
            {
                "session_id": sid,
                "product_prompt": "pink tennis shoes with white laces",
                "num_images": num_images,
            },
        )
        await self.settled(sid)
        return sid

    async def with_approved_images(self) -> str:
        sid = await self.with_images()
        images = (await self.session(sid))["generated_images"]
        await self.post(
            "/api/save-approved-images",
            {"session_id": sid, "approved_image_ids": [i["id"] for i in images[:2]]},
        )
        return sid

    async def with_clip_board(self) -> str:
        sid = await self.with_approved_images()
        await self.post(
            "/api/generate-clips",
            {"session_id": sid, "video_prompt": "girl running on a track at golden hour", "clip_duration": 3},
        )
        clips = [c["id"] for c in (await self.settled(sid))["generated_clips"]]
        await self.post(
            "/api/save-approved-clips", {"session_id": sid, "approved_clip_ids": clips, "clip_order": clips}
        )
        return sid

    async def complete(self) -> str:
        sid = await self.with_clip_board()
        await self.post(
            "/api/compose-final-video",
            {"session_id": sid, "text_overlay": {"product_name": "AirRun Pro", "cta": "Shop Now"}},
        )
        await self.settled(sid)
        return sid

    async def close(self) -> None:
        await self.http.aclose()


async def register(mesh: Mesh) -> Account:
    email = f"loop-{secrets.token_hex(4)}@example.com"
    async with httpx.AsyncClient(base_url=mesh.api_url) as http:
        r = await http.post("/api/auth/register", json={"email": email, "password": "a-long-password"})
    r.raise_for_status()
    body = r.json()
    return Account(body["session_token"], body["email"], body["user_id"])


async def signed_in_page(browser: Browser, account: Account, width: int = 1440, height: int = 960) -> Page:
    """A page whose storage already holds the account, as after signing in."""
    context = await browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    stored = json.dumps({"token": account.token, "email": account.email, "userId": account.user_id})
    await context.add_init_script(f"localStorage.setItem('adreel.account', {json.dumps(stored)})")
    return await context.new_page()


@asynccontextmanager
async def signed_in(
    mesh: Mesh, browser: Browser, width: int = 1440, height: int = 960
) -> AsyncIterator[tuple[Api, Page]]:
    """A new account: its API client and a page signed in as it, both closed when the test is done."""
    account = await register(mesh)
    api = Api(mesh, account)
    page = await signed_in_page(browser, account, width, height)
    try:
        yield api, page
    finally:
        await api.close()
        await page.context.close()


async def on_finishing(mesh: Mesh, api: Api, page: Page) -> str:
    """A session brought to its clip board, opened on the finishing screen; its id."""
    sid = await api.with_clip_board()
    await page.goto(f"{mesh.web_url}/sessions/{sid}/finish")
    return sid


async def shot(page: Page, name: str, settle: bool = True) -> Path:
    """A full-page screenshot under artifacts/screens/<name>.png (once images settled, unless live)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    if settle:
        await page.wait_for_load_state("networkidle")
    path = SCREENS / f"{name}.png"
    # Transitions finished, so a button that just became enabled is shown in its real colour.
    await page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


@dataclass(frozen=True)
class Probe:
    width: int
    height: int
    fps: float
    duration_s: float
    has_audio: bool
    middle_frame: np.ndarray


def probe_mp4(path: Path) -> Probe:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        fps = float(video.average_rate or 0)
        duration_s = float(container.duration or 0) / av.time_base
        has_audio = bool(container.streams.audio)
        target = duration_s / 2
        middle = None
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= target:
                middle = frame.to_ndarray(format="rgb24")
                break
        assert middle is not None, "no frame at the middle of the video"
        return Probe(
            video.codec_context.width, video.codec_context.height, fps, duration_s, has_audio, middle
        )


async def all_images_loaded(page: Page, selector: str, min_width: int = 512) -> None:
    """Every image decoded with real pixels (a broken media URL would give naturalWidth 0)."""
    await page.wait_for_function(
        f"() => [...document.querySelectorAll({selector!r})].every(i => i.complete && i.naturalWidth > 0)"
    )
    widths = await page.eval_on_selector_all(selector, "els => els.map(i => i.naturalWidth)")
    assert widths and all(w >= min_width for w in widths), widths


async def bearer(page: Page) -> dict[str, str]:
    """The signed-in user's API header, read from the app's storage."""
    token = await page.evaluate("JSON.parse(localStorage.getItem('adreel.account')).token")
    return {"Authorization": f"Bearer {token}"}


async def start_new_ad(page: Page) -> None:
    """Signed in, a person lands on My sessions (never on an empty session made for them): start one."""
    await page.wait_for_url("**/sessions")
    await page.get_by_role("button", name="New video ad").click()
    await page.wait_for_url("**/sessions/*/images")


def session_id(url: str) -> str:
    return url.split("/sessions/")[1].split("/", maxsplit=1)[0]


async def eventually(
    read: Callable[[], Awaitable[object]], expected: object, timeout_s: float = 10.0
) -> None:
    """Poll `read` until it returns `expected` (what the server saved after a UI action)."""
    deadline = time.monotonic() + timeout_s
    while (value := await read()) != expected:
        assert time.monotonic() < deadline, f"still {value!r}, expected {expected!r}"
        await asyncio.sleep(0.2)
