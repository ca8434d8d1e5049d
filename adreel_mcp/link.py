"""How the MCP server reaches Adreel: the gateway's HTTP API with the caller's API key.

Every tool is a client of the same API the web app and the CLI use, so an MCP caller is checked,
rate-limited and quota-bound exactly like them, and can do no more than its key's scope allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx


class ApiRefused(Exception):
    """The API refused a call; the message names the field when the API did."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def refusal(response: httpx.Response) -> str:
    """FastAPI's detail as `field: message` (a 422's field list joined), never a stack trace."""
    try:
        detail: Any = response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        return response.text[:500] or response.reason_phrase
    if isinstance(detail, list):
        parts = []
        for err in detail:
            loc = [str(p) for p in err.get("loc", ()) if p != "body"] if isinstance(err, dict) else []
            # A batch row's column is the field: rows.1.cta -> cta.
            if len(loc) >= 3 and loc[0] == "rows":
                loc = loc[2:]
            message = err.get("msg", "") if isinstance(err, dict) else str(err)
            parts.append(f"{'.'.join(loc)}: {message}" if loc else str(message))
        return "; ".join(parts)
    return str(detail)


@dataclass
class ApiLink:
    """One caller's way in: an HTTP client (over the network, or in process on the gateway), the
    caller's bearer key, and the public base URL that relative media links are made absolute with."""

    http: httpx.AsyncClient
    key: str
    public_base: str

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        try:
            response = await self.http.request(
                method, path, json=body, headers={"authorization": f"Bearer {self.key}"}
            )
        except httpx.TransportError as exc:
            raise ApiRefused(503, f"Adreel is not reachable ({type(exc).__name__})") from None
        if response.is_error:
            raise ApiRefused(response.status_code, refusal(response))
        return response.json()

    def absolute(self, url: str) -> str:
        return urljoin(self.public_base.rstrip("/") + "/", url.lstrip("/")) if url else url
