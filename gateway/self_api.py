"""The gateway's own HTTP API, called from inside the gateway as one user, without a socket.

Batches drive their sessions through the very routes a person's browser uses (ASGI in process), so
every move is checked, rate-limited and quota-bound exactly as it is for that person, and keeps
working whatever the routes do inside. The bearer is an access token minted for the user per call,
valid for a minute and never written anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from starlette.types import ASGIApp

from gateway.core.security import create_access_token

TOKEN_TTL_S = 60


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    retry_after_s: float | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def detail(self) -> str:
        detail = self.body.get("detail") if isinstance(self.body, dict) else self.body
        if isinstance(detail, list):  # a 422's field errors
            return "; ".join(
                f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg', '')}"
                for e in detail
                if isinstance(e, dict)
            )
        return str(detail)


class SelfApi:
    def __init__(self, app: ASGIApp, jwt_key: str, user_id: int) -> None:
        self._key, self.user_id = jwt_key, user_id
        # raise_app_exceptions=False: a crash in a route is a 500 reply here, as it is on the wire.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self._http = httpx.AsyncClient(transport=transport, base_url="http://gateway.internal", timeout=120)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Reply:
        token = create_access_token(self.user_id, self._key, TOKEN_TTL_S)
        response = await self._http.request(
            method, path, json=body, headers={"authorization": f"Bearer {token}"}
        )
        try:
            payload: Any = response.json()
        except ValueError:
            payload = response.text
        retry = response.headers.get("retry-after")
        return Reply(response.status_code, payload, float(retry) if retry and retry.isdigit() else None)
