"""Personal API keys: for scripts, the CLI and MCP clients, which should not hold a password.

A key is `adr_` + 43 URL-safe characters (256 random bits). It is shown once, when created; only its
sha256 is stored (a high-entropy secret needs no slow hash), with a name, a hint of its first
characters, a scope, an optional expiry and its revocation. A key authenticates as its user, so the
user's rate limits and quotas apply to it as to a signed-in person, and:

- scope `read` allows reading (GET), a WebSocket ticket and a quote, nothing that spends;
- scope `generate` allows everything a signed-in user may do, except managing API keys, which takes
  a signed-in session (a leaked key cannot mint or keep itself alive).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, String, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db.mixins import UserOwned
from gateway.db.models import Base, User

PREFIX = "adr_"
_SHAPE = re.compile(r"adr_[A-Za-z0-9_-]{43}")
SCOPES = ("read", "generate")
# Calls a read key may make besides GET/HEAD: they spend nothing.
READ_POSTS = frozenset({"/api/ws-ticket", "/api/quote"})
# last_used_at is written at most this often per key (not on every request).
TOUCH_EVERY = timedelta(minutes=1)


class ApiKey(UserOwned, Base):
    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(16))
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so a person can tell keys apart ("adr_x1Yz…"); never enough to use.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def is_api_key(token: str | None) -> bool:
    """Shaped like a key (nothing else is looked up)."""
    return bool(token) and bool(_SHAPE.fullmatch(token or ""))


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def live(key: ApiKey, now: datetime) -> bool:
    return key.revoked_at is None and (key.expires_at is None or key.expires_at > now)


async def lookup(db: AsyncSession, token: str) -> ApiKey | None:
    """The live key `token` is, or None (unknown, revoked, expired); its last use noted."""
    if not is_api_key(token):
        return None
    key = await db.scalar(select(ApiKey).where(ApiKey.key_sha256 == digest(token)))
    now = datetime.now(UTC)
    if key is None or not live(key, now):
        return None
    if key.last_used_at is None or now - key.last_used_at > TOUCH_EVERY:
        await db.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
        await db.commit()
    return key


async def user_of(db: AsyncSession, token: str) -> tuple[User, ApiKey] | None:
    key = await lookup(db, token)
    if key is None:
        return None
    user = await db.get(User, key.user_id)
    return (user, key) if user is not None else None


async def user_id_for(sessionmaker: async_sessionmaker[AsyncSession], token: str) -> int | None:
    """For the edge limits, which see only headers: the user a live key belongs to."""
    async with sessionmaker() as db:
        key = await lookup(db, token)
    return key.user_id if key is not None else None


def scope_refusal(key: ApiKey, method: str, path: str) -> str | None:
    """Why `key` may not make this call, or None."""
    if key.scope == "generate" or method in ("GET", "HEAD", "OPTIONS") or path in READ_POSTS:
        return None
    return f"api key scope: this key ({key.name!r}) may only read; {method} {path} needs a generate key"
