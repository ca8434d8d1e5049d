"""A real HTTP webhook receiver on loopback for tests: records every request, can fail on purpose,
and verifies Standard Webhooks signatures with the reference library."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook
from starlette.types import Receive, Scope, Send


@dataclass
class Received:
    at: float
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    def verify(self, secret: str) -> dict[str, Any]:
        """The event, once its signature checks out against `secret` (raises otherwise)."""
        return Webhook(secret).verify(self.body.decode(), self.headers)


@dataclass
class Receiver:
    # Status codes to answer with, in order; 200 once they run out.
    script: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    url: str = ""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status = self.script.pop(0) if self.script else 200
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.received.append(Received(time.monotonic(), scope["path"], headers, body, status))
        self.arrived.set()
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"ok" if status < 300 else b"nope"})

    async def wait_for(self, count: int, timeout_s: float = 30.0) -> list[Received]:
        async with asyncio.timeout(timeout_s):
            while len(self.received) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.received

    def events(self, secret: str) -> list[dict[str, Any]]:
        return [r.verify(secret) for r in self.received if r.answered < 300]


def event_types(events: list[dict[str, Any]]) -> list[str]:
    return [f"{e['type']}:{e['data']['stage']}" for e in events]


def body_json(r: Received) -> dict[str, Any]:
    return json.loads(r.body)


@asynccontextmanager
async def running_receiver(script: list[int] | None = None, port: int = 0) -> AsyncIterator[Receiver]:
    receiver = Receiver(script=list(script or []))
    server = uvicorn.Server(uvicorn.Config(receiver, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    receiver.url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}/hooks/adreel"
    try:
        yield receiver
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 10)
