"""The data path, top to bottom: one function per stage, each calling the agents through their stubs.

A stage is resumable by construction: its plan (with gateway-chosen item ids) is saved before any
agent call, each result is saved the moment it arrives (asset + session + cost in one transaction),
and a rerun sends only the items not yet delivered. Agents also replay by item id, so a retry never
buys an asset twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.json_format import ParseDict
from sqlalchemy import select

from adreel.v1 import (
    common_pb2,
    compositor_pb2,
    image_gen_pb2,
    prompt_parser_pb2,
    video_gen_pb2,
)
from gateway import telemetry
from gateway.compose_request import compose_request
from gateway.cost_outbox import record_cost
from gateway.db.models import Asset, Session
from gateway.stage_runner import BudgetExceeded, StageFailed, new_item_id, pb_dict, view_name
from gateway.stage_store import StageStore
from gateway.stages import SessionStage

log = logging.getLogger(__name__)

__all__ = ["BudgetExceeded", "Orchestrator", "StageFailed", "new_item_id"]


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
    lo: int = 10
    hi: int = 100

    @property
    def noun(self) -> str:
        return self.result_field

    @property
    def plan_field(self) -> str:
        """The session's field holding the stage's plan: image_plan, clip_plan."""
        return f"{self.noun}_plan"

    @property
    def estimate_setting(self) -> str:
        """The setting that prices one item: estimate_image_usd, estimate_clip_usd."""
        return f"estimate_{self.noun}_usd"


IMAGES = ItemStage("image_gen", "image", "image", "image_generation", "generated_image_ids")
CLIPS = ItemStage("video_gen", "clip", "video", "clip_generation", "generated_clip_ids")


def shifted_seed(seed: int, image_round: int) -> int:
    """Each new round of images gets seeds of its own (round 0 keeps the parser's)."""
    return (seed + image_round * 7919) % 2**32


class Orchestrator(StageStore):
    """The three stages, top to bottom: images, clips, the final video."""

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
                "view": view_name(img.view),
                "seed": img.seed,
                "fallback_reason": img.fallback_reason,
                "prompt": item["prompt"],
                "replaces": item.get("replaces"),
            }

        await self._generate_items(row, IMAGES, call=call, meta=meta)
        await self._finish(
            session_id, SessionStage.IMAGE_GENERATION, 100, "Images ready for review!", "images"
        )

    async def _generate_items(
        self,
        row: Session,
        stage: ItemStage,
        *,
        call: Callable[[list[dict[str, Any]]], Any],
        meta: Callable[[dict[str, Any], Any], dict[str, Any]],
    ) -> None:
        """Send the undelivered items of the stage's plan (in calls of `items_per_call`, run in
        parallel) and save each result the moment it arrives; any failure fails the stage once the rest
        is done."""
        done_ids = set(getattr(row, stage.list_field))
        pending = [p for p in getattr(row, stage.plan_field) if p["item_id"] not in done_ids]
        if not pending:
            return
        # The bar and the counts are this run's: regenerating one image is "image 1 of 1".
        total, noun = len(pending), stage.noun
        self.check_budget(row, total * getattr(self.settings, stage.estimate_setting), f"{total} {noun}s")
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
            plan.append({"item_id": new_item_id("img"), "prompt": pb_dict(prompt)})
        async with self.db.begin() as db:
            locked = await db.get(Session, row.id, with_for_update=True)
            assert locked is not None
            locked.product_spec = pb_dict(reply.product)
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
                session_id=session_id, jobs=jobs, duration_s=duration, model=row.video_model or ""
            )
            return self.agents.video_gen.GenerateClips(request, timeout=self.settings.agent_call_timeout_s)

        def meta(item: dict[str, Any], clip: video_gen_pb2.ClipResult) -> dict[str, Any]:
            return {
                "source_image_id": item["source_image_id"],
                "fallback_reason": clip.fallback_reason,
                "plan": item["plan"],
                "replaces": item.get("replaces"),
            }

        await self._generate_items(row, CLIPS, call=call, meta=meta)
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
                "plan": pb_dict(p),
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
            request = compose_request(session_id, plan, [clips[c].meta["asset"] for c in row.clip_order])
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
