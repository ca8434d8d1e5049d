"""Webhook signing secrets at rest: AES-256-GCM under keys from the environment, with rotation.

A database dump (a backup, a replica, a leaked snapshot) must not let anyone sign webhooks as
Adreel. The 32 random bytes of a `whsec_` secret are sealed as `enc1:<key id>:<nonce + ciphertext>`
(94 characters: the column holds 100). `ADREEL_WEBHOOK_KEYS` lists base64 keys of 32 bytes, newest
first: the first seals, every one of them opens. To rotate, put a new key first and restart; each
gateway reseals what an older key sealed when it starts (and plain secrets from before sealing), so
an old key can be dropped once every replica has run with the new list.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.db.models import Session
from gateway.webhooks.signing import SECRET_PREFIX

PREFIX = "enc1:"
# Binds a sealed value to its use: it cannot be passed off as anything else sealed with these keys.
_AAD = b"adreel webhook signing secret"


class HasWebhookSecret(Protocol):
    """A row holding a webhook secret as stored (a session, a batch)."""

    webhook_secret: str | None


class SealError(ValueError):
    """A sealed secret that no configured key opens (a key was dropped too early)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_key(text: str) -> bytes:
    """A key as configured: base64 (standard or URL-safe) of exactly 32 bytes."""
    text = text.strip().replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("webhook_keys: each key must be base64 of 32 random bytes") from None
    if len(key) != 32:
        raise ValueError(f"webhook_keys: each key must be 32 bytes, not {len(key)}")
    return key


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


class Keyring:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("webhook_keys: at least one key is needed")
        self._keys = {hashlib.sha256(k).hexdigest()[:8]: AESGCM(k) for k in keys}
        self.primary = next(iter(self._keys))

    def seal(self, secret: str) -> str:
        raw = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
        nonce = os.urandom(12)
        sealed = self._keys[self.primary].encrypt(nonce, raw, _AAD)
        return f"{PREFIX}{self.primary}:{_b64(nonce + sealed)}"

    def reveal(self, stored: str) -> str:
        """The `whsec_` secret of a stored value (one from before sealing is returned as it is)."""
        if not stored.startswith(PREFIX):
            return stored
        try:
            key_id, payload = stored.removeprefix(PREFIX).split(":", 1)
            data = _unb64(payload)
            raw = self._keys[key_id].decrypt(data[:12], data[12:], _AAD)
        except (KeyError, ValueError, InvalidTag, binascii.Error):
            raise SealError("a webhook secret is sealed with a key that is not configured") from None
        return SECRET_PREFIX + base64.b64encode(raw).decode()

    def is_current(self, stored: str) -> bool:
        return stored.startswith(f"{PREFIX}{self.primary}:")

    def reseal(self, rows: Iterable[HasWebhookSecret]) -> int:
        """Each row's secret sealed under the first key, if stored plain or under an older one;
        how many changed. One no configured key opens is left for a gateway that has the key."""
        count = 0
        for row in rows:
            stored = row.webhook_secret or ""
            if self.is_current(stored):
                continue
            try:
                row.webhook_secret = self.seal(self.reveal(stored))
            except SealError:
                continue
            count += 1
        return count


async def reseal_all(db: async_sessionmaker[AsyncSession], keyring: Keyring) -> int:
    """Seal, under the first key, every session secret stored plain or under an older key."""
    async with db.begin() as s:
        stale = Session.webhook_secret.is_not(None) & Session.webhook_secret.not_like(
            f"{PREFIX}{keyring.primary}:%"
        )
        rows = await s.execute(select(Session).where(stale).with_for_update(skip_locked=True))
        count = keyring.reseal(rows.scalars())
    return count
