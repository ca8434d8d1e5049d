"""Object storage: references stay inside the store, writes are atomic, missing objects are NOT_FOUND."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from services.common.errors import InvalidArgument, NotFound
from services.common.storage import LocalStore, key_from_uri, uri_for


@pytest.mark.parametrize(
    "uri",
    [
        "http://169.254.169.254/latest/meta-data",
        "file:///etc/passwd",
        "asset://../etc/passwd",
        "asset:///etc/passwd",
        "asset://sessions/../../x",
        "asset://a//b",
        "asset://",
        "asset://sessions/a b.png",
    ],
)
def test_foreign_or_escaping_references_are_refused(uri: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        key_from_uri(uri, field="jobs[0].image.uri")
    assert err.value.field == "jobs[0].image.uri"


def test_round_trip(store: LocalStore, storage_dir: Path) -> None:
    data = b"\x89PNG fake-but-bytes" * 100

    async def go() -> None:
        obj = await store.put_bytes("sessions/s1/images/i1.png", data, "image/png")
        assert obj.uri == "asset://sessions/s1/images/i1.png"
        assert obj.bytes == len(data)
        assert obj.sha256 == hashlib.sha256(data).hexdigest()
        assert key_from_uri(obj.uri) == obj.key
        assert await store.get_bytes(obj.key) == data
        assert await store.exists(obj.key)
        async with store.local_path(obj.key) as p:
            assert p.read_bytes() == data and p.is_relative_to(storage_dir)
        await store.delete(obj.key)
        assert not await store.exists(obj.key)

    import asyncio

    asyncio.run(go())
    # No temporary files left beside the objects.
    assert not [p for p in storage_dir.rglob(".tmp-*")]


async def test_missing_object_is_not_found(store: LocalStore) -> None:
    with pytest.raises(NotFound):
        await store.get_bytes("sessions/s1/images/nope.png")
    with pytest.raises(NotFound):
        async with store.local_path("sessions/s1/images/nope.png"):
            pass


def test_uri_for_validates() -> None:
    assert uri_for("a/b.png") == "asset://a/b.png"
    with pytest.raises(InvalidArgument):
        uri_for("../x")
