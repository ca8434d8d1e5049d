"""Browser tests: Debian's Chromium driven by Playwright against the real mesh on offline engines.

One mesh (`python -m stack` on free ports, a fresh database on the machine's PostgreSQL) and one web
app (`next start`) serve the whole run; each test gets its own browser context.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from stack.embedded import free_port
from stack.spawn import LaunchedStack, Ports
from tests.browser.web import ROOT, missing_prerequisites, running_web_app

ADMIN_URL = os.environ.get("ADREEL_TEST_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
CHROMIUM = os.environ.get("ADREEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The final screen autoplays the ad with sound, as after the click that started the render.
    "--autoplay-policy=no-user-gesture-required",
]
SCREENS = ROOT / "artifacts" / "screens"


def _why_skip() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if missing := missing_prerequisites():
        return f"missing: {', '.join(missing)}"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # CI installs Chromium, Node and Playwright (.ci/run): there a missing piece must fail, not skip.
    if (reason := _why_skip()) and not os.environ.get("CI"):
        for item in items:
            if "tests/browser" in str(item.path):
                item.add_marker(pytest.mark.skip(reason=reason))


@dataclass(frozen=True)
class Mesh:
    api_url: str
    web_url: str
    stack: LaunchedStack


def _admin(sql: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(ADMIN_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(scope="session")
def mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mesh]:
    name = f"adreel_browser_{secrets.token_hex(5)}"
    _admin(f'CREATE DATABASE "{name}"')
    web_port = free_port()
    env = {
        **Ports().env(),
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
        "ADREEL_HOME": str(tmp_path_factory.mktemp("adreel-home")),
        "ADREEL_WEB_ORIGINS": json.dumps([f"http://127.0.0.1:{web_port}"]),
        "ADREEL_RESTART_BACKOFF_S": "0.2",
    }
    try:
        with LaunchedStack(env) as stack:
            api_url = stack.start()
            with running_web_app(web_port, api_url) as web_url:
                yield Mesh(api_url, web_url, stack)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture(scope="session")
def screens() -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    return SCREENS
