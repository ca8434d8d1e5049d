"""The MCP server over streamable HTTP, mounted on the gateway at /mcp.

Stateless (every request stands alone, so any gateway replica can answer it) and authenticated by
`Authorization: Bearer <API key>`: a call without a valid key is a 401 before the SDK sees it. The
tools call the gateway's own API in process (ASGI, no socket) with the caller's key, so the key's
scope, the user's quotas and rate limits apply as they do on the wire.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

import httpx
from mcp.server.mcpserver import Context
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from adreel_mcp.link import ApiLink
from adreel_mcp.server import build_server

PATH = "/mcp"
# Whether a bearer is a key this gateway accepts for MCP (gateway/programs.py says how).
Verify = Callable[[str], Awaitable[bool]]


def _bearer(headers: dict[str, str]) -> str | None:
    auth = headers.get("authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


class McpHttp:
    """The /mcp endpoint and its SDK session manager, run for the gateway's lifetime."""

    def __init__(self, gateway: ASGIApp, verify: Verify) -> None:
        self.verify = verify
        self._exits = AsyncExitStack()
        self._http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=gateway, raise_app_exceptions=False),
            base_url="http://gateway.internal",
            timeout=httpx.Timeout(120),
        )
        self.server = build_server(self._link)
        # The gateway's own host names are not known here; the bearer key is what protects /mcp
        # (a browser never sends it on its own), so the SDK's Host/Origin check is not used.
        self.server.streamable_http_app(
            streamable_http_path=PATH,
            stateless_http=True,
            transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        )

    def _link(self, ctx: Context) -> ApiLink:
        request = ctx.request_context.request
        if not isinstance(request, Request):
            raise RuntimeError("the HTTP MCP server got a call without its HTTP request")
        key = _bearer({k.lower(): v for k, v in request.headers.items()}) or ""
        return ApiLink(http=self._http, key=key, public_base=str(request.base_url))

    async def start(self) -> None:
        await self._exits.enter_async_context(self.server.session_manager.run())

    async def stop(self) -> None:
        await self._exits.aclose()
        await self._http.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        token = _bearer(headers)
        if token is None or not await self.verify(token):
            why = (
                "send Authorization: Bearer <API key>" if token is None else "invalid, expired or revoked key"
            )
            body = json.dumps({"detail": f"not authenticated: {why}"}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.server.session_manager.handle_request(scope, receive, send)


class McpRoute:
    """What the gateway routes /mcp to: the McpHttp of the running app (made in its lifespan)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint: McpHttp | None = getattr(scope["app"].state, "mcp_http", None)
        if endpoint is None:
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b"starting"})
            return
        await endpoint(scope, receive, send)
