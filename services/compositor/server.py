"""The CompositorService servicer (validation and wiring) and `build()` for the launcher."""

from __future__ import annotations

import asyncio
import collections
import functools
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import grpc

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.agent_parts import engine_agent, item_failure
from services.common.batch import ItemDone, ItemFailed, ItemProgress, Reporter, run_batch
from services.common.costs import Stopwatch, local_cost
from services.common.errors import rpc_errors
from services.common.ffmpeg import ffmpeg_exe
from services.common.replay import ResultCache, content_digest
from services.common.server import Agent
from services.common.storage.factory import open_store
from services.compositor import piper_process
from services.compositor.brand_fonts import load_brand_fonts
from services.compositor.config import Settings
from services.compositor.font_preview import previews
from services.compositor.fonts import FALLBACKS, FONTS, check_fonts, font_scripts
from services.compositor.providers import make_provider, make_voice
from services.compositor.render import MODEL, PREVIEW_MODEL, Composer
from services.compositor.shaping import check_shaping
from services.compositor.validation import ComposeSpec, parse_request

log = logging.getLogger(__name__)
SERVICE = "adreel.v1.CompositorService"


def _progress(
    item_id: str, fraction: float, message: str, done: int = 0, eta_s: float | None = None
) -> pb.ComposeResponse:
    progress = common_pb2.Progress(fraction=fraction, message=message, item_id=item_id, done=done, total=1)
    if eta_s is not None:
        progress.eta_s = round(eta_s, 1)
    return pb.ComposeResponse(progress=progress)


@functools.cache
def _fonts() -> tuple[pb.Font, ...]:
    """The picker's fonts, each with the scripts it draws itself and those its fallbacks add."""
    fallback = {s for f in FALLBACKS for s in font_scripts(f)}
    out = []
    for f in FONTS.values():
        own = font_scripts(f)
        extra = [s for s in fallback if s not in own]
        out.append(pb.Font(id=f.id, name=f.name, scripts=own, fallback_scripts=sorted(extra)))
    return tuple(out)


class CompositorServicer(pb_grpc.CompositorServiceServicer):
    def __init__(self, composer: Composer, cache: ResultCache) -> None:
        self.composer = composer
        self.cache = cache

    async def _spec(self, request: pb.ComposeRequest) -> ComposeSpec:
        """The request checked, with the brand fonts it names fetched and checked first."""
        voices = tuple(v.id for v in self.composer.voice.voices())
        return parse_request(request, await load_brand_fonts(request, self.composer.store), voices=voices)

    async def ListVoices(
        self, request: pb.ListVoicesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListVoicesResponse:
        voices = [pb.VoiceOption(id=v.id, name=v.name, online=v.online) for v in self.composer.voice.voices()]
        return pb.ListVoicesResponse(voices=voices)

    async def ListFonts(
        self, request: pb.ListFontsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListFontsResponse:
        return pb.ListFontsResponse(fonts=list(_fonts()))

    async def RenderTextPreview(
        self, request: pb.RenderTextPreviewRequest, context: grpc.aio.ServicerContext
    ) -> pb.RenderTextPreviewResponse:
        async with rpc_errors(context):
            return await asyncio.to_thread(previews, request)
        raise AssertionError("unreachable: rpc_errors aborts")

    async def CheckCompose(
        self, request: pb.CheckComposeRequest, context: grpc.aio.ServicerContext
    ) -> pb.CheckComposeResponse:
        async with rpc_errors(context):
            spec = await self._spec(request.request)
            async with AsyncExitStack() as stack:
                clips = await self.composer.open_clips(spec, stack)
                timeline = self.composer.timeline(spec, clips)
            notes = "; ".join(spec.fallback_notes())
            return pb.CheckComposeResponse(duration_s=timeline.duration_s, notes=notes)
        raise AssertionError("unreachable: rpc_errors aborts")

    async def Compose(
        self, request: pb.ComposeRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ComposeResponse]:
        async with rpc_errors(context):
            spec = await self._spec(request)
            # A preview is free and shows the timeline as it is now: never replayed. A final is
            # replayed only for the same request: the same item id asking for another video is not.
            digest = content_digest(request)
            cached = None
            if not spec.preview:
                cached = await self.cache.get(spec.session_id, spec.item_id, digest, pb.ComposeResult)
            if cached is not None:
                cached.replayed = True
                yield pb.ComposeResponse(result=cached)
                return
            async with AsyncExitStack() as stack:
                # Everything a caller can get wrong is refused before the stream starts.
                clips = await self.composer.open_clips(spec, stack)
                timeline = self.composer.timeline(spec, clips)
                yield _progress(spec.item_id, 0.0, f"composing {timeline.duration_s:.2f} s")

                # run_batch's reporter carries no ETA: each report's goes through this queue, in
                # step with the ItemProgress events (one per report, in order).
                etas: collections.deque[float | None] = collections.deque()

                async def work(_: int, report: Reporter) -> pb.ComposeResult:
                    def progress(fraction: float, message: str, eta_s: float | None = None) -> None:
                        etas.append(eta_s)
                        report(fraction, message)

                    return await self.composer.render(spec, clips, timeline, progress)

                failed: BaseException | None = None
                with Stopwatch() as sw:
                    async for event in run_batch(1, work, 1):
                        if isinstance(event, ItemProgress):
                            yield _progress(spec.item_id, event.fraction, event.message, eta_s=etas.popleft())
                        elif isinstance(event, ItemDone):
                            if not spec.preview:
                                await self.cache.put(spec.session_id, spec.item_id, digest, event.result)
                            yield _progress(spec.item_id, 1.0, "done", done=1, eta_s=0.0)
                            yield pb.ComposeResponse(result=event.result)
                        elif isinstance(event, ItemFailed):
                            failed = event.error
                if failed is not None:
                    cost = local_cost(MODEL, sw.cpu_s, sw.wall_s)
                    if spec.preview:
                        cost = common_pb2.Cost(provider="local", model=PREVIEW_MODEL, seconds=sw.wall_s)
                    yield self._failure(spec.item_id, failed, cost)

    @staticmethod
    def _failure(item_id: str, error: BaseException, cost: common_pb2.Cost) -> pb.ComposeResponse:
        return pb.ComposeResponse(
            failure=item_failure(
                item_id,
                error,
                log=log,
                what="compose failed",
                internal="internal error in the compositor; see its logs",
                cost=cost,
            )
        )


def build(settings: Settings | None = None) -> tuple[Agent, Settings]:
    settings = settings or Settings()
    store = open_store(settings)
    music = make_provider(settings)
    composer = Composer(store, settings, music, make_voice(settings, music))
    servicer = CompositorServicer(composer, ResultCache(store, "compositor"))

    async def warmup() -> None:
        if not Path(ffmpeg_exe()).is_file():
            raise RuntimeError("ffmpeg binary missing")
        await asyncio.to_thread(check_fonts)
        await asyncio.to_thread(check_shaping)
        await asyncio.to_thread(_fonts)  # every font's coverage, read once
        await music.warmup()
        # The offline voice answers in a fraction of a second once Piper is up: start it now.
        await piper_process.speak_lines(["Ready."], 1.0, 60.0)

    async def close() -> None:
        await music.close()
        await piper_process.close_all()

    agent = engine_agent(
        "compositor",
        SERVICE,
        pb_grpc.add_CompositorServiceServicer_to_server,
        servicer,
        music,
        warmup=warmup,
        close=close,
    )
    return agent, settings
