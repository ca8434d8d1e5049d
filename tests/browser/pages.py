"""Helpers the browser tests share: screenshots kept as artifacts, and probing what the app delivered."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from playwright.async_api import Page

from tests.browser.conftest import SCREENS


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
