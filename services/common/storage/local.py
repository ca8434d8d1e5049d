"""Object storage in a folder on disk: the default backend."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from services.common.errors import InvalidArgument, NotFound
from services.common.storage.base import ObjectStore, StoredObject, sha256_file, uri_for, validate_key


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
            return StoredObject(key, dest.stat().st_size, sha256_file(dest), content_type)

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

    async def delete_tree(self, prefix: str) -> int:
        folder = self.path_of(prefix)

        def _remove() -> int:
            count = sum(1 for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
            shutil.rmtree(folder, ignore_errors=True)
            return count

        return await asyncio.to_thread(_remove)

    @asynccontextmanager
    async def local_path(self, key: str) -> AsyncIterator[Path]:
        path = self.path_of(key)
        if not path.is_file():
            raise NotFound(f"no stored object {uri_for(key)}")
        yield path
