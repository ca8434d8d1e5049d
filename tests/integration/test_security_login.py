"""Logging in under attack: forwarded addresses are believed only from configured proxies, failures
are keyed by account + IP (an owner is never locked out), delays grow per account, an unknown email
costs the same as a known one, bcrypt never holds the event loop, and weak passwords are refused.

The gateway runs as `python -m gateway` (its own process, its own uvicorn flags) on loopback, with
real PostgreSQL.
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
import time
from pathlib import Path

import httpx

from tests.gateway_support import gateway_database, spawned_client

__all__ = ["gateway_database"]

RIGHT = "Right-horse-battery-9"


async def register(c: httpx.AsyncClient, password: str = RIGHT) -> str:
    email = f"owner-{secrets.token_hex(4)}@example.com"
    r = await c.post("/api/auth/register", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    return email


async def attempt(c: httpx.AsyncClient, email: str, password: str, ip: str | None = None) -> int:
    headers = {"X-Forwarded-For": ip} if ip else {}
    r = await c.post("/api/auth/login", json={"email": email, "password": password}, headers=headers)
    return r.status_code


async def test_forwarded_for_is_believed_only_from_configured_proxies(
    gateway_database: str, tmp_path: Path
) -> None:
    limits = {"ADREEL_LOGIN_MAX_FAILURES": "3", "ADREEL_LOGIN_DELAY_AFTER": "1000"}
    async with spawned_client(gateway_database, tmp_path, limits) as c:
        email = await register(c)
        # No proxy configured: a new made-up address per guess changes nothing.
        codes = [await attempt(c, email, "wrong-guess", f"203.0.113.{i}") for i in range(1, 6)]
        assert codes == [401, 401, 401, 429, 429], codes

    trusting = limits | {"ADREEL_TRUSTED_PROXIES": '["127.0.0.1/32"]'}
    async with spawned_client(gateway_database, tmp_path, trusting) as c:
        email = await register(c)
        attacker, owner = "203.0.113.66", "198.51.100.7"
        codes = [await attempt(c, email, "wrong-guess", f"{attacker}, 127.0.0.1") for _ in range(4)]
        assert codes == [401, 401, 401, 429], codes
        # Behind the proxy the owner is another address: never locked out by the attacker.
        assert await attempt(c, email, RIGHT, owner) == 200
        # The proxy's own hop is skipped, a client-supplied left part is not believed.
        assert await attempt(c, email, "wrong-guess", f"{owner}, {attacker}") == 429


async def test_failures_lock_no_owner_out_and_delays_grow_per_account(
    gateway_database: str, tmp_path: Path
) -> None:
    env = {
        "ADREEL_LOGIN_MAX_FAILURES": "3",
        # The old per-IP lockout; the gateway no longer has one (unknown settings are ignored).
        "ADREEL_LOGIN_MAX_FAILURES_PER_IP": "6",
        "ADREEL_LOGIN_DELAY_AFTER": "2",
        "ADREEL_LOGIN_IP_DELAY_AFTER": "1000",
        "ADREEL_LOGIN_DELAY_BASE_S": "0.2",
        "ADREEL_LOGIN_DELAY_MAX_S": "0.8",
        "ADREEL_TRUSTED_PROXIES": '["127.0.0.1"]',
    }
    async with spawned_client(gateway_database, tmp_path, env) as c:
        owner = await register(c)
        # Everyone shares the ingress's address: ten failures against other accounts from it...
        others = [await register(c) for _ in range(5)]
        for email in others:
            assert [await attempt(c, email, "wrong-guess") for _ in range(2)] == [401, 401]
        # ...and the owner, from the same address, still logs in with the right password.
        assert await attempt(c, owner, RIGHT) == 200

        # Guesses at one account from ever new addresses: each failure past two waits longer.
        victim = others[1]
        took = []
        for i in range(4):
            started = time.monotonic()
            assert await attempt(c, victim, "wrong-again", f"203.0.113.{i + 1}") == 401
            took.append(time.monotonic() - started)
        assert took[0] < took[1] < took[2] and took[2] >= 0.35, took
        # The delay slows, it never refuses: the owner's right password still works.
        assert await attempt(c, victim, RIGHT, "198.51.100.7") == 200


async def test_unknown_email_costs_as_much_as_a_known_one(gateway_database: str, tmp_path: Path) -> None:
    env = {"ADREEL_BCRYPT_ROUNDS": "11", "ADREEL_LOGIN_DELAY_AFTER": "1000"}
    async with spawned_client(gateway_database, tmp_path, env) as c:
        known = [await register(c) for _ in range(7)]
        unknown = [f"nobody-{secrets.token_hex(4)}@example.com" for _ in range(7)]
        times: dict[str, list[float]] = {"known": [], "unknown": []}
        for pair in zip(known, unknown, strict=True):  # interleaved: the machine's load hits both
            for kind, email in zip(("known", "unknown"), pair, strict=True):
                started = time.monotonic()
                assert await attempt(c, email, "not-the-password") == 401
                times[kind].append(time.monotonic() - started)
    k, u = statistics.median(times["known"]), statistics.median(times["unknown"])
    # bcrypt at 11 rounds takes ~120 ms; skipping it for unknown emails answered in ~3 ms.
    assert u >= 0.5 * k, (u, k)


async def test_bcrypt_keeps_off_the_event_loop(gateway_database: str, tmp_path: Path) -> None:
    # Ten at once per account and address: beyond the attempts a pair may have in flight.
    env = {
        "ADREEL_BCRYPT_ROUNDS": "11",
        "ADREEL_LOGIN_DELAY_AFTER": "1000",
        "ADREEL_LOGIN_MAX_FAILURES": "20",
    }
    async with spawned_client(gateway_database, tmp_path, env, timeout_s=60) as c:
        emails = [await register(c) for _ in range(4)]
        storm = [asyncio.create_task(attempt(c, emails[i % 4], RIGHT)) for i in range(40)]
        health: list[float] = []
        while not all(t.done() for t in storm):
            started = time.monotonic()
            assert (await c.get("/health")).status_code in (200, 503)
            health.append(time.monotonic() - started)
            await asyncio.sleep(0.02)
        codes = [t.result() for t in storm]
    assert set(codes) <= {200, 503} and codes.count(200) >= 30, codes
    # On the event loop, 40 bcrypt checks held /health for seconds (and it answered a few times).
    ordered = sorted(health)
    assert len(ordered) >= 20 and ordered[int(len(ordered) * 0.9)] < 0.3 and ordered[-1] < 1.5, ordered[-5:]


WEAK = [
    ("123456", "at least 8"),
    ("      ", "at least 8"),
    ("        ", "only spaces"),
    ("12345678", "common"),
    ("Password1", "common"),
    ("qwertyuiop", "common"),
    ("aaaaaaaaaa", "easy"),
]


async def test_weak_passwords_are_refused_naming_the_field(gateway_database: str, tmp_path: Path) -> None:
    async with spawned_client(gateway_database, tmp_path) as c:
        email = f"weak-{secrets.token_hex(4)}@example.com"
        for password, why in WEAK:
            r = await c.post("/api/auth/register", json={"email": email, "password": password})
            assert r.status_code == 422, (password, r.text)
            detail = r.json()["detail"]
            assert detail[0]["loc"][-1] == "password" and why in detail[0]["msg"], (password, detail)
        r = await c.post(
            "/api/auth/register", json={"email": email, "password": email.split("@", maxsplit=1)[0]}
        )
        assert r.status_code == 422
        strong = await c.post("/api/auth/register", json={"email": email, "password": RIGHT})
        assert strong.status_code == 201
        # Existing accounts keep logging in, whatever their password (the demo's is 7 characters).
        demo = {"email": "demo@example.com", "password": "demo123"}
        assert (await c.post("/api/auth/login", json=demo)).status_code == 200


async def test_the_demo_sign_in_is_offered_only_where_the_deployment_keeps_it(
    gateway_database: str, tmp_path: Path
) -> None:
    """`make run` offers the PRD's demo sign-in (the web app fills it in); production turns it off,
    and then the demo's own password is refused like any wrong one."""
    demo = {"email": "demo@example.com", "password": "demo123"}
    async with spawned_client(gateway_database, tmp_path) as c:
        r = await c.get("/api/auth/demo")
        assert r.status_code == 200 and r.json() == demo
        assert (await c.post("/api/auth/login", json=demo)).status_code == 200
    async with spawned_client(gateway_database, tmp_path, {"ADREEL_DEMO_ACCOUNT": "false"}) as c:
        assert (await c.get("/api/auth/demo")).status_code == 404
        r = await c.post("/api/auth/login", json=demo)
        assert r.status_code == 401 and r.json()["detail"] == "wrong email or password"
        # Everyone else signs in as before.
        email = await register(c)
        assert await attempt(c, email, RIGHT) == 200
