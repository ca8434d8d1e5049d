"""The client's address: the TCP peer, or what `X-Forwarded-For` says only when the peer is one of
the configured proxies (`ADREEL_TRUSTED_PROXIES`, in Kubernetes the ingress controller).

uvicorn's own --proxy-headers trusts 127.0.0.1 by default, so anything on the host could claim any
address and walk past the login limits; the gateway runs uvicorn without it and decides here.
The header is read right to left: each hop a trusted proxy appended is skipped, and the first
address no trusted proxy vouches for is the client (the left part is whatever the client sent).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> list[Network]:
    """`10.0.0.5`, `10.244.0.0/16`, `fd00::/8` -> networks (ValueError names a bad entry)."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"trusted_proxies: {value!r} is not an IP address or network") from None
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip().strip('"')
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    return getattr(address, "ipv4_mapped", None) or address


def client_address(peer: str, forwarded_for: str | None, trusted: list[Network]) -> str:
    """The client's address for a request from `peer` carrying `forwarded_for`."""

    def vouched(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        return address is not None and any(address in n for n in trusted)

    if not forwarded_for or not vouched(_address(peer)):
        return peer
    hops = [h for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # garbage where an address belongs: trust nothing further left
            return peer
        if not vouched(address):
            return str(address)
    # Every hop is a proxy of ours: the leftmost one is as close to the client as we know.
    first = _address(hops[0]) if hops else None
    return str(first) if first is not None else peer


class TrustedProxies:
    """Sets scope["client"] from X-Forwarded-For when the peer is a trusted proxy."""

    def __init__(self, app: ASGIApp, trusted: list[Network]) -> None:
        self.app = app
        self.trusted = trusted

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.trusted and scope.get("client"):
            forwarded = [v.decode("latin-1") for k, v in scope["headers"] if k == b"x-forwarded-for"]
            if forwarded:
                peer = scope["client"][0]
                client = client_address(peer, ",".join(forwarded), self.trusted)
                if client != peer:
                    scope = {**scope, "client": (client, 0)}
        await self.app(scope, receive, send)
