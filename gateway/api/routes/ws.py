"""POST /api/ws-ticket, then WS /ws/{session_id}?ticket=…: the session's progress events, latest
state first, heartbeats.

A browser cannot send headers on a WebSocket, so the socket is opened with a single-use ticket that
is valid for a minute (gateway/ws_tickets.py); the access token never appears in a URL, where every
proxy would log it. A URL that still carries `?token=` is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from fastapi import APIRouter, WebSocket, WebSocketDisconnect, status
from pydantic import BaseModel, ConfigDict

from gateway import ws_tickets
from gateway.api.answers import SESSION_NOT_FOUND
from gateway.api.deps import CurrentUser, SessionDep, SettingsDep, owned_session
from gateway.db.models import Session
from gateway.progress import ProgressHub, Subscriber
from gateway.progress_bus import ProgressBus
from gateway.responses import dollars
from gateway.schemas import ProgressEvent

router = APIRouter()

# Close codes in the 4000 range a browser can read: like HTTP 401 and 404.
CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404


class WsTicketRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: uuid.UUID


class WsTicketIssued(BaseModel):
    # Open WS /ws/{session_id}?ticket=<ticket> within expires_in seconds; it works once.
    ticket: str
    expires_in: int


@router.post(
    "/api/ws-ticket",
    status_code=status.HTTP_201_CREATED,
    tags=["progress"],
    responses=SESSION_NOT_FOUND,
)
async def issue_ws_ticket(
    body: WsTicketRequest, user: CurrentUser, db: SessionDep, settings: SettingsDep
) -> WsTicketIssued:
    """A single-use ticket that opens this session's progress socket within a minute."""
    row = await owned_session(db, user, str(body.session_id))
    ticket = await ws_tickets.issue(db, user.id, row.id, settings.ws_ticket_ttl_s)
    await db.commit()
    return WsTicketIssued(ticket=ticket, expires_in=settings.ws_ticket_ttl_s)


async def _snapshot(hub: ProgressHub, bus: ProgressBus | None, row: Session) -> ProgressEvent:
    """The latest state, numbered as the session's last event: from the bus (whichever replica
    published it), else this process, else what the database says."""
    latest = await bus.latest(row.id) if bus is not None else None
    if latest is None or latest.type == "warning":
        latest = hub.latest(row.id) or latest
    if latest is not None and latest.type != "warning":
        return latest.model_copy(update={"type": "snapshot"})
    data = {"error": row.error, "failed_stage": row.failed_stage, "retry": True} if row.error else None
    return hub.make_event(
        row.id,
        seq=latest.seq if latest is not None else hub.last_seq(row.id),
        type="snapshot",
        stage=row.stage,
        session_stage=row.stage,
        progress=row.progress,
        message=row.message or row.stage,
        current_cost=dollars(row.total_cost_micros),
        data=data,
    )


@router.websocket("/ws/{session_id}")
async def progress_socket(
    websocket: WebSocket, session_id: str, ticket: str | None = None, last_seq: int | None = None
) -> None:
    """`last_seq`: the last event the client saw (on a reconnect); what came after it is sent first."""
    state = websocket.app.state
    await websocket.accept()
    async with state.sessionmaker() as db:
        spent = await ws_tickets.spend(db, ticket)
        if spent is None:
            why = "invalid, expired or used ticket" if ticket else "missing ticket"
            await websocket.close(CLOSE_UNAUTHORIZED, f"{why}: get one from POST /api/ws-ticket")
            return
        row = await db.get(Session, session_id) if len(session_id) <= 36 else None
    mine = row is not None and row.id == spent.session_id and row.user_id == spent.user_id
    if row is None or not mine or row.deleted_at is not None:
        await websocket.close(CLOSE_NOT_FOUND, "session not found")
        return
    hub: ProgressHub = state.hub
    bus: ProgressBus | None = state.progress_bus
    sub = hub.subscribe(session_id)  # before the snapshot, so no event falls in between
    try:
        sent = 0
        if last_seq is not None and bus is not None and 0 <= last_seq < 2**31:
            for missed in await bus.history(session_id, last_seq):
                await websocket.send_text(missed.model_dump_json())
                sent = missed.seq
        first = await _snapshot(hub, bus, row)
        await websocket.send_text(first.model_dump_json())
        after = max(sent, first.seq)
        sender = asyncio.create_task(_send(websocket, sub, hub, after, state.settings.ws_heartbeat_s))
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
        if event.type != "heartbeat":
            if event.seq <= after_seq:
                continue
            after_seq = event.seq
        await websocket.send_text(event.model_dump_json())


async def _drain(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends; returns when it disconnects."""
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass
