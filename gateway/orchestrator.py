"""The data path, top to bottom: one function per stage, each calling the agents through their stubs.

A stage is resumable by construction: its plan (with gateway-chosen item ids) is saved before any
agent call, each result is saved the moment it arrives (asset + session + cost in one transaction),
and a rerun sends only the items not yet delivered. Agents also replay by item id, so a retry never
buys an asset twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import grpc
from google.protobuf.json_format import MessageToDict, ParseDict
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adreel.v1 import (
    common_pb2,
    compositor_pb2,
    image_gen_pb2,
    prompt_parser_pb2,
    video_gen_pb2,
)
from gateway import session_flow, telemetry
from gateway.agents import AgentClients, AgentUnavailable
from gateway.core.config import Settings
from gateway.db.models import Asset, Session
from gateway.events import record_cost
from gateway.progress import ProgressHub
from gateway.schemas import RUNNING_STAGES, SessionStage
from gateway.views import MediaLinks, clip_view, dollars, final_view, image_view
from gateway.webhooks.events import enqueue_stage_event
from services.common.costs import usd_to_micros

log = logging.getLogger(__name__)

FORMATS = {
    "16:9": compositor_pb2.OUTPUT_FORMAT_LANDSCAPE_16_9,
    "9:16": compositor_pb2.OUTPUT_FORMAT_PORTRAIT_9_16,
    "1:1": compositor_pb2.OUTPUT_FORMAT_SQUARE_1_1,
}
GENRES = {
    "upbeat": compositor_pb2.MUSIC_GENRE_UPBEAT,
    "chill": compositor_pb2.MUSIC_GENRE_CHILL,
    "energetic": compositor_pb2.MUSIC_GENRE_ENERGETIC,
}


@dataclass(frozen=True)
class ItemStage:
    """How one batch stage maps onto its agent, its asset rows and its share of the step's bar."""

    agent: str
    # The oneof field of a result in the agent's stream, also the word used in messages.
    result_field: str
    asset_type: str
    progress_stage: str
    list_field: str
    # Each step's bar runs 0 -> 100; the items fill [lo, hi] of it (planning takes the part before).
    lo: int
    hi: int

    @property
    def noun(self) -> str:
        return self.result_field


class StageFailed(Exception):
    """A stage cannot finish; the message is shown to the user and the session becomes resumable."""


class BudgetExceeded(StageFailed):
    pass


def _pb_dict(msg: Any) -> dict[str, Any]:
    return MessageToDict(msg, preserving_proto_field_name=True)


def new_item_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


def _view_name(view: str | int) -> str:
    name = view if isinstance(view, str) else common_pb2.View.Name(view)
    return name.removeprefix("VIEW_").lower()


def _rpc_message(agent: str, exc: grpc.aio.AioRpcError) -> str:
    return f"the {agent} agent failed: {exc.code().name}: {exc.details()}"


def shifted_seed(seed: int, image_round: int) -> int:
    """Each new round of images gets seeds of its own (round 0 keeps the parser's)."""
    return (seed + image_round * 7919) % 2**32


class Orchestrator:
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

    def launch(self, session_id: str, stage: SessionStage) -> None:
        """Run `stage` in the background (the HTTP request has already answered 202)."""
        self._tasks[session_id] = asyncio.create_task(
            self._run(session_id, stage), name=f"stage:{session_id}"
        )

    async def _run(self, session_id: str, stage: SessionStage) -> None:
        body: dict[SessionStage, Callable[[str], Awaitable[None]]] = {
            SessionStage.IMAGE_GENERATION: self.generate_images,
            SessionStage.CLIP_GENERATION: self.generate_clips,
            SessionStage.FINAL_COMPOSITION: self.compose_final_video,
        }
        self._shown.pop((session_id, stage.value), None)  # a new run's bar starts again at 0
        try:
            async with telemetry.stage(stage.value), asyncio.timeout(self.settings.stage_deadline_s):
                await body[stage](session_id)
        except TimeoutError:
            await self._fail(session_id, stage, f"{stage.value} passed its deadline; retry to resume")
        except (StageFailed, AgentUnavailable) as exc:
            await self._fail(session_id, stage, str(exc))
        except asyncio.CancelledError:
            await asyncio.shield(self._fail(session_id, stage, "interrupted: the gateway stopped"))
            raise
        except Exception:
            log.exception("stage crashed", extra={"session_id": session_id, "stage": stage.value})
            await self._fail(session_id, stage, "internal error in the gateway; retry to resume")
        finally:
            self._tasks.pop(session_id, None)
            self._shown.pop((session_id, stage.value), None)

    async def stop(self) -> None:
        tasks = list(self._tasks.values())
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _fail(self, session_id: str, stage: SessionStage, message: str) -> None:
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
        """At startup: sessions left in a running stage by a previous process become failed + resumable."""
        return await self._fail_where(
            Session.stage.in_([s.value for s in RUNNING_STAGES]), "interrupted by a gateway restart"
        )

    async def expire_overdue(self) -> int:
        """Watchdog: running stages past their deadline that no task here is working on -> failed."""
        overdue = Session.stage.in_([s.value for s in RUNNING_STAGES]) & (
            Session.stage_deadline < datetime.now(UTC)
        )
        return await self._fail_where(overdue, "the stage passed its deadline; retry to resume")

    async def _fail_where(self, condition: Any, message: str) -> int:
        async with self.db() as db:
            rows = (await db.execute(select(Session.id, Session.stage).where(condition))).all()
        count = 0
        for sid, stage in rows:
            if not self.is_running(sid):
                await self._fail(sid, SessionStage(stage), message)
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

    async def _save_item(
        self,
        session_id: str,
        *,
        item_id: str,
        kind: str,
        ref: common_pb2.AssetRef,
        cost: common_pb2.Cost,
        agent: str,
        meta: dict[str, Any],
        list_field: str,
        progress: int,
    ) -> Session | None:
        """Asset row + session update + cost row in ONE transaction; None when already saved."""
        async with self.db.begin() as db:
            row = await db.get(Session, session_id, with_for_update=True)
            # Under the row lock the session's id list is authoritative: a replayed item is dropped.
            if row is None or item_id in getattr(row, list_field):
                return None
            db.add(
                Asset(
                    id=item_id,
                    session_id=session_id,
                    asset_type=kind,
                    uri=ref.uri,
                    meta={"asset": _pb_dict(ref), **meta},
                    cost_micros=cost.usd_micros,
                    model_used=cost.model or None,
                    generation_time=cost.seconds,
                )
            )
            setattr(row, list_field, [*getattr(row, list_field), item_id])
            if replaces := meta.get("replaces"):
                # A regenerated item takes its predecessor's place wherever the person had kept it.
                for kept in ("approved_image_ids", "approved_clip_ids", "clip_order"):
                    ids = getattr(row, kept)
                    if replaces in ids and item_id not in ids:
                        setattr(row, kept, [item_id if i == replaces else i for i in ids])
            row.total_cost_micros += cost.usd_micros
            row.progress = max(row.progress, progress)
            await record_cost(db, session_id=session_id, agent=agent, item_id=item_id, cost=cost)
            telemetry.count_cost(agent, cost)
            return row

    async def _record_failure(self, session_id: str, agent: str, failure: common_pb2.ItemFailure) -> None:
        async with self.db.begin() as db:
            row = await db.get(Session, session_id, with_for_update=True)
            if row is None:
                return
            row.total_cost_micros += failure.cost.usd_micros
            await record_cost(
                db,
                session_id=session_id,
                agent=agent,
                item_id=failure.item_id,
                cost=failure.cost,
                success=False,
                error=f"{failure.code}: {failure.message}",
            )
            telemetry.count_cost(agent, failure.cost)
            telemetry.count_agent_error(agent, failure.code)

    async def _finish(
        self, session_id: str, running: SessionStage, progress: int, message: str, data_key: str
    ) -> None:
        async with self.db.begin() as db:
            row = await db.get(Session, session_id, with_for_update=True)
            assert row is not None
            session_flow.finish(row, running)
            row.progress, row.message = progress, message
            assets = (await db.execute(select(Asset).where(Asset.session_id == session_id))).scalars().all()
            await enqueue_stage_event(db, row, settings=self.settings, assets=assets)
        links = MediaLinks(self.settings, session_id)
        extra: dict[str, Any] = {}
        if data_key == "images":
            by_id = {a.id: a for a in assets}
            payload: Any = [
                image_view(by_id[i], links).model_dump(mode="json") for i in row.generated_image_ids
            ]
        elif data_key == "clips":
            by_id = {a.id: a for a in assets}
            payload = [clip_view(by_id[i], links).model_dump(mode="json") for i in row.generated_clip_ids]
        else:
            final = next(a for a in assets if a.id == row.final_video_id)
            payload = final_view(final, links).model_dump(mode="json")
            # Every final of the compose call (its variants), the primary first.
            finals = [a for a in assets if a.asset_type == "final_video" and a.id.startswith(final.id)]
            finals.sort(key=lambda a: a.meta.get("order", 0))
            extra["final_videos"] = [final_view(a, links).model_dump(mode="json") for a in finals]
        self._emit(
            row,
            running.value,
            progress,
            message,
            type="complete",
            data={data_key: payload, "total_cost": dollars(row.total_cost_micros), **extra},
        )

    # ------------------------------------------------------------ stage 1: images

    async def generate_images(self, session_id: str) -> None:
        row = await self._load(session_id)
        if not row.image_plan:
            await self._parse_product(row)
            row = await self._load(session_id)
        product = ParseDict(row.product_spec or {}, common_pb2.ProductSpec())

        def call(chunk: list[dict[str, Any]]) -> Any:
            jobs = [
                image_gen_pb2.ImageJob(
                    item_id=i["item_id"], prompt=ParseDict(i["prompt"], common_pb2.ImagePrompt())
                )
                for i in chunk
            ]
            request = image_gen_pb2.GenerateImagesRequest(session_id=session_id, product=product, jobs=jobs)
            return self.agents.image_gen.GenerateImages(request, timeout=self.settings.agent_call_timeout_s)

        def meta(item: dict[str, Any], img: image_gen_pb2.ImageResult) -> dict[str, Any]:
            # The prompt stays with the image: it is shown, edited and regenerated from there.
            return {
                "view": _view_name(img.view),
                "seed": img.seed,
                "fallback_reason": img.fallback_reason,
                "prompt": item["prompt"],
                "replaces": item.get("replaces"),
            }

        await self._generate_items(
            row,
            ItemStage("image_gen", "image", "image", "image_generation", "generated_image_ids", 10, 100),
            plan=row.image_plan,
            estimate_usd=self.settings.estimate_image_usd,
            call=call,
            meta=meta,
        )
        await self._finish(
            session_id, SessionStage.IMAGE_GENERATION, 100, "Images ready for review!", "images"
        )

    async def _generate_items(
        self,
        row: Session,
        stage: ItemStage,
        *,
        plan: list[dict[str, Any]],
        estimate_usd: Decimal,
        call: Callable[[list[dict[str, Any]]], Any],
        meta: Callable[[dict[str, Any], Any], dict[str, Any]],
    ) -> None:
        """Send the undelivered items of `plan` (in calls of `items_per_call`, run in parallel) and
        save each result the moment it arrives; any failure fails the stage once the rest is done."""
        done_ids = set(getattr(row, stage.list_field))
        pending = [p for p in plan if p["item_id"] not in done_ids]
        if not pending:
            return
        # The bar and the counts are this run's: regenerating one image is "image 1 of 1".
        total, noun = len(pending), stage.noun
        self.check_budget(row, total * estimate_usd, f"{total} {noun}s")
        await self.agents.ensure_serving(stage.agent)
        delivered = 0
        # Per call: the share of its undelivered items already rendered, from its progress events.
        partial: dict[int, float] = {}
        failures: list[str] = []
        size = self.settings.items_per_call
        # One call carries one clip duration (shots of the storyboard may differ), at most `size` items.
        groups: dict[float, list[dict[str, Any]]] = {}
        for item in pending:
            groups.setdefault(float(item.get("duration_s") or 0.0), []).append(item)
        chunks = [g[i : i + size] for g in groups.values() for i in range(0, len(g), size)]

        def pct() -> int:
            return stage.lo + int((stage.hi - stage.lo) * (delivered + sum(partial.values())) / total)

        async def one(index: int, chunk: list[dict[str, Any]]) -> None:
            items = {item["item_id"]: item for item in chunk}
            undelivered = set(items)
            try:
                async with self._calling(stage.agent):
                    await consume(index, chunk, items, undelivered)
            except StageFailed as exc:  # from _calling: the call as a whole failed
                failures.extend(f"{i}: {exc}" for i in sorted(undelivered))
                undelivered.clear()
            finally:
                partial.pop(index, None)
            failures.extend(f"{i}: the {stage.agent} agent never answered" for i in sorted(undelivered))

        async def consume(
            index: int, chunk: list[dict[str, Any]], items: dict[str, Any], undelivered: set[str]
        ) -> None:
            nonlocal delivered, row
            async for event in call(chunk):
                kind = event.WhichOneof("event")
                if kind == "progress":
                    share = event.progress.fraction * len(chunk) - (len(chunk) - len(undelivered))
                    partial[index] = max(0.0, min(share, len(undelivered) - 0.01))
                    message = f"Generating {noun} {min(delivered + 1, total)} of {total}..."
                    self._emit(row, stage.progress_stage, pct(), message)
                elif kind == stage.result_field:
                    result = getattr(event, kind)
                    if result.item_id not in undelivered:
                        continue
                    undelivered.discard(result.item_id)
                    partial[index] = max(0.0, partial.get(index, 0.0) - 1)
                    saved = await self._save_item(
                        row.id,
                        item_id=result.item_id,
                        kind=stage.asset_type,
                        ref=result.asset,
                        cost=result.cost,
                        agent=stage.agent,
                        meta=meta(items[result.item_id], result),
                        list_field=stage.list_field,
                        progress=stage.lo + int((stage.hi - stage.lo) * (delivered + 1) / total),
                    )
                    if saved is not None:
                        row, delivered = saved, delivered + 1
                        message = f"{noun.title()} {delivered} of {total} ready"
                        self._emit(row, stage.progress_stage, pct(), message)
                elif kind == "failure":
                    failure = event.failure
                    undelivered.discard(failure.item_id)
                    await self._record_failure(row.id, stage.agent, failure)
                    failures.append(f"{failure.item_id}: {failure.code}: {failure.message}")

        async with asyncio.TaskGroup() as tg:
            for index, chunk in enumerate(chunks):
                tg.create_task(one(index, chunk))
        if failures:
            raise StageFailed(f"{len(failures)} of {total} {noun}s failed ({failures[0]}); retry to resume")

    async def _parse_product(self, row: Session) -> None:
        self._emit(row, "image_generation", 0, "Parsing prompt...")
        self.check_budget(row, self.settings.estimate_parse_usd, "parsing the prompt")
        await self.agents.ensure_serving("prompt_parser")
        async with self._calling("prompt_parser"):
            reply = await self.agents.prompt_parser.ParseProduct(
                prompt_parser_pb2.ParseProductRequest(
                    session_id=row.id,
                    product_text=row.product_prompt or "",
                    num_images=row.num_images or 6,
                    style_keywords=row.style_keywords or [],
                ),
                timeout=self.settings.agent_call_timeout_s,
            )
        plan = []
        for prompt in reply.prompts:
            prompt.seed = shifted_seed(prompt.seed, row.image_round)
            plan.append({"item_id": new_item_id("img"), "prompt": _pb_dict(prompt)})
        async with self.db.begin() as db:
            locked = await db.get(Session, row.id, with_for_update=True)
            assert locked is not None
            locked.product_spec = _pb_dict(reply.product)
            locked.consistency_seed = reply.consistency_seed
            locked.image_plan = plan
            locked.total_cost_micros += reply.cost.usd_micros
            locked.progress = 10
            await record_cost(db, session_id=row.id, agent="prompt_parser", item_id=None, cost=reply.cost)
            telemetry.count_cost("prompt_parser", reply.cost)
        self._emit(locked, "image_generation", 10, f"Prompt parsed: {len(plan)} views planned")

    # ------------------------------------------------------------ stage 2: clips

    async def generate_clips(self, session_id: str) -> None:
        row = await self._load(session_id)
        if not row.clip_plan:
            await self._plan_scenes(row)
            row = await self._load(session_id)
        async with self.db() as db:
            # The plan's own images: a regenerated shot may be of an image no longer on the board.
            query = select(Asset).where(Asset.id.in_({i["source_image_id"] for i in row.clip_plan}))
            sources = {a.id: a for a in (await db.execute(query)).scalars()}

        def call(chunk: list[dict[str, Any]]) -> Any:
            jobs = [
                video_gen_pb2.ClipJob(
                    item_id=i["item_id"],
                    image=ParseDict(sources[i["source_image_id"]].meta["asset"], common_pb2.AssetRef()),
                    plan=ParseDict(i["plan"], common_pb2.ScenePlan()),
                    seed=row.consistency_seed or 0,
                )
                for i in chunk
            ]
            # A call's shots share one duration (_generate_items groups them so).
            duration = float(chunk[0].get("duration_s") or row.clip_duration or 3.0)
            request = video_gen_pb2.GenerateClipsRequest(
                session_id=session_id, jobs=jobs, duration_s=duration
            )
            return self.agents.video_gen.GenerateClips(request, timeout=self.settings.agent_call_timeout_s)

        def meta(item: dict[str, Any], clip: video_gen_pb2.ClipResult) -> dict[str, Any]:
            return {
                "source_image_id": item["source_image_id"],
                "fallback_reason": clip.fallback_reason,
                "plan": item["plan"],
                "replaces": item.get("replaces"),
            }

        await self._generate_items(
            row,
            ItemStage("video_gen", "clip", "video", "clip_generation", "generated_clip_ids", 10, 100),
            plan=row.clip_plan,
            estimate_usd=self.settings.estimate_clip_usd,
            call=call,
            meta=meta,
        )
        await self._finish(session_id, SessionStage.CLIP_GENERATION, 100, "Clips ready for review!", "clips")

    async def _plan_scenes(self, row: Session) -> None:
        self._emit(row, "clip_generation", 0, "Planning scenes...")
        await self.plan_storyboard(row)
        self._emit(await self._load(row.id), "clip_generation", 10, "Scenes planned")

    async def plan_storyboard(self, row: Session) -> list[dict[str, Any]]:
        """One shot per approved image from the scene text, saved as the session's clip plan (new
        item ids, so nothing planned before is mistaken for its clip); the parser's cost is booked."""
        self.check_budget(row, self.settings.estimate_parse_usd, "planning the scenes")
        await self.agents.ensure_serving("prompt_parser")
        views = {p["item_id"]: p["prompt"].get("view", "VIEW_UNSPECIFIED") for p in row.image_plan}
        async with self.db() as db:
            approved = await db.execute(select(Asset).where(Asset.id.in_(row.approved_image_ids)))
            # An uploaded photo shows the view its owner chose (front, side, ...), not a planned one.
            uploads = [a for a in approved.scalars() if a.meta.get("source") == "upload"]
            views |= {a.id: f"VIEW_{a.meta['view'].upper()}" for a in uploads}
        async with self._calling("prompt_parser"):
            reply = await self.agents.prompt_parser.PlanScenes(
                prompt_parser_pb2.PlanScenesRequest(
                    session_id=row.id,
                    scene_text=row.video_prompt or "",
                    images=[
                        prompt_parser_pb2.SceneImage(
                            item_id=i, view=common_pb2.View.Value(views.get(i, "VIEW_UNSPECIFIED"))
                        )
                        for i in row.approved_image_ids
                    ],
                    product=ParseDict(row.product_spec or {}, common_pb2.ProductSpec()),
                ),
                timeout=self.settings.agent_call_timeout_s,
            )
        approved = set(row.approved_image_ids)
        duration = row.clip_duration or 3.0
        plan = [
            {
                "item_id": new_item_id("clip"),
                "source_image_id": p.item_id,
                "plan": _pb_dict(p),
                "duration_s": duration,
            }
            for p in reply.plans
            if p.item_id in approved
        ]
        if len(plan) != len(row.approved_image_ids):
            raise StageFailed(
                "the prompt_parser agent planned scenes for other images than the approved ones"
            )
        async with self.db.begin() as db:
            locked = await db.get(Session, row.id, with_for_update=True)
            assert locked is not None
            locked.clip_plan = plan
            locked.total_cost_micros += reply.cost.usd_micros
            await record_cost(db, session_id=row.id, agent="prompt_parser", item_id=None, cost=reply.cost)
            telemetry.count_cost("prompt_parser", reply.cost)
        return plan

    # ------------------------------------------------------------ stage 3: final video

    async def compose_final_video(self, session_id: str) -> None:
        row = await self._load(session_id)
        plan = row.compose_plan or {}
        item_id = plan["item_id"]
        if row.final_video_id != item_id:
            self._emit(row, "final_composition", 0, "Adding text overlays...")
            self.check_budget(row, self.settings.estimate_compose_usd, "the final composition")
            await self.agents.ensure_serving("compositor")
            async with self.db() as db:
                clips = {
                    a.id: a
                    for a in (await db.execute(select(Asset).where(Asset.id.in_(row.clip_order)))).scalars()
                }
            overlay = plan["overlay"]
            request = compositor_pb2.ComposeRequest(
                session_id=session_id,
                item_id=item_id,
                clips=[ParseDict(clips[c].meta["asset"], common_pb2.AssetRef()) for c in row.clip_order],
                intro_s=plan["intro_s"],
                outro_s=plan["outro_s"],
                overlay=compositor_pb2.TextOverlay(**overlay),
                music=compositor_pb2.Music(
                    enabled=plan["music"]["enabled"], genre=GENRES[plan["music"]["genre"]]
                ),
                formats=[FORMATS[f] for f in plan["formats"]],
                transition_s=plan["transition_s"],
                # Every final as a variant of the one call (plans saved before variants had none).
                variants=[
                    compositor_pb2.ComposeVariant(
                        variant_id=v["variant_id"],
                        format=FORMATS[v["format"]],
                        overlay=compositor_pb2.TextOverlay(**v["overlay"]),
                        music=compositor_pb2.Music(
                            enabled=v["music"]["enabled"], genre=GENRES[v["music"]["genre"]]
                        ),
                    )
                    for v in plan.get("finals", [])
                ],
            )
            result: compositor_pb2.ComposeResult | None = None
            async with self._calling("compositor"):
                async for event in self.agents.compositor.Compose(
                    request, timeout=self.settings.agent_call_timeout_s
                ):
                    kind = event.WhichOneof("event")
                    if kind == "progress":
                        # The compositor's fraction is FFmpeg's frames done of total; its message
                        # names the substep (music, text overlays, stitching).
                        progress = event.progress
                        if progress.message == "done":  # "Saving video..." stays up until complete
                            continue
                        message = progress.message or "Stitching clips..."
                        eta = {"eta_s": round(progress.eta_s, 1)} if progress.HasField("eta_s") else None
                        self._emit(
                            row, "final_composition", min(99, int(100 * progress.fraction)), message, data=eta
                        )
                    elif kind == "result":
                        result = event.result
                    elif kind == "failure":
                        await self._record_failure(session_id, "compositor", event.failure)
                        raise StageFailed(
                            f"the compositor agent failed: {event.failure.code}: {event.failure.message}"
                        )
            if result is None or not result.videos:
                raise StageFailed("the compositor agent returned no video")
            await self._save_final(session_id, item_id, plan, result)
        await self._finish(
            session_id, SessionStage.FINAL_COMPOSITION, 100, "Your video is ready!", "final_video"
        )

    async def _save_final(
        self, session_id: str, item_id: str, plan: dict[str, Any], result: compositor_pb2.ComposeResult
    ) -> None:
        names = {v: k for k, v in FORMATS.items()}
        has_audio = result.HasField("music")
        finals = {f["variant_id"]: f for f in plan.get("finals", [])}
        async with self.db.begin() as db:
            row = await db.get(Session, session_id, with_for_update=True)
            assert row is not None
            if await db.get(Asset, item_id) is not None:
                return
            for order, video in enumerate(result.videos):
                db.add(
                    Asset(
                        id=item_id if order == 0 else f"{item_id}-{order}",
                        session_id=session_id,
                        asset_type="final_video",
                        uri=video.asset.uri,
                        meta={
                            "asset": _pb_dict(video.asset),
                            "format": names.get(video.format, "16:9"),
                            "order": order,
                            # What this version was made from: shown beside it, and how it is
                            # known to be stale once the clips on the board change.
                            "settings": _settings_used(plan),
                            "clip_order": list(row.clip_order),
                            **_variant_meta(finals.get(video.variant_id), video.variant_id, has_audio),
                        },
                        # The whole call's cost sits on the primary video.
                        cost_micros=result.cost.usd_micros if order == 0 else 0,
                        model_used=result.cost.model or None,
                        generation_time=result.cost.seconds,
                    )
                )
            if has_audio:
                db.add(
                    Asset(
                        id=f"{item_id}-music",
                        session_id=session_id,
                        asset_type="audio",
                        uri=result.music.uri,
                        meta={"asset": _pb_dict(result.music), "genre": plan["music"]["genre"]},
                    )
                )
            row.final_video_id = item_id
            row.total_cost_micros += result.cost.usd_micros
            await record_cost(
                db, session_id=session_id, agent="compositor", item_id=item_id, cost=result.cost
            )
            telemetry.count_cost("compositor", result.cost)


def _settings_used(plan: dict[str, Any]) -> dict[str, Any]:
    keys = ("overlay", "music", "intro_s", "outro_s", "formats", "transition_s")
    return {k: plan[k] for k in keys if k in plan}


def _variant_meta(final: dict[str, Any] | None, variant_id: str, has_audio: bool) -> dict[str, Any]:
    if final is None:  # a plan from before variants: one music for every final
        return {"has_audio": has_audio}
    return {"variant_id": variant_id, "label": final["label"], "has_audio": final["music"]["enabled"]}


async def mark_stage(
    db: AsyncSession, session_id: str, stage: SessionStage, deadline: datetime, **values: Any
) -> None:
    """Move a session into a running stage (the route's transaction)."""
    await db.execute(
        update(Session)
        .where(Session.id == session_id)
        .values(stage=stage.value, stage_deadline=deadline, error=None, failed_stage=None, **values)
    )
