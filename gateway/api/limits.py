"""Limits at the edge: request body size, login brute force, generation per user.

One pure ASGI middleware, so no route changes:
- Body size: `Content-Length` over the limit is refused at once (413); a body sent without one is
  counted as it streams and cut off at the limit. The photo upload route has its own, larger limit
  (files per request x bytes per file); every other body is small JSON.
- Login: per account + IP limits and growing per-account delays (gateway/api/login_limits.py).
- Generation and photo uploads: the calls that start paid work (generate images/clips, compose,
  retry) and uploads (each decodes up to 8 photos) are counted per user as they are let through,
  and taken back unless accepted (202 / 201); past the limit, 429.

The windows are kept in PostgreSQL (gateway/api/shared_windows.py), so they hold across every
gateway replica, like the per-user quotas (running stages and spend per user, gateway/quotas.py).
The client IP is the real one only for proxies named in ADREEL_TRUSTED_PROXIES
(gateway/api/client_ip.py).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import api_keys
from gateway.api.login_limits import LoginGuard
from gateway.api.rate_windows import WatchedSend, answer, too_many
from gateway.api.shared_windows import SharedWindow
from gateway.api_keys import is_api_key
from gateway.brand_kits import FONT_MAX_BYTES, LOGO_MAX_BYTES
from gateway.core.config import Settings
from gateway.core.errors import DATABASE_DOWN, RETRY_AFTER_S, is_database_outage
from gateway.core.openapi import amend_openapi
from gateway.core.security import decode_token, user_id_of
from gateway.music_uploads import MUSIC_MAX_BYTES

__all__ = ["EdgeLimits", "SharedWindow", "install_limits"]

log = logging.getLogger(__name__)

LOGIN_PATH = "/api/auth/login"
GENERATION_PATH = re.compile(
    r"^/api/(generate-images|generate-clips|compose-final-video|sessions/[^/]+/retry)$"
)
UPLOAD_PATH = re.compile(r"^/api/sessions/[^/]+/images$")
# A brand kit's logo or font: one file, checked against its own limit by the route.
BRAND_FILE_PATH = re.compile(r"^/api/brand-kits/[^/]+/(logo|font)$")
# A session's own music track: one file of up to MUSIC_MAX_BYTES, counted with the photo uploads.
MUSIC_PATH = re.compile(r"^/api/sessions/[^/]+/music$")
# Multipart framing and the form's small fields, on top of the files themselves.
UPLOAD_OVERHEAD_BYTES = 256 * 1024


class BodyTooLarge(Exception):
    pass


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


class EdgeLimits:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        s = settings
        self.login = LoginGuard(settings)
        ns = s.rate_limit_namespace
        self.generation = SharedWindow(f"{ns}generation", s.generation_max_starts, s.generation_window_s)
        self.uploads = SharedWindow(f"{ns}uploads", s.upload_max_requests, s.upload_window_s)

    def body_limit(self, path: str) -> int:
        s = self.settings
        if UPLOAD_PATH.match(path):
            return s.upload_max_bytes * s.upload_max_files + UPLOAD_OVERHEAD_BYTES
        if BRAND_FILE_PATH.match(path):
            return max(LOGO_MAX_BYTES, FONT_MAX_BYTES) + UPLOAD_OVERHEAD_BYTES
        if MUSIC_PATH.match(path):
            return MUSIC_MAX_BYTES + UPLOAD_OVERHEAD_BYTES
        return s.max_body_bytes

    def too_large(self, path: str, limit: int) -> str:
        s = self.settings
        if UPLOAD_PATH.match(path):
            photos, mb = s.upload_max_files, s.upload_max_bytes / 1e6
            return f"files: the upload is larger than {photos} photos of {mb:g} MB"
        if MUSIC_PATH.match(path):
            return f"file: a track may be at most {MUSIC_MAX_BYTES / 1e6:g} MB"
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
            await answer(send, 413, too_large)
            return
        receive = self._counting(receive, limit)
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            if method == "POST" and path == LOGIN_PATH:
                await self.login(self.app, scope, receive, tracking_send)
            elif method == "POST" and GENERATION_PATH.match(path):
                what = ("generation", "starts")
                await self._per_user(
                    scope, receive, tracking_send, window=self.generation, what=what, accepted=202
                )
            elif method == "POST" and (UPLOAD_PATH.match(path) or MUSIC_PATH.match(path)):
                what = ("files", "uploads")
                await self._per_user(
                    scope, receive, tracking_send, window=self.uploads, what=what, accepted=201
                )
            else:
                await self.app(scope, receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await answer(send, 413, too_large)
        except Exception as exc:
            # The windows live in PostgreSQL: with it down, the limit can't be checked, so the
            # request gets the same 503 the routes give (not a 500 from the middleware).
            if started or not is_database_outage(exc):
                raise
            log.warning("rate limit unavailable: database down", extra={"path": path})
            await answer(send, 503, DATABASE_DOWN, {"Retry-After": str(RETRY_AFTER_S)})

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

    async def _per_user(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        window: SharedWindow,
        what: tuple[str, str],
        accepted: int,
    ) -> None:
        """At most `window.limit` accepted calls per user in the window (`what`: the field and the
        noun the 429 names). Counted as a call is let
        through (a check before and a count after the answer let 40 concurrent calls all pass) and
        taken back unless it was accepted."""
        auth = _header(scope, b"authorization") or ""
        token = auth[7:] if auth[:7].lower() == "bearer " else ""
        user_id = user_id_of(decode_token(token, self.settings.jwt_key, "access") if token else None)
        if user_id is None and is_api_key(token):
            # An API key counts against its user's limits, like a signed-in session.
            user_id = await api_keys.user_id_for(scope["app"].state.sessionmaker, token)
        if user_id is None:  # the route answers 401
            await self.app(scope, receive, send)
            return
        user = f"user:{user_id}"
        db = scope["app"].state.sessionmaker
        wait, at = await window.reserve(db, user)
        if wait > 0:
            limit = f"at most {window.limit} {what[1]} per {window.window_s:g} s per user"
            await answer(send, *too_many(f"{what[0]}: {limit}", wait))
            return
        watched = WatchedSend(send)
        try:
            await self.app(scope, receive, watched)
        finally:
            if watched.status != accepted:
                await window.undo(db, at)


def _document(schema: dict[str, Any]) -> None:
    """Add the limits' answers to the OpenAPI document, so clients (and schemathesis) know them."""
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            limited = path == LOGIN_PATH or GENERATION_PATH.match(path) or UPLOAD_PATH.match(path)
            if method == "post" and limited:
                responses.setdefault("429", {"description": "rate limited; see Retry-After"})
            if "requestBody" in op:
                responses.setdefault("413", {"description": "request body too large"})


def install_limits(app: FastAPI, settings: Settings) -> None:
    """Add the middleware (before CORS, so CORS wraps its answers too) and document its answers."""
    app.add_middleware(EdgeLimits, settings=settings)
    amend_openapi(app, _document)
