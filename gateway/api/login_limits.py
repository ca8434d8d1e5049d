"""Login brute force, without letting anyone lock an owner out of their account.

- Per account + client IP: past `login_max_failures` failures in the window, that pair gets 429
  before the password is even checked. Another IP (the owner's) is not affected.
- Per account, from any IP: each failure beyond `login_delay_after` doubles a delay (up to
  `login_delay_max_s`) that every attempt on the account waits before it is checked. A delay slows
  guessing from many addresses but never refuses: the right password still logs in.
- Per client IP, across accounts (password spraying): the same growing delay, never a refusal, so
  users behind one NAT or a misconfigured proxy are slowed at worst.

An attempt is counted when it starts (check and count in one step, so 40 concurrent guesses cannot
all pass a check made before any of them was counted) and taken back unless it turns out a failure
(401). A success clears its account's counts. The counts are in PostgreSQL, shared by every
replica (gateway/api/shared_windows.py); the client IP is the real one
only when the proxies in front are configured (gateway/api/client_ip.py).
"""

from __future__ import annotations

import asyncio
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.api.rate_windows import WatchedSend, answer, too_many
from gateway.api.shared_windows import SharedWindow
from gateway.core.config import Settings

# Counts past which the per-account and per-IP delays reach their cap are never needed.
_COUNT_CEILING = 1_000_000


class LoginGuard:
    def __init__(self, settings: Settings) -> None:
        s = settings
        self.settings = settings
        ns = s.rate_limit_namespace
        self.pairs = SharedWindow(f"{ns}login-pair", s.login_max_failures, s.login_window_s)
        self.accounts = SharedWindow(f"{ns}login-account", _COUNT_CEILING, s.login_window_s)
        self.addresses = SharedWindow(f"{ns}login-ip", _COUNT_CEILING, s.login_window_s)

    def delay_s(self, failures: int, free: int) -> float:
        """No wait for the first `free` failures, then base, 2 x base, 4 x base, ... up to the cap."""
        s = self.settings
        if failures < free:
            return 0.0
        return min(s.login_delay_max_s, s.login_delay_base_s * 2 ** min(failures - free, 30))

    async def __call__(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        # The body is small (limited by the edge): read it for the email, then hand it on unchanged.
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
        pair, account, address = f"{email}|{ip}", f"account:{email}", f"ip:{ip}"
        db = scope["app"].state.sessionmaker
        wait, pair_at = await self.pairs.reserve(db, pair)
        if wait > 0:
            await answer(send, *too_many("too many failed logins for this account from here", wait))
            return
        s = self.settings
        delay = max(
            self.delay_s(await self.accounts.count(db, account), s.login_delay_after),
            self.delay_s(await self.addresses.count(db, address), s.login_ip_delay_after),
        )
        _, account_at = await self.accounts.reserve(db, account)
        _, address_at = await self.addresses.reserve(db, address)
        if delay > 0:
            await asyncio.sleep(delay)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        watched = WatchedSend(send)
        try:
            await app(scope, replay, watched)
        finally:
            if 200 <= watched.status < 300:
                await self.pairs.clear(db, pair)
                await self.accounts.clear(db, account)
                await self.addresses.undo(db, address_at)
            elif watched.status != 401:  # not a wrong password (a bad body, a crash): not a failure
                await self.pairs.undo(db, pair_at)
                await self.accounts.undo(db, account_at)
                await self.addresses.undo(db, address_at)
