"""The stage runner: launches a stage in the background, bounds it by its deadline, turns whatever
stops it into a failed, resumable session, and streams each step's progress (0 -> 100, never back).

The stages themselves are in gateway/orchestrator.py, what they save in gateway/stage_store.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import grpc
from google.protobuf.json_format import MessageToDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adreel.v1 import common_pb2
from gateway import session_flow, telemetry
from gateway.agents import AgentClients, AgentUnavailable
from gateway.core.config import Settings
from gateway.db.models import Session
from gateway.progress import ProgressHub
from gateway.responses import dollars
from gateway.stage_jobs import StageJobQueue
from gateway.stages import RUNNING_STAGES, SessionStage
from gateway.webhooks.events import enqueue_stage_event
from services.common.costs import usd_to_micros

log = logging.getLogger(__name__)


class StageFailed(Exception):
    """A stage cannot finish; the message is shown to the user and the session becomes resumable."""


class BudgetExceeded(StageFailed):
    pass


def pb_dict(msg: Any) -> dict[str, Any]:
    return MessageToDict(msg, preserving_proto_field_name=True)


def new_item_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def view_name(view: str | int) -> str:
    name = view if isinstance(view, str) else common_pb2.View.Name(view)
    return name.removeprefix("VIEW_").lower()


def _rpc_message(agent: str, exc: grpc.aio.AioRpcError) -> str:
    return f"the {agent} agent failed: {exc.code().name}: {exc.details()}"


class StageRunner:
    """Running stages; the stages themselves are the Orchestrator's (gateway/orchestrator.py)."""

    async def generate_images(self, session_id: str) -> None:
        raise NotImplementedError

    async def generate_clips(self, session_id: str) -> None:
        raise NotImplementedError

    async def compose_final_video(self, session_id: str) -> None:
        raise NotImplementedError

    def __init__(
        self,
        settings: Settings,
        db: async_sessionmaker[AsyncSession],
        agents: AgentClients,
        hub: ProgressHub,
    ) -> None:
        self.settings = settings
        self.db = db
        self.agents = agents
        self.hub = hub
        self._tasks: dict[str, asyncio.Task[None]] = {}
        # The JetStream job queue (gateway/stage_jobs.py), set at startup when NATS is configured.
        self.jobs: StageJobQueue | None = None
        # The highest progress shown per (session, step): a step's bar never goes back.
        self._shown: dict[tuple[str, str], int] = {}

    @contextlib.asynccontextmanager
    async def _calling(self, agent: str) -> AsyncIterator[None]:
        """An agent call: a gRPC error fails the stage with the agent's words (and the channel is
        dropped, so the next call re-resolves a healthy replica)."""
        try:
            yield
        except grpc.aio.AioRpcError as exc:
            self.agents.forget(agent)
            telemetry.count_agent_error(agent, exc.code().name)
            raise StageFailed(_rpc_message(agent, exc)) from exc

    # ------------------------------------------------------------ running stages

    def is_running(self, session_id: str) -> bool:
        task = self._tasks.get(session_id)
        return task is not None and not task.done()

    async def launch(self, session_id: str, stage: SessionStage) -> None:
        """Hand `stage` to a worker (the HTTP request answers 202 once the job is queued).

        With NATS the stage is a durable job on JetStream that any gateway replica may run, and that
        another replica resumes if this one dies; without it, a task in this process.
        """
        if self.jobs is not None:
            async with self.db() as db:
                run = await db.scalar(select(Session.stage_run).where(Session.id == session_id))
            try:
                await self.jobs.submit(session_id, stage, run or 0)
                return
            except Exception as exc:
                # NATS away: the stage still runs, here, as a task (without a handover if we die).
                log.warning(
                    "stage job not queued; running it here",
                    extra={"session_id": session_id, "error": repr(exc)},
                )
        self._tasks[session_id] = asyncio.create_task(
            self.run_stage(session_id, stage), name=f"stage:{session_id}"
        )

    async def run_stage(self, session_id: str, stage: SessionStage, *, handed_over: bool = False) -> None:
        """Run the stage to its end: complete, or failed with the reason shown to the user.

        `handed_over`: the stage is a job, and a stop of this process hands it to another replica
        rather than failing it (the caller releases the job when cancelled).
        """
        body: dict[SessionStage, Callable[[str], Awaitable[None]]] = {
            SessionStage.IMAGE_GENERATION: self.generate_images,
            SessionStage.CLIP_GENERATION: self.generate_clips,
            SessionStage.FINAL_COMPOSITION: self.compose_final_video,
        }
        self._shown.pop((session_id, stage.value), None)  # a new run's bar starts again at 0
        if handed_over:
            self._tasks[session_id] = asyncio.current_task()  # type: ignore[assignment]
        try:
            async with telemetry.stage(stage.value), asyncio.timeout(self.settings.stage_deadline_s):
                await body[stage](session_id)
        except TimeoutError:
            await self.fail_stage(session_id, stage, f"{stage.value} passed its deadline; retry to resume")
        except (StageFailed, AgentUnavailable) as exc:
            await self.fail_stage(session_id, stage, str(exc))
        except asyncio.CancelledError:
            if not handed_over:
                await asyncio.shield(self.fail_stage(session_id, stage, "interrupted: the gateway stopped"))
            raise
        except Exception:
            log.exception("stage crashed", extra={"session_id": session_id, "stage": stage.value})
            await self.fail_stage(session_id, stage, "internal error in the gateway; retry to resume")
        finally:
            self._tasks.pop(session_id, None)
            self._shown.pop((session_id, stage.value), None)

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def fail_stage(self, session_id: str, stage: SessionStage, message: str) -> None:
        log.warning("stage failed", extra={"session_id": session_id, "stage": stage.value, "error": message})
        async with self.db.begin() as db:
            row = await db.get(Session, session_id, with_for_update=True)
            if row is None:
                return
            session_flow.fail(row, stage, message)
            progress, cost = row.progress, row.total_cost_micros
            await enqueue_stage_event(db, row, settings=self.settings, failed_stage=stage.value)
        self.hub.publish(
            session_id,
            type="failed",
            stage=stage.value,
            session_stage=SessionStage.FAILED,
            progress=progress,
            message=message,
            current_cost=dollars(cost),
            data={"error": message, "failed_stage": stage.value, "retry": True},
        )

    def deadline(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.settings.stage_deadline_s)

    async def recover_interrupted(self) -> int:
        """At startup without a job queue: sessions left in a running stage by a previous process
        become failed + resumable. (With the queue their jobs are redelivered and resume by themselves.)"""
        if self.jobs is not None:
            return 0
        return await self._fail_where(
            Session.stage.in_([s.value for s in RUNNING_STAGES]), "interrupted by a gateway restart"
        )

    async def expire_overdue(self) -> int:
        """Watchdog: running stages past their deadline that no task here is working on -> failed.

        With the job queue a stage's deadline is renewed whenever a worker takes it up, and a job is
        given its redeliveries' worth of grace first (a replica may be resuming it)."""
        grace = 0.0
        if self.jobs is not None:
            grace = self.settings.stage_ack_wait_s * (self.settings.stage_max_attempts + 1)
        overdue = Session.stage.in_([s.value for s in RUNNING_STAGES]) & (
            Session.stage_deadline < datetime.now(UTC) - timedelta(seconds=grace)
        )
        return await self._fail_where(overdue, "the stage passed its deadline; retry to resume")

    async def _fail_where(self, condition: Any, message: str) -> int:
        async with self.db() as db:
            rows = (await db.execute(select(Session.id, Session.stage).where(condition))).all()
        count = 0
        for sid, stage in rows:
            if not self.is_running(sid):
                await self.fail_stage(sid, SessionStage(stage), message)
                count += 1
        return count

    # ------------------------------------------------------------ shared steps

    async def _load(self, session_id: str) -> Session:
        async with self.db() as db:
            row = await db.get(Session, session_id)
        if row is None:
            raise StageFailed("session no longer exists")
        return row

    def check_budget(self, row: Session, estimate_usd: Decimal, what: str) -> None:
        estimate = usd_to_micros(estimate_usd)
        if row.total_cost_micros + estimate > row.budget_micros:
            raise BudgetExceeded(
                f"budget: {what} would cost about ${dollars(estimate):.2f}, and this session has spent "
                f"${dollars(row.total_cost_micros):.2f} of its ${dollars(row.budget_micros):.2f} budget"
            )

    def stage_estimate(self, row: Session, stage: SessionStage) -> tuple[Decimal, str]:
        """What the whole stage is expected to cost, checked by the route before it answers 202."""
        s = self.settings
        if stage is SessionStage.IMAGE_GENERATION:
            n = row.num_images or 6
            return s.estimate_parse_usd + n * s.estimate_image_usd, f"{n} images"
        if stage is SessionStage.CLIP_GENERATION:
            n = len(row.approved_image_ids)
            return s.estimate_parse_usd + n * s.estimate_clip_usd, f"{n} clips"
        return s.estimate_compose_usd, "the final composition"

    def _emit(
        self,
        row: Session,
        stage: str,
        progress: int,
        message: str,
        *,
        type: str = "progress",
        data: dict[str, Any] | None = None,
        session_stage: str | None = None,
    ) -> None:
        key = (row.id, stage)
        progress = max(progress, self._shown.get(key, 0))
        self._shown[key] = progress
        self.hub.publish(
            row.id,
            type=type,
            stage=stage,
            session_stage=session_stage or row.stage,
            progress=progress,
            message=message,
            current_cost=dollars(row.total_cost_micros),
            data=data,
        )
