"""One way to reach NATS for every process that does: the gateway's cost relay, the ledger, the
gateway's stage jobs and progress bus.

The client reconnects forever on its own (nats-py restores the subscriptions), so callers never
rebuild a connection: they learn of an outage through `on_disconnected` / `on_reconnected`, which
are not called for the client's own close().
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from nats.aio.client import Client as NATS
from nats.js.api import StreamConfig
from nats.js.errors import BadRequestError

log = logging.getLogger(__name__)

Callback = Callable[[], Awaitable[None]]


async def connect_nats(
    url: str,
    name: str,
    *,
    on_disconnected: Callback | None = None,
    on_reconnected: Callback | None = None,
    connect_timeout_s: float = 2.0,
    reconnect_wait_s: float = 0.5,
) -> NATS:
    """Connect to `url` as client `name` (shown by the server's monitoring).

    The first connection is tried again every `reconnect_wait_s` until the server answers (bound
    it with asyncio.timeout when waiting forever is wrong); after that, a lost connection is
    re-established at the same pace, forever, and every publish in between waits or fails fast.
    """
    nc = NATS()

    async def disconnected() -> None:
        if nc.is_closed:  # our own close(): nothing was lost
            return
        log.warning("lost NATS; reconnecting", extra={"client": name})
        if on_disconnected is not None:
            await on_disconnected()

    async def reconnected() -> None:
        log.info("reconnected to NATS", extra={"client": name})
        if on_reconnected is not None:
            await on_reconnected()

    async def error(exc: Exception) -> None:
        # Every refused attempt of a reconnect lands here: the warning above already said it.
        log.debug("nats client error", extra={"client": name, "error": repr(exc)})

    await nc.connect(
        url,
        name=name,
        connect_timeout=connect_timeout_s,
        reconnect_time_wait=reconnect_wait_s,
        max_reconnect_attempts=-1,
        error_cb=error,
        disconnected_cb=disconnected,
        reconnected_cb=reconnected,
    )
    return nc


async def ensure_stream(nc: NATS, config: StreamConfig) -> None:
    """Create the stream, or bring an existing one to this definition (every process that uses a
    stream makes sure of it, so none depends on which one started first)."""
    js = nc.jetstream()
    try:
        await js.add_stream(config)
    except BadRequestError:
        await js.update_stream(config)
