"""`adreel mcp`: the MCP server over stdio, for MCP clients that start it as a local process.

It talks to a running gateway (ADREEL_URL, default http://127.0.0.1:8000) with the API key from
ADREEL_API_KEY or `adreel login --key`. stdout is the protocol's channel: nothing else is printed
there, and logs go to stderr.
"""

from __future__ import annotations

import logging
import sys

import anyio
import httpx

from adreel_mcp.link import ApiLink
from adreel_mcp.server import build_server
from client.credentials import load


async def serve(url: str, key: str) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(120, connect=10)) as http:
        link = ApiLink(http=http, key=key, public_base=url)
        await build_server(lambda _ctx: link).run_stdio_async()


def main(url: str | None = None, key: str | None = None) -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    saved = load()
    key = key or saved.api_key
    if not key:
        print(
            "adreel mcp: no API key; create one in the web app (or POST /api/api-keys) and set "
            "ADREEL_API_KEY, or run `adreel login --key`",
            file=sys.stderr,
        )
        return 2
    anyio.run(serve, (url or saved.url).rstrip("/"), key)
    return 0
