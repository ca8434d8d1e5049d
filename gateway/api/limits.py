"""Limits at the edge: request body size, login brute force, generation per user.

One pure ASGI middleware, so no route changes:
- Body size: `Content-Length` over the limit is refused at once (413); a body sent without one is
  counted as it streams and cut off at the limit. The photo upload route has its own, larger limit
  (files per request x bytes per file); every other body is small JSON.
- Login: failed logins (401) are counted per client IP + email and per client IP; past either limit
  the next attempt answers 429 with Retry-After before the password is even checked. A successful
  login clears its IP + email count. Successful logins are never limited.
- Generation: the calls that start paid work (generate images/clips, compose, retry) are counted
  per user when accepted (202); past the limit the next one answers 429.

State is in this process (a sliding window per key). With several gateway replicas each enforces
its own share, so the effective limit is N x the setting; a shared store (Redis, or a PostgreSQL
table) is needed for exact limits across replicas. Behind a proxy, run uvicorn with
--proxy-headers and --forwarded-allow-ips so the client IP is the real one.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.core.config import Settings
from gateway.core.security import decode_token

LOGIN_PATH = "/api/auth/login"
GENERATION_PATH = re.compile(
    r"^/api/(generate-images|generate-clips|compose-final-video|sessions/[^/]+/retry)$"
)
UPLOAD_PATH = re.compile(r"^/api/sessions/[^/]+/images$")
# Multipart framing and the form's small fields, on top of the files themselves.
UPLOAD_OVERHEAD_BYTES = 256 * 1024


class SlidingWindow:
    """At most `limit` hits per key in any `window_s`; memory is bounded by the active keys."""

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._next_sweep = 0.0

    def _recent(self, key: str, now: float) -> deque[float] | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return None
        return hits

    def retry_after(self, key: str) -> float:
        """Seconds until `key` may try again (0 when it may now)."""
        now = self.clock()
        hits = self._recent(key, now)
        if hits is None or len(hits) < self.limit:
            return 0.0
        return hits[-self.limit] + self.window_s - now

    def hit(self, key: str) -> None:
        now = self.clock()
        self._hits.setdefault(key, deque()).append(now)
        if now >= self._next_sweep:  # forget idle keys, so memory follows the active ones only
            for k in list(self._hits):
                self._recent(k, now)
            self._next_sweep = now + self.window_s

    def clear(self, key: str) -> None:
        self._hits.pop(key, None)

    def __len__(self) -> int:
        return len(self._hits)


class BodyTooLarge(Exception):
    pass


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


async def _answer(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _too_many(what: str, wait_s: float) -> tuple[int, str, dict[str, str]]:
    seconds = max(1, math.ceil(wait_s))
    return 429, f"{what}; try again in {seconds} s", {"Retry-After": str(seconds)}


class EdgeLimits:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        s = settings
        self.login_by_account = SlidingWindow(s.login_max_failures, s.login_window_s)
        self.login_by_ip = SlidingWindow(s.login_max_failures_per_ip, s.login_window_s)
        self.generation = SlidingWindow(s.generation_max_starts, s.generation_window_s)

    def body_limit(self, path: str) -> int:
        s = self.settings
        if UPLOAD_PATH.match(path):
            return s.upload_max_bytes * s.upload_max_files + UPLOAD_OVERHEAD_BYTES
        return s.max_body_bytes

    def too_large(self, path: str, limit: int) -> str:
        s = self.settings
        if UPLOAD_PATH.match(path):
            photos, mb = s.upload_max_files, s.upload_max_bytes / 1e6
            return f"files: the upload is larger than {photos} photos of {mb:g} MB"
        return f"request body: at most {limit} bytes"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        limit = self.body_limit(path)
        too_large = self.too_large(path, limit)
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _answer(send, 413, too_large)
            return
        receive = self._counting(receive, limit)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            if method == "POST" and path == LOGIN_PATH:
                await self._login(scope, receive, tracking_send)
            elif method == "POST" and GENERATION_PATH.match(path):
                await self._generation(scope, receive, tracking_send)
            else:
                await self.app(scope, receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _answer(send, 413, too_large)

    @staticmethod
    def _counting(receive: Receive, limit: int) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        return counted

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The body is small (limited above): read it for the email, then hand it on unchanged.
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        try:
            email = str(json.loads(body).get("email", "")).strip().lower()
        except (ValueError, AttributeError):
            email = ""
        ip = scope["client"][0] if scope.get("client") else "unknown"
        account = f"{ip}|{email}"
        wait = max(self.login_by_account.retry_after(account), self.login_by_ip.retry_after(ip))
        if wait > 0:
            await _answer(send, *_too_many("too many failed logins", wait))
            return
        status = 0
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, replay, watch)
        if status == 401:
            self.login_by_account.hit(account)
            self.login_by_ip.hit(ip)
        elif 200 <= status < 300:
            self.login_by_account.clear(account)

    async def _generation(self, scope: Scope, receive: Receive, send: Send) -> None:
        auth = _header(scope, b"authorization") or ""
        token = auth[7:] if auth[:7].lower() == "bearer " else ""
        claims = decode_token(token, self.settings.jwt_key, "access") if token else None
        if claims is None:  # the route answers 401
            await self.app(scope, receive, send)
            return
        user = f"user:{claims.get('sub')}"
        if (wait := self.generation.retry_after(user)) > 0:
            limit, window = self.settings.generation_max_starts, self.settings.generation_window_s
            what = f"generation: at most {limit} starts per {window:g} s per user"
            await _answer(send, *_too_many(what, wait))
            return
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status == 202:
            self.generation.hit(user)


def _document(schema: dict[str, Any]) -> None:
    """Add the limits' answers to the OpenAPI document, so clients (and schemathesis) know them."""
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            if method == "post" and (path == LOGIN_PATH or GENERATION_PATH.match(path)):
                responses.setdefault("429", {"description": "rate limited; see Retry-After"})
            if "requestBody" in op:
                responses.setdefault("413", {"description": "request body too large"})


def install_limits(app: FastAPI, settings: Settings) -> None:
    """Add the middleware (before CORS, so CORS wraps its answers too) and document its answers."""
    app.add_middleware(EdgeLimits, settings=settings)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _document(build())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
