"""The WebSocket hub: any number of sockets per session, events in per-session sequence, latest first.

Each session's events carry a sequence number of their own (1, 2, 3, ... with no gaps), so a socket
on any replica sees them in order and a reconnecting client can ask for what it missed. With a bus
(gateway/progress_bus.py, NATS), `publish` hands the event to the bus, which numbers it for the whole
deployment and delivers it back to every replica's hub; without one, the hub numbers and delivers
it itself.

Publishing never waits on a socket: each subscriber has a bounded queue, and a subscriber whose
queue is full (a dead or stalled socket) is dropped, so no socket can slow down or break a stage.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict
from datetime import UTC, datetime
from typing import Any, Protocol

from gateway.schemas import ProgressEvent

QUEUE_SIZE = 256
# Sessions whose last event stays in memory; an older session's snapshot is rebuilt from the
# bus or the database, so a long-running gateway's memory does not grow with every session.
LATEST_KEPT = 512


class Bus(Protocol):
    def offer(self, event: ProgressEvent) -> None: ...


class Subscriber:
    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.queue: asyncio.Queue[ProgressEvent | None] = asyncio.Queue(QUEUE_SIZE)

    def offer(self, event: ProgressEvent | None) -> bool:
        try:
            self.queue.put_nowait(event)
            return True
        except asyncio.QueueFull:
            return False


class ProgressHub:
    def __init__(self) -> None:
        self._subs: dict[str, set[Subscriber]] = defaultdict(set)
        # Per session: the last state event (snapshots) and the last sequence number delivered.
        self._latest: OrderedDict[str, ProgressEvent] = OrderedDict()
        self._seq: OrderedDict[str, int] = OrderedDict()
        self.bus: Bus | None = None

    def publish(
        self,
        session_id: str,
        *,
        type: str,
        stage: str,
        session_stage: str,
        progress: int,
        message: str,
        current_cost: float | None = None,
        data: dict[str, Any] | None = None,
    ) -> ProgressEvent:
        event = ProgressEvent(
            type=type,  # type: ignore[arg-type]
            session_id=session_id,
            seq=self.last_seq(session_id) + 1,  # provisional with a bus: it numbers the event itself
            stage=stage,
            session_stage=session_stage,
            progress=max(0, min(100, progress)),
            message=message,
            current_cost=current_cost,
            data=data,
            timestamp=datetime.now(UTC),
        )
        if self.bus is not None:
            self.bus.offer(event)
        else:
            self.deliver(event)
        return event

    def deliver(self, event: ProgressEvent) -> bool:
        """Hand a numbered event to this process's sockets; a repeat or an older one is dropped."""
        sid = event.session_id
        if event.seq <= self._seq.get(sid, 0):
            return False
        self._remember(self._seq, sid, event.seq)
        if event.type != "warning":  # a warning is a moment, not the session's state
            self._remember(self._latest, sid, event)
        for sub in list(self._subs.get(sid, ())):
            if not sub.offer(event):
                self.unsubscribe(sub)
                sub.offer(None)  # best effort: tell its sender to stop
        return True

    @staticmethod
    def _remember(table: OrderedDict[str, Any], key: str, value: Any) -> None:
        table[key] = value
        table.move_to_end(key)
        if len(table) > LATEST_KEPT:
            table.popitem(last=False)

    def last_seq(self, session_id: str) -> int:
        return self._seq.get(session_id, 0)

    def latest(self, session_id: str) -> ProgressEvent | None:
        return self._latest.get(session_id)

    def make_event(self, session_id: str, **fields: Any) -> ProgressEvent:
        """An unpublished event for one socket (a snapshot or heartbeat): it carries the session's
        current sequence number, taking none of its own."""
        fields.setdefault("seq", self.last_seq(session_id))
        return ProgressEvent(session_id=session_id, timestamp=datetime.now(UTC), **fields)

    def subscribe(self, session_id: str) -> Subscriber:
        sub = Subscriber(session_id)
        self._subs[session_id].add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        subs = self._subs.get(sub.session_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.session_id]
