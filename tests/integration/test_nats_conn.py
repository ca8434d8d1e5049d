"""services/common/nats_conn.py on a real nats-server: the first connect waits for the server, a
lost server is reconnected to (callbacks once each way, subscriptions restored), our own close is
not an outage, and ensure_stream creates or updates a stream."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

from nats.aio.msg import Msg
from nats.js.api import StreamConfig

from services.common.nats_conn import connect_nats, ensure_stream
from stack.embedded import EmbeddedNats, free_port


async def test_connect_waits_for_the_server_and_reconnects_after_a_restart(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "nats", port=free_port())
    events: list[str] = []

    async def lost() -> None:
        events.append("lost")

    async def back() -> None:
        events.append("back")

    # Asked for before the server runs: the first connection waits until it answers.
    connecting = asyncio.create_task(
        connect_nats(server.url, "test-conn", on_disconnected=lost, on_reconnected=back, reconnect_wait_s=0.1)
    )
    await asyncio.sleep(0.5)
    assert not connecting.done()
    await server.start()
    try:
        nc = await asyncio.wait_for(connecting, 10)
        got: asyncio.Queue[bytes] = asyncio.Queue()

        async def on_msg(msg: Msg) -> None:
            await got.put(msg.data)

        await nc.subscribe("t.echo", cb=on_msg)

        await server.stop()
        for _ in range(100):
            if events:
                break
            await asyncio.sleep(0.05)
        assert events == ["lost"] and not nc.is_connected

        await server.start()
        for _ in range(200):
            if nc.is_connected and "back" in events:
                break
            await asyncio.sleep(0.05)
        assert events == ["lost", "back"]
        # The subscription made before the outage works again without being made again.
        await nc.publish("t.echo", b"hello")
        assert await asyncio.wait_for(got.get(), 5) == b"hello"

        await nc.close()
        await asyncio.sleep(0.1)
        assert events == ["lost", "back"], "our own close() is not an outage"
    finally:
        await server.stop()


async def test_ensure_stream_creates_then_updates(tmp_path: Path) -> None:
    server = EmbeddedNats(tmp_path / "nats")
    url = await server.start()
    try:
        nc = await connect_nats(url, "test-stream")
        name = f"T_{secrets.token_hex(4).upper()}"
        await ensure_stream(nc, StreamConfig(name=name, subjects=["t.a.>"], max_age=60.0))
        # Made sure of again by another process with a changed definition: updated, not refused.
        await ensure_stream(nc, StreamConfig(name=name, subjects=["t.a.>", "t.b.>"], max_age=60.0))
        info = await nc.jetstream().stream_info(name)
        assert info.config.subjects == ["t.a.>", "t.b.>"]
        await nc.close()
    finally:
        await server.stop()
