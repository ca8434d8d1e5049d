"""Progress events across gateway replicas, over NATS JetStream.

One subject per session (`<prefix>.progress.<session_id>`) on a memory stream that keeps the recent
events. A publisher numbers each event after the last one stored for its session and publishes it
with `Nats-Expected-Last-Subject-Sequence`, so two replicas publishing for one session (a stage
worker and a budget alert, say) can never give two events the same number: the loser re-reads
and retries. Every replica subscribes to all sessions' subjects and delivers to its own sockets in
sequence; a gap (an event still on its way from another publisher) is filled from the stream. A
reconnecting socket gets what it missed from the stream too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import APIError, NotFoundError
from pydantic import ValidationError

from gateway.background import cancel_and_wait
from gateway.core.config import Settings
from gateway.progress import ProgressHub
from gateway.schemas import ProgressEvent
from services.common.nats_conn import ensure_stream

log = logging.getLogger(__name__)

WRONG_LAST_SEQUENCE = 10071  # JetStream's error code for a failed expected-last-subject-sequence
QUEUE_SIZE = 10_000


def subject(settings: Settings, session_id: str) -> str:
    return f"{settings.nats_subject_prefix}.progress.{session_id}"


def stream_config(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=settings.progress_stream,
        subjects=[subject(settings, "*")],
        storage=StorageType.MEMORY,
        max_age=6 * 3600.0,
        max_msgs_per_subject=5000,
        max_bytes=256 * 1024 * 1024,
    )


class ProgressBus:
    def __init__(self, settings: Settings, nc: NATS, hub: ProgressHub) -> None:
        self.settings = settings
        self.nc = nc
        self.js = nc.jetstream()
        self.hub = hub
        self._queue: asyncio.Queue[ProgressEvent] = asyncio.Queue(QUEUE_SIZE)
        # Per session: (event seq, stream seq) of the last event this replica published or read.
        self._last: dict[str, tuple[int, int]] = {}
        self._task: asyncio.Task[None] | None = None
        self._gaps: set[str] = set()

    async def start(self) -> None:
        await ensure_stream(self.nc, stream_config(self.settings))
        await self.nc.subscribe(subject(self.settings, "*"), cb=self._on_msg)
        self._task = asyncio.create_task(self._publish_all(), name="progress-bus")
        self.hub.bus = self

    async def stop(self) -> None:
        """Publish what is queued (a stage's last events), then stop."""
        self.hub.bus = None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), 5.0)
        await cancel_and_wait(self._task)

    def offer(self, event: ProgressEvent) -> None:
        if not self.nc.is_connected:
            # NATS away: this replica's sockets still see the event (numbered here); other replicas
            # miss it, and numbering carries on past it once NATS is back (never a repeat).
            self.hub.deliver(event.model_copy(update={"seq": self.hub.last_seq(event.session_id) + 1}))
            return
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:  # NATS gone for long: drop progress, never block a stage
            log.warning("progress event dropped", extra={"session_id": event.session_id})

    # ------------------------------------------------------------ publishing

    async def _publish_all(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._publish(event)
            except Exception as exc:
                log.warning("progress event not published", extra={"error": repr(exc)})
            finally:
                self._queue.task_done()

    async def _publish(self, event: ProgressEvent) -> None:
        sid = event.session_id
        for _ in range(8):
            if sid not in self._last:
                self._last[sid] = await self._stored_last(sid)
            seq, stream_seq = self._last[sid]
            seq = max(seq, self.hub.last_seq(sid))  # past any event numbered here while NATS was away
            numbered = event.model_copy(update={"seq": seq + 1})
            try:
                ack = await self.js.publish(
                    subject(self.settings, sid),
                    numbered.model_dump_json().encode(),
                    headers={"Nats-Expected-Last-Subject-Sequence": str(stream_seq)},
                )
            except APIError as exc:
                if exc.err_code != WRONG_LAST_SEQUENCE:
                    raise
                self._last.pop(sid, None)  # another replica published first: re-read, renumber
                continue
            self._last[sid] = (seq + 1, ack.seq)
            if len(self._last) > 4096:
                self._last.pop(next(iter(self._last)))
            return
        raise RuntimeError(f"progress for {sid}: too many concurrent publishers")

    async def _stored_last(self, session_id: str) -> tuple[int, int]:
        try:
            msg = await self.js.get_last_msg(
                self.settings.progress_stream, subject(self.settings, session_id)
            )
        except NotFoundError:
            return 0, 0
        return ProgressEvent.model_validate_json(msg.data).seq, msg.seq

    # ------------------------------------------------------------ delivering

    async def _on_msg(self, msg: Msg) -> None:
        try:
            event = ProgressEvent.model_validate_json(msg.data)
        except ValidationError:
            return
        sid = event.session_id
        known = self.hub.last_seq(sid)
        if known and event.seq > known + 1 and sid not in self._gaps:
            # An earlier event is still on its way from another publisher: take them from the stream.
            self._gaps.add(sid)
            try:
                for missed in await self.history(sid, known):
                    self.hub.deliver(missed)
            finally:
                self._gaps.discard(sid)
        self.hub.deliver(event)

    async def history(self, session_id: str, after_seq: int) -> list[ProgressEvent]:
        """The session's stored events numbered after `after_seq`, in order (for a reconnect);
        nothing while NATS is away (the socket then starts from the snapshot)."""
        try:
            return await asyncio.wait_for(self._history(session_id, after_seq), 5.0)
        except Exception as exc:
            log.warning("progress history unavailable", extra={"error": repr(exc)})
            return []

    async def _history(self, session_id: str, after_seq: int) -> list[ProgressEvent]:
        last = await self.latest(session_id)
        if last is None or last.seq <= after_seq:
            return []
        sub = await self.js.subscribe(
            subject(self.settings, session_id),
            ordered_consumer=True,
            deliver_policy=DeliverPolicy.ALL,
            stream=self.settings.progress_stream,
        )
        events: list[ProgressEvent] = []
        try:
            while True:
                try:
                    msg = await sub.next_msg(timeout=0.5)
                except TimeoutError:
                    break
                event = ProgressEvent.model_validate_json(msg.data)
                if event.seq > after_seq:
                    events.append(event)
                if msg.metadata.num_pending == 0:
                    break
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        return events

    async def latest(self, session_id: str) -> ProgressEvent | None:
        """The session's last stored event; None when there is none or NATS is away (the caller
        then falls back to this process's hub or the database)."""
        if not self.nc.is_connected:
            return None
        stream, subj = self.settings.progress_stream, subject(self.settings, session_id)
        try:
            msg = await asyncio.wait_for(self.js.get_last_msg(stream, subj), 2.0)
        except NotFoundError:
            return None
        except Exception as exc:
            log.warning("progress snapshot unavailable", extra={"error": repr(exc)})
            return None
        return ProgressEvent.model_validate_json(msg.data)
