"""Fixed-latency engines: real gRPC servers implementing all four agents' protos, each item taking
exactly `latency_s` and yielding tiny real media (a 64x64 PNG, a 64x36 30 fps H.264 MP4) in our
storage. They isolate the gateway (orchestration, database, WebSocket fan-out) from rendering cost,
for the load bench and for API fuzzing with the whole data path answering.
"""

from __future__ import annotations

import asyncio
import io
import subprocess
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import grpc
from PIL import Image

from adreel.v1 import (
    common_pb2,
    compositor_pb2,
    compositor_pb2_grpc,
    image_gen_pb2,
    image_gen_pb2_grpc,
    prompt_parser_pb2,
    prompt_parser_pb2_grpc,
    video_gen_pb2,
    video_gen_pb2_grpc,
)
from services.common.config import AgentSettings
from services.common.costs import usd_to_micros
from services.common.ffmpeg import ffmpeg_exe
from services.common.server import Agent
from services.common.storage import LocalStore
from tests.agents import running_agent

CLIP_S = 2.0
J = TypeVar("J")
R = TypeVar("R")


def tiny_mp4(seconds: float = CLIP_S) -> bytes:
    """A real 64x36 30 fps H.264 MP4 (a few kB), made once per engine."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tiny.mp4"
        args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi"]
        args += ["-i", f"testsrc2=s=64x36:r=30:d={seconds}", "-c:v", "libx264", "-preset", "ultrafast"]
        args += ["-pix_fmt", "yuv420p", str(out)]
        subprocess.run(args, check=True)
        return out.read_bytes()


def _cost(latency_s: float, usd: str = "0.01") -> common_pb2.Cost:
    return common_pb2.Cost(
        usd_micros=usd_to_micros(usd), provider="bench", model="bench/fixed", seconds=latency_s
    )


VIEWS = [common_pb2.VIEW_FRONT, common_pb2.VIEW_SIDE, common_pb2.VIEW_BACK, common_pb2.VIEW_TOP]


class FixedParser(prompt_parser_pb2_grpc.PromptParserServiceServicer):
    """Four views in turn, one slow zoom per approved image: instant and always the same."""

    async def ParseProduct(
        self, request: prompt_parser_pb2.ParseProductRequest, context: grpc.aio.ServicerContext
    ) -> prompt_parser_pb2.ParseProductResponse:
        prompts = [
            common_pb2.ImagePrompt(view=VIEWS[i % len(VIEWS)], prompt=f"{request.product_text} #{i}", seed=7)
            for i in range(request.num_images)
        ]
        return prompt_parser_pb2.ParseProductResponse(
            product=common_pb2.ProductSpec(text=request.product_text, category="other"),
            consistency_seed=7,
            prompts=prompts,
            cost=_cost(0, "0.000001"),
        )

    async def PlanScenes(
        self, request: prompt_parser_pb2.PlanScenesRequest, context: grpc.aio.ServicerContext
    ) -> prompt_parser_pb2.PlanScenesResponse:
        plans = [
            common_pb2.ScenePlan(
                item_id=i.item_id,
                view=i.view,
                scene_prompt=request.scene_text,
                camera_movement=common_pb2.CAMERA_MOVEMENT_ZOOM_IN,
                motion_intensity=0.5,
            )
            for i in request.images
        ]
        return prompt_parser_pb2.PlanScenesResponse(plans=plans, cost=_cost(0, "0.000001"))


class FixedLatencyImages(image_gen_pb2_grpc.ImageGenServiceServicer):
    """Every job takes exactly `latency_s`, all jobs at once; results stream as they finish."""

    def __init__(self, store: LocalStore, latency_s: float) -> None:
        self.store = store
        self.latency_s = latency_s
        buf = io.BytesIO()
        Image.new("RGB", (64, 64), (200, 80, 120)).save(buf, "PNG")
        self.png = buf.getvalue()

    async def GenerateImages(
        self, request: image_gen_pb2.GenerateImagesRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[image_gen_pb2.GenerateImagesResponse]:
        async def image(job: image_gen_pb2.ImageJob) -> image_gen_pb2.ImageResult:
            key = f"sessions/{request.session_id}/images/{job.item_id}.png"
            ref = await _stored(self.store, key, self.png, "image/png", width=64, height=64)
            return image_gen_pb2.ImageResult(
                item_id=job.item_id,
                view=job.prompt.view,
                seed=job.prompt.seed,
                asset=ref,
                cost=_cost(self.latency_s),
            )

        async for result in _each_after(self.latency_s, request.jobs, image):
            yield image_gen_pb2.GenerateImagesResponse(image=result)


async def _each_after(
    latency_s: float, jobs: Iterable[J], make: Callable[[J], Awaitable[R]]
) -> AsyncIterator[R]:
    """`make(job)` for every job, all at once, each after `latency_s`: the results as they finish."""

    async def one(job: J) -> R:
        await asyncio.sleep(latency_s)
        return await make(job)

    for done in asyncio.as_completed([one(j) for j in jobs]):
        yield await done


async def _stored(
    store: LocalStore, key: str, data: bytes, content_type: str, **media: Any
) -> common_pb2.AssetRef:
    """`data` saved under `key`, as an AssetRef with `media`'s fields (width, height, duration_s...)."""
    obj = await store.put_bytes(key, data, content_type)
    return common_pb2.AssetRef(
        uri=obj.uri, content_type=content_type, bytes=obj.bytes, sha256=obj.sha256, **media
    )


async def _stored_mp4(store: LocalStore, key: str, data: bytes, w: int, h: int) -> common_pb2.AssetRef:
    return await _stored(store, key, data, "video/mp4", width=w, height=h, duration_s=CLIP_S, fps=30)


