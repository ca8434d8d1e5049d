"""What a stage saves: each delivered item (asset + session + cost in one transaction), an item's
failure and its cost, the finals of a compose, and the end of a stage with its payload."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from adreel.v1 import (
    common_pb2,
    compositor_pb2,
)
from gateway import session_flow, telemetry
from gateway.cost_outbox import record_cost
from gateway.db.models import Asset, Session
from gateway.responses import MediaLinks, clip_view, dollars, final_view, image_view
from gateway.stage_runner import StageRunner, pb_dict
from gateway.stages import SessionStage
from gateway.webhooks.events import enqueue_stage_event

log = logging.getLogger(__name__)


# The API's names of formats and genres, and the contract's values.
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


class StageStore(StageRunner):
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
                    meta={"asset": pb_dict(ref), **meta},
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

    async def _save_final(
        self, session_id: str, item_id: str, plan: dict[str, Any], result: compositor_pb2.ComposeResult
    ) -> None:
        names = {v: k for k, v in FORMATS.items()}
        has_music = result.HasField("music")
        finals = {f["variant_id"]: f for f in plan.get("finals", [])}
        # One pair of caption files per call: every final shares the timeline they are timed on.
        captions = (
            {"vtt": pb_dict(result.captions_vtt), "srt": pb_dict(result.captions_srt)}
            if result.HasField("captions_vtt") and result.HasField("captions_srt")
            else None
        )
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
                            "asset": pb_dict(video.asset),
                            "format": names.get(video.format, "16:9"),
                            "order": order,
                            # What this version was made from: shown beside it, and how it is
                            # known to be stale once the clips on the board change.
                            "settings": _settings_used(plan),
                            "clip_order": list(row.clip_order),
                            **_variant_meta(finals.get(video.variant_id), video.variant_id, has_music),
                            # Every final of the call speaks the same voiceover.
                            "voiceover_s": round(result.voiceover_s, 2),
                            **({"captions": captions} if captions else {}),
                        },
                        # The whole call's cost sits on the primary video.
                        cost_micros=result.cost.usd_micros if order == 0 else 0,
                        model_used=result.cost.model or None,
                        generation_time=result.cost.seconds,
                    )
                )
            if has_music:
                db.add(
                    Asset(
                        id=f"{item_id}-music",
                        session_id=session_id,
                        asset_type="audio",
                        uri=result.music.uri,
                        meta={"asset": pb_dict(result.music), "genre": plan["music"]["genre"]},
                    )
                )
            row.final_video_id = item_id
            row.total_cost_micros += result.cost.usd_micros
            await record_cost(
                db, session_id=session_id, agent="compositor", item_id=item_id, cost=result.cost
            )
            telemetry.count_cost("compositor", result.cost)


def _settings_used(plan: dict[str, Any]) -> dict[str, Any]:
    keys = ("overlay", "music", "intro_s", "outro_s", "formats", "transition_s", "voiceover", "captions")
    return {k: plan[k] for k in keys if k in plan}


def _variant_meta(final: dict[str, Any] | None, variant_id: str, has_music: bool) -> dict[str, Any]:
    if final is None:  # a plan from before variants: one music for every final
        return {"has_music": has_music}
    return {"variant_id": variant_id, "label": final["label"], "has_music": final["music"]["enabled"]}
