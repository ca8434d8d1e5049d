"""The MCP server through the SDK's own client, over streamable HTTP (/mcp on the gateway) and over
stdio (`adreel mcp` as a subprocess), with the four real agents offline: create_ad ends in a real
MP4 while progress notifications arrive, and a bad argument is a tool error naming the field."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from services.common.media import probe
from tests.gateway_support import gateway_database, login, running_gateway
from tests.programs_support import FAST_ROW, program_settings, start_agent_addrs
from tests.programs_support import bearer as fresh_user

__all__ = ["gateway_database"]

AD = {
    "product": "pink tennis shoes with white laces",
    "scene": "a runner on an outdoor track at golden hour",
    "name": "AirRun",
    "cta": "Shop Now",
    **FAST_ROW,
}
TOOLS = {
    "create_ad",
    "quote",
    "list_sessions",
    "get_session",
    "regenerate_image",
    "regenerate_clip",
    "compose",
}


@pytest.fixture
async def gateway(gateway_database: str, storage_dir: Path, tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """(base URL, an API credential of a fresh user)."""
    async with AsyncExitStack() as exits:
        addrs = await start_agent_addrs(exits)
        settings = program_settings(gateway_database, storage_dir, tmp_path / "state", addrs)
        base = await exits.enter_async_context(running_gateway(settings))
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            key = await credential(client)
        yield base, key


async def credential(client: httpx.AsyncClient, scope: str = "generate") -> str:
    """A fresh user's API key (what an MCP client's config holds)."""
    signed_in = await fresh_user(client)
    r = await client.post("/api/api-keys", headers=signed_in, json={"name": "mcp", "scope": scope})
    r.raise_for_status()
    return r.json()["key"]


@asynccontextmanager
async def http_client(base: str, key: str) -> AsyncIterator[Client]:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=httpx2.Timeout(300))
    async with http, Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client:
        yield client


def structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    data = result.structured_content
    return data.get("result", data) if set(data) == {"result"} else data


async def check_create_ad(client: Client, base: str, tmp_path: Path) -> dict[str, Any]:
    notes: list[tuple[float, float | None, str | None]] = []

    async def progress(done: float, total: float | None, message: str | None) -> None:
        notes.append((done, total, message))

    result = await client.call_tool("create_ad", AD, progress_callback=progress, read_timeout_seconds=300)
    ad = structured(result)
    assert ad["url"].startswith(base) and ad["aspect_ratio"] == "16:9" and ad["resolution"] == "1920x1080"
    assert 5.0 <= ad["duration_s"] <= 7.5 and ad["size_mb"] > 0 and 0 < ad["cost_usd"] < 5
    # Progress arrived while it ran: several steps, never back, ending at 100.
    done = [n[0] for n in notes]
    assert len(notes) >= 4 and done == sorted(done) and done[-1] == 100 and all(n[1] == 100 for n in notes)
    assert any(m and "image" in m.lower() for _, _, m in notes), notes
    # A real MP4 behind the URL (a signed link: no header needed).
    async with httpx.AsyncClient(timeout=60) as plain:
        body = (await plain.get(ad["url"])).content
    path = tmp_path / f"{ad['session_id']}.mp4"
    path.write_bytes(body)
    info = probe(path)
    assert (info.width, info.height) == (1920, 1080) and info.has_audio
    return ad


async def test_mcp_over_http(gateway: tuple[str, str], tmp_path: Path) -> None:
    base, key = gateway
    async with http_client(base, key) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert set(tools) >= TOOLS
        inputs = tools["create_ad"].input_schema["properties"]
        assert "seedance-lite" in str(inputs["video_model"]) and "voice" in inputs
        price = structured(await client.call_tool("quote", AD))
        assert price["images"] == 4 and price["clips"] == 2 and price["total_usd"] > 0

        ad = await check_create_ad(client, base, tmp_path)

        # The session is there to list, read and revise.
        listed = structured(await client.call_tool("list_sessions", {}))
        assert ad["session_id"] in {s["session_id"] for s in listed}
        session = structured(await client.call_tool("get_session", {"session_id": ad["session_id"]}))
        assert session["stage"] == "complete" and len(session["images"]) == 4 and len(session["clips"]) == 2

        # Revise it: one image again, one clip again with a new camera move, then a new square final.
        first_image = session["images"][0]["image_id"]
        args = {"session_id": ad["session_id"], "image_id": first_image, "seed": 7}
        redone = structured(await client.call_tool("regenerate_image", args, read_timeout_seconds=300))
        assert redone["image"]["image_id"] != first_image and redone["image"]["url"].startswith(base)
        args = {
            "session_id": ad["session_id"],
            "clip_id": session["clips"][0]["clip_id"],
            "camera_movement": "orbit",
        }
        reclip = structured(await client.call_tool("regenerate_clip", args, read_timeout_seconds=300))
        assert len(reclip["session"]["clips"]) == 3
        args = {"session_id": ad["session_id"], "name": "AirRun", "formats": ["1:1"], "music": "none"}
        square = structured(await client.call_tool("compose", args, read_timeout_seconds=300))
        assert square["aspect_ratio"] == "1:1" and not square["has_audio"] and square["url"] != ad["url"]

        # Resources: the finals of a session.
        read = await client.read_resource(f"adreel://sessions/{ad['session_id']}/finals")
        text = read.contents[0].text  # type: ignore[union-attr]
        versions = json.loads(text)["versions"]
        assert len(versions) == 2 and versions[0]["videos"][0]["aspect_ratio"] == "1:1"
        assert ad["url"].split("?")[0] in text

        # Bad arguments: tool errors naming the field, never a trace.
        bad_cases = [
            ({**AD, "cta": "x" * 40}, "cta"),  # the SDK's own check of the schema
            ({**AD, "music": "jazz"}, "music"),
            ({**AD, "product": "shoes\x1b[31m"}, "product"),  # the API's text rule
            ({**AD, "brand_kit": {"font": "Comic Nope"}}, "brand_font"),  # the compositor's fonts
        ]
        for args, field in bad_cases:
            result = await client.call_tool("create_ad", args)
            assert result.is_error, (field, result)
            message = result.content[0].text  # type: ignore[union-attr]
            assert field in message and "Traceback" not in message, message
        result = await client.call_tool("get_session", {"session_id": "0" * 36})
        assert result.is_error and "session_id" in result.content[0].text  # type: ignore[union-attr]

    # Without a key, /mcp answers 401 before the SDK sees the request; a session token is no key.
    async with httpx.AsyncClient(base_url=base, timeout=10) as plain:
        init = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
        assert (await plain.post("/mcp", json=init)).status_code == 401
        for wrong in ("not-a-key", "adr_" + "x" * 43, await login(plain)):
            r = await plain.post("/mcp", json=init, headers={"Authorization": f"Bearer {wrong}"})
            assert r.status_code == 401
        read_only = await credential(plain, "read")
    # A read key reads, and is told why it cannot make an ad.
    async with http_client(base, read_only) as client:
        assert structured(await client.call_tool("list_sessions", {})) == []
        result = await client.call_tool("create_ad", AD)
        assert result.is_error and "api key scope" in result.content[0].text  # type: ignore[union-attr]


async def test_mcp_over_stdio(gateway: tuple[str, str], tmp_path: Path) -> None:
    base, key = gateway
    env = {**os.environ, "ADREEL_API_KEY": key, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "client", "mcp", "--url", base], env=env
    )
    async with Client(params, read_timeout_seconds=300) as client:
        assert {t.name for t in (await client.list_tools()).tools} >= TOOLS
        await check_create_ad(client, base, tmp_path)
        result = await client.call_tool("quote", {**AD, "formats": ["4:3"]})
        assert result.is_error and "formats" in result.content[0].text  # type: ignore[union-attr]
