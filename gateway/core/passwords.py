"""Passwords: what registration accepts, and bcrypt off the event loop with the same work for every
login, known email or not.

bcrypt takes ~250 ms of CPU by design. Run on the event loop, 40 concurrent logins held every other
request (even /health) for seconds; here it runs in a small thread pool (bcrypt releases the GIL),
and at most `password_max_waiting` more wait for it, past which a login gets 503 at once rather
than piling up. A login for an unknown email checks the password against a hash made at startup, so
both answers take the same time and the timing tells nobody which emails have accounts.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, partial
from typing import TypeVar

from zxcvbn.frequency_lists import FREQUENCY_LISTS

from gateway.core.security import hash_password, verify_password

T = TypeVar("T")
MIN_LENGTH = 8
# bcrypt reads at most 72 bytes; the API refuses longer passwords (LoginRequest).
MAX_BYTES = 72


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords (the list zxcvbn bundles, MIT licence), lower case."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, email: str = "") -> str | None:
    """Why registration refuses `password`, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if not password.strip():
        return "must not be only spaces"
    if len(password.encode()) > MAX_BYTES:
        return f"must be at most {MAX_BYTES} bytes"
    folded = password.strip().lower()
    if folded in common_passwords():
        return "is one of the most common passwords; choose another"
    local = email.strip().lower().split("@", 1)[0]
    if folded in (email.strip().lower(), local) or (len(set(folded)) == 1):
        return "is too easy to guess; choose another"
    return None


def _lower_priority() -> None:
    """A hashing thread yields the CPU to the event loop's: a login may wait, /health may not.
    (On Linux a thread's nice value is its own; elsewhere this does nothing.)"""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


class Busy(Exception):
    """More logins are waiting for a hash than the gateway lets queue up."""


class PasswordHasher:
    """bcrypt in a bounded pool of threads, never on the event loop."""

    def __init__(self, rounds: int, workers: int, max_waiting: int) -> None:
        self.rounds = rounds
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="bcrypt", initializer=_lower_priority
        )
        self._admitted = asyncio.Semaphore(workers + max_waiting)
        # What an unknown email's password is checked against: same cost as a real account's.
        self._dummy = hash_password(secrets.token_urlsafe(16), rounds)

    async def _run(self, call: Callable[[], T]) -> T:
        if self._admitted.locked():
            raise Busy
        async with self._admitted:
            return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    async def hash(self, password: str) -> str:
        return await self._run(partial(hash_password, password, self.rounds))

    async def verify(self, password: str, hashed: str | None) -> bool:
        """The password against `hashed`, or against the dummy hash (always False) when None."""
        ok = await self._run(partial(verify_password, password, hashed or self._dummy))
        return ok and hashed is not None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
