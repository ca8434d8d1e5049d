"""Which object store a process uses: the one its settings name."""

from __future__ import annotations

from services.common.config import StorageSettings
from services.common.storage.base import ObjectStore
from services.common.storage.local import LocalStore
from services.common.storage.s3 import S3Store


def open_store(settings: StorageSettings) -> ObjectStore:
    if settings.storage_backend == "s3":
        return S3Store.from_settings(settings)
    return LocalStore(settings.storage_dir)