class FixedLatencyClips(video_gen_pb2_grpc.VideoGenServiceServicer):
    def __init__(self, store: LocalStore, latency_s: float, mp4: bytes) -> None:
        self.store, self.latency_s, self.mp4 = store, latency_s, mp4

    async def GenerateClips(
        self, request: video_gen_pb2.GenerateClipsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[video_gen_pb2.GenerateClipsResponse]:
        async def clip(job: video_gen_pb2.ClipJob) -> video_gen_pb2.ClipResult:
            key = f"sessions/{request.session_id}/clips/{job.item_id}.mp4"
            ref = await _stored_mp4(self.store, key, self.mp4, 64, 36)
            return video_gen_pb2.ClipResult(
                item_id=job.item_id,
                source_item_id=job.plan.item_id,
                asset=ref,
                cost=_cost(self.latency_s, "0.05"),
            )

        async for result in _each_after(self.latency_s, request.jobs, clip):
            yield video_gen_pb2.GenerateClipsResponse(clip=result)


class FixedLatencyCompositor(compositor_pb2_grpc.CompositorServiceServicer):
    def __init__(self, store: LocalStore, latency_s: float, mp4: bytes) -> None:
        self.store, self.latency_s, self.mp4 = store, latency_s, mp4

    async def ListFonts(
        self, request: compositor_pb2.ListFontsRequest, context: grpc.aio.ServicerContext
    ) -> compositor_pb2.ListFontsResponse:
        return compositor_pb2.ListFontsResponse(fonts=[compositor_pb2.Font(id="inter", name="Inter")])

    async def ListVoices(
        self, request: compositor_pb2.ListVoicesRequest, context: grpc.aio.ServicerContext
    ) -> compositor_pb2.ListVoicesResponse:
        return compositor_pb2.ListVoicesResponse(voices=[compositor_pb2.VoiceOption(id="joe", name="Joe")])

    async def RenderTextPreview(
        self, request: compositor_pb2.RenderTextPreviewRequest, context: grpc.aio.ServicerContext
    ) -> compositor_pb2.RenderTextPreviewResponse:
        png = io.BytesIO()
        Image.new("RGBA", (8, 8), (255, 255, 255, 255)).save(png, format="PNG")
        preview = compositor_pb2.TextPreview(font="inter", png=png.getvalue(), width=8, height=8)
        return compositor_pb2.RenderTextPreviewResponse(previews=[preview])

    async def CheckCompose(
        self, request: compositor_pb2.CheckComposeRequest, context: grpc.aio.ServicerContext
    ) -> compositor_pb2.CheckComposeResponse:
        return compositor_pb2.CheckComposeResponse(duration_s=CLIP_S)

    async def Compose(
        self, request: compositor_pb2.ComposeRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[compositor_pb2.ComposeResponse]:
        for fraction in (0.1, 0.5):
            yield compositor_pb2.ComposeResponse(progress=common_pb2.Progress(fraction=fraction))
            await asyncio.sleep(self.latency_s / 2)
        outputs = [(v.variant_id, v.format) for v in request.variants] or [
            ("", f) for f in request.formats or [compositor_pb2.OUTPUT_FORMAT_LANDSCAPE_16_9]
        ]
        videos = []
        for n, (variant_id, fmt) in enumerate(outputs):
            key = f"sessions/{request.session_id}/final/{request.item_id}-{n}.mp4"
            ref = await _stored_mp4(self.store, key, self.mp4, 64, 36)
            videos.append(compositor_pb2.FinalVideo(format=fmt, asset=ref, variant_id=variant_id))
        result = compositor_pb2.ComposeResult(
            item_id=request.item_id, videos=videos, cost=_cost(self.latency_s)
        )
        yield compositor_pb2.ComposeResponse(result=result)


def fixed_agents(store: LocalStore, latency_s: float) -> dict[str, Agent]:
    """The four agents, by the gateway's name for each."""
    mp4 = tiny_mp4()
    parser = FixedParser()
    images = FixedLatencyImages(store, latency_s)
    clips = FixedLatencyClips(store, latency_s, mp4)
    compositor = FixedLatencyCompositor(store, latency_s, mp4)
    return {
        "prompt_parser": _serving("bench_parser", prompt_parser_pb2_grpc, "PromptParserService", parser),
        "image_gen": _serving("bench_images", image_gen_pb2_grpc, "ImageGenService", images),
        "video_gen": _serving("bench_clips", video_gen_pb2_grpc, "VideoGenService", clips),
        "compositor": _serving("bench_compositor", compositor_pb2_grpc, "CompositorService", compositor),
    }


def _serving(name: str, stubs: ModuleType, service: str, servicer: object) -> Agent:
    """An agent serving `servicer` as adreel.v1.<service> (the stubs' add_<service>Servicer_to_server)."""
    add = getattr(stubs, f"add_{service}Servicer_to_server")
    return Agent(name=name, services=[f"adreel.v1.{service}"], register=lambda server: add(servicer, server))


@dataclass(frozen=True)
class RunningEngines:
    addrs: dict[str, str]  # gateway settings field -> address, e.g. {"image_gen_addr": "127.0.0.1:5"}


@asynccontextmanager
async def running_engines(store: LocalStore, latency_s: float) -> AsyncIterator[RunningEngines]:
    """The four fixed-latency agents on free loopback ports, in this event loop."""
    settings = AgentSettings(storage_dir=store.root)
    async with AsyncExitStack() as stack:
        addrs = {}
        for name, agent in fixed_agents(store, latency_s).items():
            server, _ = await stack.enter_async_context(running_agent(agent, settings))
            addrs[f"{name}_addr"] = f"127.0.0.1:{server.port}"
        yield RunningEngines(addrs)
