"""WS /ws/{session_id}?token=…: the session's progress events, latest state first, heartbeats."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from gateway.api.deps import user_from_token
from gateway.db.models import Session
from gateway.progress import ProgressHub, Subscriber
from gateway.schemas import ProgressEvent
from gateway.views import dollars

router = APIRouter()

# Close codes in the 4000 range a browser can read: like HTTP 401 and 404.
CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404


def _snapshot(hub: ProgressHub, row: Session) -> ProgressEvent:
    """The latest state: the last event of this process, else what the database says."""
    latest = hub.latest(row.id)
    if latest is not None:
        return latest.model_copy(update={"type": "snapshot"})
    data = {"error": row.error, "failed_stage": row.failed_stage, "retry": True} if row.error else None
    return hub.make_event(
        row.id,
        type="snapshot",
        stage=row.stage,
        session_stage=row.stage,
        progress=row.progress,
        message=row.message or row.stage,
        current_cost=dollars(row.total_cost_micros),
        data=data,
    )


@router.websocket("/ws/{session_id}")
async def progress_socket(websocket: WebSocket, session_id: str, token: str | None = None) -> None:
    state = websocket.app.state
    await websocket.accept()
    async with state.sessionmaker() as db:
        user = await user_from_token(db, token, state.settings)
        if user is None:
            await websocket.close(CLOSE_UNAUTHORIZED, "invalid or missing token")
            return
        row = await db.get(Session, session_id) if len(session_id) <= 36 else None
    if row is None or row.user_id != user.id or row.deleted_at is not None:
        await websocket.close(CLOSE_NOT_FOUND, "session not found")
        return
    hub: ProgressHub = state.hub
    sub = hub.subscribe(session_id)  # before the snapshot, so no event falls in between
    try:
        first = _snapshot(hub, row)
        await websocket.send_text(first.model_dump_json())
        sender = asyncio.create_task(_send(websocket, sub, hub, first.seq, state.settings.ws_heartbeat_s))
        receiver = asyncio.create_task(_drain(websocket))
        done, pending = await asyncio.wait({sender, receiver}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in (*done, *pending):
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError, OSError):
                await task
    finally:
        hub.unsubscribe(sub)


async def _send(
    websocket: WebSocket, sub: Subscriber, hub: ProgressHub, after_seq: int, heartbeat_s: float
) -> None:
    while True:
        try:
            event = await asyncio.wait_for(sub.queue.get(), heartbeat_s)
        except TimeoutError:
            latest = hub.latest(sub.session_id)
            event = hub.make_event(
                sub.session_id,
                type="heartbeat",
                stage=latest.stage if latest else "",
                session_stage=latest.session_stage if latest else "",
                progress=latest.progress if latest else 0,
                message="",
            )
        if event is None:  # dropped by the hub (too slow)
            await websocket.close(1013, "too slow; reconnect")
            return
        if event.seq <= after_seq:
            continue
        await websocket.send_text(event.model_dump_json())


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends; returns when it disconnects."""
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass
