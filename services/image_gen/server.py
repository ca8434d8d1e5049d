"""The ImageGenService servicer: validate, render each job through the provider, store, stream."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import grpc

from adreel.v1 import common_pb2, image_gen_pb2, image_gen_pb2_grpc
from services.common.agent_parts import engine_agent, item_failure
from services.common.batch import ItemDone, ItemProgress, Reporter, run_batch
from services.common.errors import rpc_errors
from services.common.media import store_media
from services.common.replay import ResultCache, content_digest
from services.common.server import Agent
from services.common.storage import ObjectStore, key_from_uri
from services.common.storage.factory import open_store
from services.image_gen.config import Settings
from services.image_gen.providers import ImageRequest, Provider, make_provider
from services.image_gen.validation import VIEW_NAMES, validate

log = logging.getLogger(__name__)

AGENT = "image_gen"
SERVICE = image_gen_pb2.DESCRIPTOR.services_by_name["ImageGenService"].full_name
VIEW_ENUM = {name: value for value, name in VIEW_NAMES.items()}

Event = image_gen_pb2.GenerateImagesResponse


class ImageGenServicer(image_gen_pb2_grpc.ImageGenServiceServicer):
    def __init__(self, settings: Settings, store: ObjectStore, provider: Provider) -> None:
        self.settings = settings
        self.store = store
        self.provider = provider
        self.results = ResultCache(store, AGENT)

    async def GenerateImages(
        self, request: image_gen_pb2.GenerateImagesRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[image_gen_pb2.GenerateImagesResponse]:
        async with rpc_errors(context):
            jobs = validate(request)
            total = len(jobs)
            partial = [0.0] * total
            done = 0

            def progress(message: str, item_id: str = "") -> Event:
                fraction = (done + sum(partial)) / total
                return Event(
                    progress=common_pb2.Progress(
                        fraction=round(fraction, 4), message=message, item_id=item_id, done=done, total=total
                    )
                )

            yield progress(f"rendering {total} image(s)")

            async def work(index: int, report: Reporter) -> image_gen_pb2.ImageResult:
                digest = content_digest(request.product, request.jobs[index])  # what the item is
                return await self._one(request.session_id, jobs[index], report, digest)

            async for event in run_batch(total, work, self.settings.max_concurrency):
                item_id = jobs[event.index].item_id
                if isinstance(event, ItemProgress):
                    partial[event.index] = event.fraction * 0.99
                    yield progress(event.message, item_id)
                    continue
                partial[event.index] = 0.0
                done += 1
                if isinstance(event, ItemDone):
                    yield Event(image=event.result)
                    yield progress("image ready", item_id)
                else:
                    yield Event(
                        failure=item_failure(
                            item_id,
                            event.error,
                            log=log,
                            what="image failed",
                            internal="internal error while rendering; see the agent's logs",
                        )
                    )
                    yield progress("image failed", item_id)

    async def _one(
        self, session_id: str, job: ImageRequest, report: Reporter, digest: str
    ) -> image_gen_pb2.ImageResult:
        key = f"sessions/{session_id}/images/{job.item_id}.png"
        cached = await self.results.get(session_id, job.item_id, digest, image_gen_pb2.ImageResult)
        # Replay only while the image itself is still in storage; otherwise make it again.
        if cached is not None and await self.store.exists(key_from_uri(cached.asset.uri)):
            cached.replayed = True
            report(1.0, "replayed")
            return cached
        report(0.05, "rendering")
        with tempfile.TemporaryDirectory(prefix="image_gen-") as tmp:
            image = await self.provider.generate(job, Path(tmp))
            report(0.9, "storing")
            asset = await store_media(self.store, key, image.path, "image/png")
        result = image_gen_pb2.ImageResult(
            item_id=job.item_id,
            view=VIEW_ENUM[job.view],
            seed=job.seed,
            asset=asset,
            cost=image.cost,
            fallback_reason=image.fallback_reason,
        )
        await self.results.put(session_id, job.item_id, digest, result)
        return result


def build(settings: Settings | None = None, provider: Provider | None = None) -> tuple[Agent, Settings]:
    """The agent for the bootstrap; `provider` replaces the configured engine (tests wrap it)."""
    settings = settings or Settings()
    engine = provider or make_provider(settings)
    servicer = ImageGenServicer(settings, open_store(settings), engine)
    agent = engine_agent(
        AGENT,
        SERVICE,
        image_gen_pb2_grpc.add_ImageGenServiceServicer_to_server,
        servicer,
        engine,
        warmup=engine.start,
    )
    return agent, settings
