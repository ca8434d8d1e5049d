"""Object storage: where every image, clip and video lives. Agents pass references, never bytes.

A reference is `asset://<key>`. Keys are relative paths of a restricted alphabet, so a reference
can never name a file outside the store or a URL elsewhere (no traversal, no SSRF). The local
folder backend is the default; an S3 backend plugs in behind the same interface.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from services.common.config import StorageSettings
from services.common.errors import InvalidArgument, NotFound

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


def _sha256_file(path: Path) -> str:
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
    def local_path(self, key: str) -> AsyncIterator[Path]:
        """`async with store.local_path(key) as path`: a readable file with the object's bytes."""

    def presigned_url(self, key: str, expires_s: int = 3600) -> str | None:
        """A URL a browser can fetch directly, or None when the gateway must serve the bytes."""
        return None


class LocalStore(ObjectStore):
    """A folder on disk (shared by every process of `make run`, or a volume in Kubernetes)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path_of(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise InvalidArgument("key", "is outside the store")
        return path

    async def put_file(self, key: str, src: Path, content_type: str) -> StoredObject:
        dest = self.path_of(key)

        def _copy() -> StoredObject:
            dest.parent.mkdir(parents=True, exist_ok=True)
            # Write beside the target and rename: readers never see half an object.
            fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".tmp-")
            os.close(fd)
            try:
                shutil.copyfile(src, tmp)
                os.replace(tmp, dest)
            finally:
                Path(tmp).unlink(missing_ok=True)
            return StoredObject(key, dest.stat().st_size, _sha256_file(dest), content_type)

        return await asyncio.to_thread(_copy)

    async def get_bytes(self, key: str) -> bytes:
        path = self.path_of(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise NotFound(f"no stored object {uri_for(key)}") from None

    async def exists(self, key: str) -> bool:
        return self.path_of(key).is_file()

    async def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)

    @asynccontextmanager
    async def local_path(self, key: str) -> AsyncIterator[Path]:
        path = self.path_of(key)
        if not path.is_file():
            raise NotFound(f"no stored object {uri_for(key)}")
        yield path


def open_store(settings: StorageSettings) -> ObjectStore:
    if settings.storage_backend == "s3":
        # Imported here: boto3 is only loaded by deployments that store in S3.
        from services.common.s3_storage import S3Store

        return S3Store.from_settings(settings)
    return LocalStore(settings.storage_dir)
