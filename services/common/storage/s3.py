"""Object storage in an S3 bucket (AWS or any S3-compatible server), behind the ObjectStore API.

boto3 is synchronous, so every call runs in a worker thread; the event loop never blocks on the
network. Browsers fetch media through presigned GET URLs instead of through the gateway.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from services.common.config import StorageSettings
from services.common.errors import InvalidArgument, NotFound
from services.common.storage.base import ObjectStore, StoredObject, sha256_file, uri_for, validate_key

_MISSING = {"404", "NoSuchKey", "NotFound"}


def _is_missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code", "")) in _MISSING


class S3Store(ObjectStore):
    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        path_style: bool = False,
        client: Any | None = None,
    ) -> None:
        if not bucket:
            raise InvalidArgument("s3_bucket", "must be set when storage_backend is s3")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        if self.prefix:
            validate_key(self.prefix, "s3_prefix")
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if path_style else "auto"},
            retries={"max_attempts": 5, "mode": "standard"},
        )
        # Credentials come from boto3's default chain (AWS_* variables, profile, IAM role).
        self.client = client or boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region, config=config
        )

    @classmethod
    def from_settings(cls, settings: StorageSettings) -> S3Store:
        return cls(
            settings.s3_bucket,
            prefix=settings.s3_prefix,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            path_style=settings.s3_path_style,
        )

    def object_key(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    async def put_file(self, key: str, src: Path, content_type: str) -> StoredObject:
        name = self.object_key(key)

        def _upload() -> StoredObject:
            sha256 = sha256_file(src)
            self.client.upload_file(
                str(src),
                self.bucket,
                name,
                ExtraArgs={"ContentType": content_type, "Metadata": {"sha256": sha256}},
            )
            return StoredObject(key, src.stat().st_size, sha256, content_type)

        return await asyncio.to_thread(_upload)

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> StoredObject:
        name = self.object_key(key)
        sha256 = hashlib.sha256(data).hexdigest()
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=name,
            Body=data,
            ContentType=content_type,
            Metadata={"sha256": sha256},
        )
        return StoredObject(key, len(data), sha256, content_type)

    async def get_bytes(self, key: str) -> bytes:
        name = self.object_key(key)

        def _get() -> bytes:
            try:
                return self.client.get_object(Bucket=self.bucket, Key=name)["Body"].read()
            except ClientError as exc:
                if _is_missing(exc):
                    raise NotFound(f"no stored object {uri_for(key)}") from None
                raise

        return await asyncio.to_thread(_get)

    async def exists(self, key: str) -> bool:
        name = self.object_key(key)

        def _head() -> bool:
            try:
                self.client.head_object(Bucket=self.bucket, Key=name)
            except ClientError as exc:
                if _is_missing(exc):
                    return False
                raise
            return True

        return await asyncio.to_thread(_head)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=self.object_key(key))

    async def delete_tree(self, prefix: str) -> int:
        """Listed a page (up to 1,000 keys) at a time and removed in one request per page; needs
        s3:ListBucket beside s3:DeleteObject."""
        folder = self.object_key(prefix) + "/"

        def _remove() -> int:
            count = 0
            for page in self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=folder
            ):
                keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
                if keys:
                    self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
                    count += len(keys)
            return count

        return await asyncio.to_thread(_remove)

    @asynccontextmanager
    async def local_path(self, key: str) -> AsyncIterator[Path]:
        """Download to a private temporary file (FFmpeg and PyAV want paths), removed afterwards."""
        name = self.object_key(key)
        with tempfile.TemporaryDirectory(prefix="adreel-s3-") as tmp:
            path = Path(tmp) / Path(key).name

            def _download() -> None:
                try:
                    self.client.download_file(self.bucket, name, str(path))
                except ClientError as exc:
                    if _is_missing(exc):
                        raise NotFound(f"no stored object {uri_for(key)}") from None
                    raise

            await asyncio.to_thread(_download)
            yield path

    def presigned_url(self, key: str, expires_s: int = 3600) -> str | None:
        # Signing is local computation: no network call, safe to do on the event loop.
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self.object_key(key)},
            ExpiresIn=expires_s,
        )

    async def check(self) -> None:
        """Raise when the bucket is unreachable or missing (for an agent's warmup)."""
        await asyncio.to_thread(self.client.head_bucket, Bucket=self.bucket)
