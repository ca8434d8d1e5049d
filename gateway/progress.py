"""The WebSocket hub: any number of sockets per session, sequenced events, latest state first.

Publishing never waits on a socket: each subscriber has a bounded queue, and a subscriber whose
queue is full (a dead or stalled socket) is dropped, so no socket can slow down or break a stage.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import OrderedDict, defaultdict
from datetime import UTC, datetime
from typing import Any

from gateway.schemas import ProgressEvent

QUEUE_SIZE = 256
# Sessions whose last event stays in memory; an older session's snapshot is rebuilt from the
# database, so a long-running gateway's memory does not grow with every session it ever served.
LATEST_KEPT = 512


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
        self._latest: OrderedDict[str, ProgressEvent] = OrderedDict()
        # One counter for the process: seq grows across reconnects and sessions alike.
        self._seq = itertools.count(1)

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
            seq=next(self._seq),
            stage=stage,
            session_stage=session_stage,
            progress=max(0, min(100, progress)),
            message=message,
            current_cost=current_cost,
            data=data,
            timestamp=datetime.now(UTC),
        )
        if type != "warning":  # a warning is a moment, not the session's state
            self._latest[session_id] = event
            self._latest.move_to_end(session_id)
            if len(self._latest) > LATEST_KEPT:
                self._latest.popitem(last=False)
        for sub in list(self._subs.get(session_id, ())):
            if not sub.offer(event):
                self.unsubscribe(sub)
                sub.offer(None)  # best effort: tell its sender to stop
        return event

    def latest(self, session_id: str) -> ProgressEvent | None:
        return self._latest.get(session_id)

    def make_event(self, session_id: str, **fields: Any) -> ProgressEvent:
        """An unpublished event (e.g. a snapshot or heartbeat for one socket) with a fresh seq."""
        return ProgressEvent(
            session_id=session_id, seq=next(self._seq), timestamp=datetime.now(UTC), **fields
        )

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

    def subscriber_count(self, session_id: str) -> int:
        return len(self._subs.get(session_id, ()))
