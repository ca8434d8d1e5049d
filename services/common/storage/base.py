"""Object storage: where every image, clip and video lives. Agents pass references, never bytes.

A reference is `asset://<key>`. Keys are relative paths of a restricted alphabet, so a reference
can never name a file outside the store or a URL elsewhere (no traversal, no SSRF). The local
folder backend (local.py) is the default; an S3 backend (s3.py) plugs in behind the same interface,
and factory.open_store picks one from the settings.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from services.common.errors import InvalidArgument

URI_SCHEME = "asset://"
_KEY_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._\-]{0,127}(/[A-Za-z0-9_][A-Za-z0-9._\-]{0,127}){0,15}")


def validate_key(key: str, field: str = "key") -> str:
    if not _KEY_RE.fullmatch(key) or ".." in key:
        raise InvalidArgument(field, "is not a valid storage key")
    return key


def key_from_uri(uri: str, field: str = "uri") -> str:
    """The storage key of an `asset://` reference; anything else is refused."""
    if not uri.startswith(URI_SCHEME):
        raise InvalidArgument(field, f"must be an {URI_SCHEME} reference to Adreel storage")
    return validate_key(uri.removeprefix(URI_SCHEME), field)


def uri_for(key: str) -> str:
    return URI_SCHEME + validate_key(key)


@dataclass(frozen=True)
class StoredObject:
    key: str
    bytes: int
    sha256: str
    content_type: str

    @property
    def uri(self) -> str:
        return uri_for(self.key)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class ObjectStore(ABC):
    """The storage interface every service codes against."""

    @abstractmethod
    async def put_file(self, key: str, src: Path, content_type: str) -> StoredObject: ...

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> StoredObject:
        with tempfile.NamedTemporaryFile(delete=False) as tmp:
            tmp.write(data)
        try:
            return await self.put_file(key, Path(tmp.name), content_type)
        finally:
            Path(tmp.name).unlink(missing_ok=True)

    @abstractmethod
    async def get_bytes(self, key: str) -> bytes: ...

    @abstractmethod
    async def exists(self, key: str) -> bool: ...

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    async def delete_tree(self, prefix: str) -> int:
        """Every object whose key starts with `prefix` + "/" removed; how many there were."""

    @abstractmethod
    def local_path(self, key: str) -> AsyncIterator[Path]:
        """`async with store.local_path(key) as path`: a readable file with the object's bytes."""

    def presigned_url(self, key: str, expires_s: int = 3600) -> str | None:
        """A URL a browser can fetch directly, or None when the gateway must serve the bytes."""
        return None
