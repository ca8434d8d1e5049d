"""Idempotent items: a result is kept in storage under its caller-chosen item id AND a digest of what
was asked for, so a repeated request replays what was already delivered instead of generating (and
paying for) it again, while the same item id with other content is made anew, never answered with
an earlier result it does not describe."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from google.protobuf.message import DecodeError, Message

from services.common.storage import ObjectStore

M = TypeVar("M", bound=Message)


def content_digest(*parts: Message | str) -> str:
    """A digest of the request content an item is made from (deterministic protobuf bytes)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.SerializeToString(deterministic=True) if isinstance(part, Message) else part.encode()
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()[:32]


class ResultCache:
    def __init__(self, store: ObjectStore, agent: str) -> None:
        self.store = store
        self.agent = agent

    def _key(self, session_id: str, item_id: str, digest: str) -> str:
        return f"results/{self.agent}/{session_id}/{item_id}.{digest}.pb"

    async def get(self, session_id: str, item_id: str, digest: str, msg_type: type[M]) -> M | None:
        key = self._key(session_id, item_id, digest)
        if not await self.store.exists(key):
            return None
        try:
            return msg_type.FromString(await self.store.get_bytes(key))
        except DecodeError:
            return None  # a damaged record is regenerated rather than trusted

    async def put(self, session_id: str, item_id: str, digest: str, msg: Message) -> None:
        await self.store.put_bytes(
            self._key(session_id, item_id, digest), msg.SerializeToString(), "application/x-protobuf"
        )

    async def get_or_make(
        self, session_id: str, item_id: str, digest: str, msg_type: type[M], make: Callable[[], Awaitable[M]]
    ) -> M:
        """The stored result with `replayed` set, or a fresh one that is stored before returning."""
        cached = await self.get(session_id, item_id, digest, msg_type)
        if cached is not None:
            cached.replayed = True  # type: ignore[attr-defined]
            return cached
        result = await make()
        await self.put(session_id, item_id, digest, result)
        return result
