"""Stages as durable jobs on a JetStream work queue, shared by every gateway replica.

Starting a stage publishes one job (session, stage, run; `Nats-Msg-Id` makes a double click one
job). Every replica runs a bounded pool of workers pulling from one durable consumer:

- a worker claims the job in PostgreSQL (the session row: run still current, the user under their
  share of workers, the try counted), runs the stage from its persisted plan, acks in progress
  while it runs and acks at the end, complete or failed;
- a replica that dies stops acking, so JetStream redelivers the job after `AckWait` to another
  replica, which resumes from the plan; the agents' item-id replay means nothing is bought twice;
- a replica that is stopped (SIGTERM) hands its running jobs back at once (nak), no waiting;
- a job taken up `stage_max_attempts` times without finishing ends the stage failed, with the
  reason, instead of looping;
- a user already running their share of stages anywhere gets the job put back for a moment, so one
  user's many jobs can't hold every worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StreamConfig
from nats.js.client import JetStreamContext
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.core.config import Settings
from gateway.db.models import Session
from gateway.running_stages import others_running
from gateway.stages import SessionStage
from services.common.nats_conn import ensure_stream

log = logging.getLogger(__name__)

DURABLE = "stage-workers"
# How long a job whose user is at their share of workers waits before it is offered again.
BUSY_DELAY_S = 0.5
# How long one pull request waits for a job (it also expires at the server after this).
FETCH_WAIT_S = 1.0


@dataclass(frozen=True)
class StageJob:
    session_id: str
    stage: str
    run: int

    @property
    def msg_id(self) -> str:
        return f"{self.session_id}:{self.stage}:{self.run}"

    def encode(self) -> bytes:
        return json.dumps({"session_id": self.session_id, "stage": self.stage, "run": self.run}).encode()

    @classmethod
    def decode(cls, data: bytes) -> StageJob:
        raw = json.loads(data)
        return cls(str(raw["session_id"]), str(raw["stage"]), int(raw["run"]))


class Claim(StrEnum):
    RUN = "run"
    STALE = "stale"  # the session moved on (a newer run, deleted): nothing to do
    BUSY = "busy"  # its user already runs their share of stages: offer it again shortly
    POISON = "poison"  # taken up too often without finishing: end it failed


def subject(settings: Settings) -> str:
    return f"{settings.nats_subject_prefix}.stage.jobs"


def stream_config(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=settings.stage_jobs_stream,
        subjects=[subject(settings)],
        retention=RetentionPolicy.WORK_QUEUE,
        duplicate_window=120.0,
        max_age=24 * 3600.0,
    )


def consumer_config(settings: Settings) -> ConsumerConfig:
    return ConsumerConfig(
        durable_name=DURABLE,
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=settings.stage_ack_wait_s,
        # Redelivery is unbounded here: the poison rule counts real tries (claims) in PostgreSQL,
        # not deliveries, since putting back a busy user's job is a delivery too.
        max_deliver=-1,
        max_ack_pending=10_000,
    )


class StageWork(Protocol):
    """What a worker runs a claimed job with: the stage runner (gateway/stage_runner.py), which
    hands its stages to this queue; the runner imports this module, never the other way round."""

    async def run_stage(self, session_id: str, stage: SessionStage, *, handed_over: bool = False) -> None: ...

    async def fail_stage(self, session_id: str, stage: SessionStage, message: str) -> None: ...


class StageJobQueue:
    """The queue and this replica's workers."""

    def __init__(
        self, settings: Settings, db: async_sessionmaker[AsyncSession], runner: StageWork, nc: NATS
    ) -> None:
        self.settings = settings
        self.db = db
        self.runner = runner
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream()
        # Names this replica's claims (shown in a poisoned stage's reason, and in logs).
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._workers: list[asyncio.Task[None]] = []
        self._running: dict[asyncio.Task[None], tuple[Msg, StageJob]] = {}
        self._stopping = asyncio.Event()

    async def start(self) -> None:
        await ensure_stream(self.nc, stream_config(self.settings))
        await self.js.add_consumer(self.settings.stage_jobs_stream, consumer_config(self.settings))
        for n in range(self.settings.stage_workers):
            self._workers.append(asyncio.create_task(self._work(), name=f"stage-worker-{n}"))
        log.info(
            "stage workers started", extra={"workers": self.settings.stage_workers, "id": self.worker_id}
        )

    async def submit(self, session_id: str, stage: SessionStage, run: int) -> None:
        job = StageJob(session_id, stage.value, run)
        await self.js.publish(subject(self.settings), job.encode(), headers={"Nats-Msg-Id": job.msg_id})

    @property
    def in_flight(self) -> int:
        return len(self._running)

    async def drain(self) -> None:
        """Stop taking jobs; hand the running ones back at once so another replica resumes them.

        The idle workers stop first, and their pull requests are left to expire at the server
        before the running jobs are handed back: a handed-back job would otherwise be redelivered
        to one of this replica's own pending pulls, and sit out AckWait there."""
        self._stopping.set()
        idle = [w for w in self._workers if w not in self._running]
        for worker in idle:
            worker.cancel()
        await asyncio.gather(*idle, return_exceptions=True)
        if self._running:
            await asyncio.sleep(FETCH_WAIT_S + 0.2)
        for task in list(self._running):
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)

    # ------------------------------------------------------------ workers

    async def _work(self) -> None:
        psub = await self.js.pull_subscribe(
            subject(self.settings), durable=DURABLE, stream=self.settings.stage_jobs_stream
        )
        while not self._stopping.is_set():
            try:
                msgs = await psub.fetch(1, timeout=FETCH_WAIT_S)
            except TimeoutError:
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS reconnecting: wait and fetch again
                log.warning("stage job fetch failed", extra={"error": repr(exc)})
                await asyncio.sleep(0.5)
                continue
            for msg in msgs:  # one job per worker at a time: the pool size bounds the stages
                if self._stopping.is_set():
                    await msg.nak()
                    continue
                try:
                    await self._handle(msg)
                except asyncio.CancelledError:
                    raise
                except Exception:  # e.g. the database away: offer the job again shortly
                    log.exception("stage job not handled", extra={"subject": msg.subject})
                    with contextlib.suppress(Exception):
                        await msg.nak(delay=1.0)

    async def _handle(self, msg: Msg) -> None:
        try:
            job = StageJob.decode(msg.data)
        except (ValueError, KeyError, TypeError):
            log.warning("malformed stage job dropped", extra={"subject": msg.subject})
            await msg.term()
            return
        claim = await self._claim(job)
        if claim is Claim.STALE:
            await msg.ack()
            return
        if claim is Claim.BUSY:
            await msg.nak(delay=BUSY_DELAY_S)
            return
        if claim is Claim.POISON:
            await self._fail_poisoned(job)
            await msg.ack()
            return
        task = asyncio.current_task()
        assert task is not None
        self._running[task] = (msg, job)
        keep_alive = asyncio.create_task(self._keep_alive(msg))
        try:
            await self.runner.run_stage(job.session_id, SessionStage(job.stage), handed_over=True)
            await msg.ack()
        except asyncio.CancelledError:
            # Stopping: hand the job back now; the next replica resumes it from the saved plan.
            with contextlib.suppress(Exception):
                await asyncio.shield(self._release(job))
                await asyncio.shield(msg.nak())
            raise
        finally:
            keep_alive.cancel()
            self._running.pop(task, None)

    async def _keep_alive(self, msg: Msg) -> None:
        """In-progress acks while the stage runs, so a long stage is not redelivered."""
        every = max(0.5, self.settings.stage_ack_wait_s / 3)
        while True:
            await asyncio.sleep(every)
            with contextlib.suppress(Exception):
                await msg.in_progress()

    async def _claim(self, job: StageJob) -> Claim:
        s = self.settings
        async with self.db.begin() as db:
            row = await db.get(Session, job.session_id, with_for_update=True)
            if (
                row is None
                or row.deleted_at is not None
                or row.stage != job.stage
                or (row.stage_run or 0) != job.run
            ):
                return Claim.STALE
            # One user's claims are counted and taken one at a time (across replicas).
            await db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": 0x5A6E_0000_0000 + row.user_id})
            busy = await others_running(db, row, Session.claimed_by.is_not(None))
            if busy >= s.stage_workers_per_user:
                return Claim.BUSY
            if (row.stage_attempts or 0) >= s.stage_max_attempts:
                return Claim.POISON
            now = datetime.now(UTC)
            row.stage_attempts = (row.stage_attempts or 0) + 1
            row.claimed_by, row.claimed_at = self.worker_id, now
            row.stage_deadline = now + timedelta(seconds=s.stage_deadline_s)
            if row.stage_attempts > 1:
                log.warning(
                    "stage resumed by another worker",
                    extra={"session_id": row.id, "stage": row.stage, "attempt": row.stage_attempts},
                )
            return Claim.RUN

    async def _release(self, job: StageJob) -> None:
        async with self.db.begin() as db:
            await db.execute(
                update(Session)
                .where(Session.id == job.session_id, Session.claimed_by == self.worker_id)
                .values(claimed_by=None)
            )

    async def _fail_poisoned(self, job: StageJob) -> None:
        stage = SessionStage(job.stage)
        tries = self.settings.stage_max_attempts
        message = (
            f"{stage.value.replace('_', ' ')} stopped {tries} times before finishing (its worker kept "
            "going away); retry to resume it"
        )
        await self.runner.fail_stage(job.session_id, stage, message)
        log.error("poison stage job ended", extra={"session_id": job.session_id, "stage": job.stage})
