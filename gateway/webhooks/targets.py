"""Where a webhook may go: http(s) URLs without credentials whose host resolves to public addresses.

The host is resolved when the URL is set and again at every attempt, and the attempt connects to
the address that was checked (the Host header and TLS SNI keep the name), so a DNS answer that
changes to a private address after the check (DNS rebinding) never reaches the private network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

MAX_URL_LENGTH = 2048
RESOLVE_TIMEOUT_S = 5.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(ValueError):
    """The URL may not be called; the message says why (shown to the caller as 422)."""


@dataclass(frozen=True)
class Target:
    # The URL with the checked address in place of the host name.
    pinned_url: str
    host_header: str
    # The name TLS must verify the certificate against (None for plain http).
    sni_hostname: str | None
    address: str


def check_url(url: str) -> str:
    """The URL's shape (no network): http/https, a host, no user:password@, no fragment."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"must be at most {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 0x20 for c in url):
        raise TargetRefused("must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise TargetRefused("must be an http:// or https:// URL")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise TargetRefused("must not carry credentials (user:password@)")
    if not parts.hostname:
        raise TargetRefused("must name a host")
    if port == 0:
        raise TargetRefused("must not use port 0")
    return urlunsplit(parts._replace(fragment=""))


# IPv6 forms that carry an IPv4 address a router may reach it by: NAT64 (RFC 6052 and RFC 8215
# local use), 6to4, and the deprecated IPv4-compatible ::a.b.c.d; IPv4-mapped is ip.ipv4_mapped.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """Every IPv4 address an IPv6 address stands for (none for a plain IPv6 or an IPv4)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    low32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if any(ip in net for net in _NAT64) or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        found.append(low32)
    return found


def _refusal(ip: IPAddress) -> str | None:
    """Why an address is not a public unicast one, or None when it is; an IPv6 address that embeds
    an IPv4 one (mapped, compatible, NAT64, 6to4, Teredo) is judged by that too."""
    for inner in (*embedded_ipv4(ip), ip):  # the embedded address first: it names the real reason
        if inner.is_multicast:
            return "multicast"
        if inner.is_unspecified:
            return "unspecified"
        if inner.is_loopback:
            return "loopback"
        if inner.is_link_local:
            return "link-local"
        if inner.is_private or not inner.is_global:
            return "private or reserved"
    return None


async def _addresses(host: str, port: int) -> list[IPAddress]:
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        return [literal]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_S
        )
    except (TimeoutError, OSError, UnicodeError) as exc:
        raise TargetRefused(f"host {host!r} does not resolve ({exc or 'timeout'})") from None
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise TargetRefused(f"host {host!r} does not resolve")
    return found


async def resolve_target(url: str, *, allow_private: bool) -> Target:
    """Check the URL, resolve its host, refuse non-public addresses (unless allowed), pin one."""
    parts = urlsplit(check_url(url))
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await _addresses(host, port)
    for ip in addresses:
        why = _refusal(ip)
        # Even when private targets are allowed, multicast and 0.0.0.0 are never a receiver.
        if why in ("multicast", "unspecified") or (why and not allow_private):
            raise TargetRefused(f"host {host!r} resolves to a {why} address ({ip}); refused")
    chosen = addresses[0]
    literal = f"[{chosen}]" if chosen.version == 6 else str(chosen)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    return Target(
        pinned_url=urlunsplit(parts._replace(netloc=netloc)),
        host_header=parts.netloc,
        sni_hostname=host if parts.scheme == "https" else None,
        address=str(chosen),
    )
