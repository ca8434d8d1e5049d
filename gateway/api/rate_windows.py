"""The JSON answers the edge sends on its own (the windows themselves: gateway/api/shared_windows.py)."""

from __future__ import annotations

import json
import math

from starlette.types import Send


async def answer(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def too_many(what: str, wait_s: float) -> tuple[int, str, dict[str, str]]:
    seconds = max(1, math.ceil(wait_s))
    return 429, f"{what}; try again in {seconds} s", {"Retry-After": str(seconds)}
