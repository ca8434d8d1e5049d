"""Webhook targets: every resolved address is judged by `ipaddress`, IPv6 forms that embed an IPv4
address (compatible, mapped, NAT64, 6to4, Teredo) by that address too; only global ones pass."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from gateway.webhooks.targets import TargetRefused, resolve_target

INSIDE = [
    "[::127.0.0.1]",  # IPv4-compatible loopback
    "[::ffff:127.0.0.1]",
    "[64:ff9b::7f00:1]",  # NAT64 of 127.0.0.1
    "[64:ff9b::a9fe:a9fe]",  # NAT64 of the metadata service 169.254.169.254
    "[64:ff9b:1::a00:1]",  # local-use NAT64 of 10.0.0.1
    "[2002:7f00:1::]",  # 6to4 of 127.0.0.1
    "[2002:a00:1::1]",  # 6to4 of 10.0.0.1
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]",  # Teredo of 127.0.0.1
    "[::a00:1]",
    "[::1]",
    "[fe80::1]",
    "[fd00::1]",
    "127.0.0.1",
    "169.254.169.254",
]


@pytest.mark.parametrize("host", INSIDE)
async def test_addresses_that_reach_inside_are_refused(host: str) -> None:
    with pytest.raises(TargetRefused, match="refused"):
        await resolve_target(f"http://{host}:8080/hook", allow_private=False)


@pytest.mark.parametrize("host", ["[64:ff9b::808:808]", "[2002:808:808::1]", "[2606:4700::1111]", "8.8.8.8"])
async def test_global_addresses_pass(host: str) -> None:
    target = await resolve_target(f"https://{host}/hook", allow_private=False)
    assert target.pinned_url.startswith("https://")


async def test_every_resolved_address_is_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name whose answers mix a public and an embedded-loopback address is refused."""

    async def answers(*_: Any, **__: Any) -> list[Any]:
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 443)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("64:ff9b::7f00:1", 443, 0, 0)),
        ]

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", answers)
    with pytest.raises(TargetRefused, match="64:ff9b::7f00:1"):
        await resolve_target("https://hooks.example.com/x", allow_private=False)
