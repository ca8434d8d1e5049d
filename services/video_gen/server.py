"""GenerateClips: validate the request, render clips concurrently, stream each the moment it exists."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import grpc

from adreel.v1 import common_pb2, video_gen_pb2, video_gen_pb2_grpc
from services.common.agent_parts import engine_agent, item_failure
from services.common.batch import ItemDone, ItemFailed, ItemProgress, Reporter, run_batch
from services.common.errors import rpc_errors
from services.common.media import store_media
from services.common.replay import ResultCache, content_digest
from services.common.server import Agent
from services.common.storage import ObjectStore, key_from_uri
from services.common.storage.factory import open_store
from services.video_gen.config import Settings
from services.video_gen.providers import ClipRequest, Provider, make_provider
from services.video_gen.source_image import check_image
from services.video_gen.validation import validate

log = logging.getLogger(__name__)

SERVICE = video_gen_pb2.DESCRIPTOR.services_by_name["VideoGenService"].full_name


class VideoGenServicer(video_gen_pb2_grpc.VideoGenServiceServicer):
    def __init__(self, settings: Settings, store: ObjectStore, provider: Provider) -> None:
        self.settings = settings
        self.store = store
        self.provider = provider
        self.results = ResultCache(store, "video_gen")

    async def GenerateClips(
        self, request: video_gen_pb2.GenerateClipsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[video_gen_pb2.GenerateClipsResponse]:
        async with rpc_errors(context):
            validate(request)
            self.provider.check_model(request.model)
            async for event in self._generate(request):
                yield event

    async def _generate(
        self, request: video_gen_pb2.GenerateClipsRequest
    ) -> AsyncIterator[video_gen_pb2.GenerateClipsResponse]:
        jobs, sid = request.jobs, request.session_id
        total = len(jobs)
        fractions = [0.0] * total
        done = 0

        def progress(message: str, item_id: str = "") -> video_gen_pb2.GenerateClipsResponse:
            return video_gen_pb2.GenerateClipsResponse(
                progress=common_pb2.Progress(
                    fraction=round(sum(fractions) / total, 4),
                    message=message,
                    item_id=item_id,
                    done=done,
                    total=total,
                )
            )

        async def work(index: int, report: Reporter) -> video_gen_pb2.ClipResult:
            job = jobs[index]
            return await self.results.get_or_make(
                sid,
                job.item_id,
                content_digest(job, repr(request.duration_s), request.model),
                video_gen_pb2.ClipResult,
                lambda: self._make_clip(sid, index, job, request, report),
            )

        yield progress(f"rendering {total} clip(s)")
        async for event in run_batch(total, work, self.settings.max_concurrency):
            item_id = jobs[event.index].item_id
            match event:
                case ItemProgress(fraction=f, message=msg):
                    fractions[event.index] = f
                    yield progress(msg, item_id)
                case ItemDone(result=clip):
                    fractions[event.index], done = 1.0, done + 1
                    yield video_gen_pb2.GenerateClipsResponse(clip=clip)
                case ItemFailed(error=exc):
                    fractions[event.index], done = 1.0, done + 1
                    yield video_gen_pb2.GenerateClipsResponse(failure=self._failure(item_id, exc))
        yield progress("all clips done")

    async def _make_clip(
        self,
        sid: str,
        index: int,
        job: video_gen_pb2.ClipJob,
        request: video_gen_pb2.GenerateClipsRequest,
        report: Reporter,
    ) -> video_gen_pb2.ClipResult:
        field = f"jobs[{index}].image"
        key = key_from_uri(job.image.uri, f"{field}.uri")
        async with self.store.local_path(key) as source:
            await asyncio.to_thread(check_image, source, field)
            with tempfile.TemporaryDirectory(prefix="adreel-vg-") as tmp:
                out = Path(tmp) / "clip.mp4"
                rendered = await self.provider.render(
                    ClipRequest(
                        source=source,
                        source_uri=job.image.uri,
                        movement=job.plan.camera_movement,
                        motion_intensity=job.plan.motion_intensity,
                        duration_s=request.duration_s,
                        seed=job.seed,
                        scene_prompt=job.plan.scene_prompt,
                        model=request.model,
                    ),
                    out,
                    lambda f: report(f, "rendering"),
                )
                asset = await store_media(
                    self.store, f"sessions/{sid}/clips/{job.item_id}.mp4", out, "video/mp4"
                )
        return video_gen_pb2.ClipResult(
            item_id=job.item_id,
            source_item_id=job.plan.item_id,
            asset=asset,
            cost=rendered.cost,
            fallback_reason=rendered.fallback_reason,
        )

    def _failure(self, item_id: str, exc: BaseException) -> common_pb2.ItemFailure:
        return item_failure(
            item_id,
            exc,
            log=log,
            what="clip failed",
            internal="internal error in the agent; see its logs",
            cost=common_pb2.Cost(provider=self.provider.name, model=self.provider.default_model),
        )


def build(settings: Settings | None = None) -> tuple[Agent, Settings]:
    settings = settings or Settings()
    store = open_store(settings)
    provider = make_provider(settings)
    servicer = VideoGenServicer(settings, store, provider)

    agent = engine_agent(
        "video_gen",
        SERVICE,
        video_gen_pb2_grpc.add_VideoGenServiceServicer_to_server,
        servicer,
        provider,
        warmup=provider.warmup,
    )
    return agent, settings
