"""The JSON answers the edge sends on its own, and the status it watches the app answer with (the
windows themselves: gateway/api/shared_windows.py)."""

from __future__ import annotations

import json
import math

from starlette.types import Message, Send


async def answer(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def too_many(what: str, wait_s: float) -> tuple[int, str, dict[str, str]]:
    seconds = max(1, math.ceil(wait_s))
    return 429, f"{what}; try again in {seconds} s", {"Retry-After": str(seconds)}


class WatchedSend:
    """The app's `send`, passed through, remembering the status it answered with (0 until then)."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.status = 0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self.send(message)
