"""OpenTelemetry end to end, read back with the SDK's in-memory exporter and metric reader.

One POST /api/generate-images through the real gateway and real prompt_parser and image_gen agents
on loopback (one image made to crash) must give ONE trace: the HTTP server span, the stage span,
gRPC client spans and the agents' server spans linked across the hop by W3C trace context; JSON log
lines on both sides carrying that trace id; and stage duration, cost and error metrics that match
the database. A video_gen call shows the FFmpeg run as a span under the agent's server span.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import httpx
import pytest
from opentelemetry import metrics, trace
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from PIL import Image

from adreel.v1 import common_pb2, prompt_parser_pb2, prompt_parser_pb2_grpc, video_gen_pb2, video_gen_pb2_grpc
from gateway import telemetry as gateway_telemetry
from services.common.logs import json_handler
from services.common.media import probe
from services.common.storage import LocalStore
from services.common.telemetry import client_interceptors, current_ids, setup_telemetry
from services.image_gen.config import Settings as ImageGenSettings
from services.image_gen.providers import GeneratedImage, ImageRequest, Provider, make_provider
from services.image_gen.server import build as build_image_gen
from services.prompt_parser.server import build as build_prompt_parser
from services.video_gen.config import Settings as VideoGenSettings
from services.video_gen.server import build as build_video_gen
from stack.embedded import free_port
from tests.agents import agent_channel, running_agent, spawn_agent, terminate, wait_serving
from tests.gateway_support import gateway_database, gateway_settings, login, plain_dsn, running_gateway

__all__ = ["gateway_database"]

PARSE = "/adreel.v1.PromptParserService/ParseProduct"
GENERATE = "/adreel.v1.ImageGenService/GenerateImages"
CLIPS = "/adreel.v1.VideoGenService/GenerateClips"


@dataclass
class Otel:
    spans: InMemorySpanExporter
    reader: InMemoryMetricReader


@pytest.fixture(scope="module")
def otel() -> Iterator[Otel]:
    # The process's provider (installed by the first gateway or agent, or here), plus our exporter.
    provider = setup_telemetry("adreel-tests")
    spans = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    reader = InMemoryMetricReader()
    meters = MeterProvider(metric_readers=[reader])
    metrics.set_meter_provider(meters)
    if metrics.get_meter_provider() is not meters:
        pytest.fail("another meter provider was installed first; metrics cannot be read here")
    yield Otel(spans, reader)
    spans.shutdown()  # later tests in this process record nothing here


class CrashOnSide:
    """The local engine, except that the side view crashes (an unexpected error in the agent)."""

    def __init__(self, inner: Provider) -> None:
        self.inner, self.name = inner, inner.name

    async def start(self) -> None:
        await self.inner.start()

    async def generate(self, request: ImageRequest, out_dir: Path) -> GeneratedImage:
        if request.view == "side":
            raise RuntimeError("renderer crashed on the side view")
        return await self.inner.generate(request, out_dir)

    async def close(self) -> None:
        await self.inner.close()


def metric_values(reader: InMemoryMetricReader) -> dict[tuple[str, frozenset[tuple[str, Any]]], float]:
    """(metric, attributes) -> counter sum or histogram count, cumulative since the reader began."""
    values: dict[tuple[str, frozenset[tuple[str, Any]]], float] = {}
    data = reader.get_metrics_data()
    for rm in data.resource_metrics if data else []:
        for sm in rm.scope_metrics:
            for m in sm.metrics:
                for p in m.data.data_points:
                    value = getattr(p, "count", None)
                    values[(m.name, frozenset(p.attributes.items()))] = p.value if value is None else value
    return values


def hexid(trace_id: int) -> str:
    return format(trace_id, "032x")


async def wait_spans(
    exporter: InMemorySpanExporter, trace_id: int, name: str, count: int
) -> list[ReadableSpan]:
    """Spans of a trace end when their work does; give the last ones a moment."""
    deadline = time.monotonic() + 5
    while True:
        spans = [s for s in exporter.get_finished_spans() if s.context.trace_id == trace_id]
        if sum(s.name == name for s in spans) >= count or time.monotonic() > deadline:
            return spans
        await asyncio.sleep(0.05)


async def test_one_trace_from_the_gateway_through_prompt_parser_and_image_gen(
    otel: Otel, gateway_database: str, storage_dir: Path, tmp_path: Path
) -> None:
    logs = io.StringIO()
    handler, root = json_handler("tests", logs), logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    before = metric_values(otel.reader)
    try:
        async with AsyncExitStack() as stack:
            parser, parser_settings = build_prompt_parser()
            parser_server, _ = await stack.enter_async_context(running_agent(parser, parser_settings))
            image_settings = ImageGenSettings(engine="local", max_concurrency=1, image_size=256)
            agent, image_settings = build_image_gen(
                image_settings, provider=CrashOnSide(make_provider(image_settings))
            )
            image_server, _ = await stack.enter_async_context(running_agent(agent, image_settings))
            settings = gateway_settings(
                gateway_database,
                storage_dir,
                tmp_path / "state",
                prompt_parser_addr=f"127.0.0.1:{parser_server.port}",
                image_gen_addr=f"127.0.0.1:{image_server.port}",
            )
            base = await stack.enter_async_context(running_gateway(settings))
            client = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=30))
            h = {"Authorization": f"Bearer {await login(client)}"}
            sid = (await client.post("/api/sessions/create", headers=h, json={})).json()["session_id"]
            otel.spans.clear()
            body = {"session_id": sid, "product_prompt": "white leather sneakers", "num_images": 4}
            assert (await client.post("/api/generate-images", headers=h, json=body)).status_code == 202
            deadline = time.monotonic() + 60
            while (session := (await client.get(f"/api/sessions/{sid}", headers=h)).json())["stage"] not in (
                "failed",
                "image_selection",
            ):
                assert time.monotonic() < deadline, session
                await asyncio.sleep(0.1)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    # Three images delivered, the side view failed: the stage failed, resumable.
    assert session["stage"] == "failed" and len(session["generated_images"]) == 3, session

    # --- one trace: HTTP -> stage -> gRPC client -> agent server
    posts = [
        s
        for s in otel.spans.get_finished_spans()
        if s.kind == SpanKind.SERVER and s.name == "POST /api/generate-images"
    ]
    assert len(posts) == 1 and posts[0].parent is None
    http = posts[0]
    spans = await wait_spans(otel.spans, http.context.trace_id, GENERATE, 8)
    (stage,) = [s for s in spans if s.name == "stage image_generation"]
    assert stage.parent is not None and stage.parent.span_id == http.context.span_id
    for method, calls in ((PARSE, 1), (GENERATE, 4)):  # items_per_call=1: one call per image
        clients = [s for s in spans if s.name == method and s.kind == SpanKind.CLIENT]
        servers = [s for s in spans if s.name == method and s.kind == SpanKind.SERVER]
        assert len(clients) == len(servers) == calls, (method, [s.name for s in spans])
        assert all(c.parent is not None and c.parent.span_id == stage.context.span_id for c in clients)
        # The server span's parent is the client span, received in the call's metadata.
        assert all(s.parent is not None and s.parent.is_remote for s in servers)
        assert {s.parent.span_id for s in servers if s.parent} == {c.context.span_id for c in clients}
    assert not any("grpc.health" in s.name for s in spans)  # health checks stay out of traces

    # --- the trace id in the JSON log lines of the gateway and of the agent
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    assert lines and all("trace_id" in line and "span_id" in line for line in lines)
    trace_hex = hexid(http.context.trace_id)
    (finished,) = [line for line in lines if line["message"] == "stage finished"]
    assert finished["trace_id"] == trace_hex and finished["span_id"] == format(stage.context.span_id, "016x")
    assert finished["outcome"] == "failed" and finished["service"] == "tests"
    (crash,) = [line for line in lines if line["message"] == "image failed"]
    generate_servers = {
        format(s.context.span_id, "016x") for s in spans if s.name == GENERATE and s.kind == SpanKind.SERVER
    }
    assert crash["trace_id"] == trace_hex and crash["span_id"] in generate_servers
    assert crash["logger"] == "services.image_gen.server"

    # --- metrics: one stage sample, the cost booked in the database, the crashed item as an error
    after = metric_values(otel.reader)

    def delta(name: str, **attrs: str) -> float:
        matching = [k for k in after if k[0] == name and set(attrs.items()) <= k[1]]
        return sum(after[k] - before.get(k, 0) for k in matching)

    assert delta("adreel.stage.duration", stage="image_generation", outcome="failed") == 1
    assert delta("adreel.agent.errors", agent="image_gen", code="INTERNAL") == 1
    assert delta("adreel.agent.errors") == 1
    conn = await asyncpg.connect(plain_dsn(gateway_database))
    try:
        booked = await conn.fetchval("SELECT total_cost_micros FROM sessions WHERE id = $1", sid)
    finally:
        await conn.close()
    assert delta("adreel.cost", agent="image_gen") > 0
    assert delta("adreel.cost") == booked


async def test_stages_in_flight_count_each_running_stage_until_it_ends(otel: Otel) -> None:
    """What the gateway's HPA scales on (adreel_stages_in_flight): up while a stage runs, down
    however it ends."""

    def in_flight() -> float:
        values = metric_values(otel.reader)
        return sum(v for (name, _), v in values.items() if name == "adreel.stages.in_flight")

    before = in_flight()
    async with gateway_telemetry.stage("clip_generation"):
        assert in_flight() == before + 1
        with pytest.raises(RuntimeError):
            async with gateway_telemetry.stage("image_generation"):
                assert in_flight() == before + 2
                raise RuntimeError("stage crashed")
        assert in_flight() == before + 1
    assert in_flight() == before


async def test_ffmpeg_run_is_a_span_under_the_video_gen_server_span(otel: Otel, tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    Image.new("RGB", (640, 480), (200, 80, 40)).save(tmp_path / "source.png")
    await store.put_file("sessions/s1/images/source.png", tmp_path / "source.png", "image/png")
    request = video_gen_pb2.GenerateClipsRequest(
        session_id="s1",
        duration_s=2.0,
        jobs=[
            video_gen_pb2.ClipJob(
                item_id="clip1",
                image=common_pb2.AssetRef(uri="asset://sessions/s1/images/source.png"),
                plan=common_pb2.ScenePlan(
                    item_id="source", camera_movement=common_pb2.CAMERA_MOVEMENT_ZOOM_IN, motion_intensity=0.5
                ),
            )
        ],
    )
    agent, settings = build_video_gen(VideoGenSettings(storage_dir=tmp_path, engine="local"))
    async with running_agent(agent, settings) as (server, _):
        channel = agent_channel(f"127.0.0.1:{server.port}", client_interceptors())
        with trace.get_tracer("tests").start_as_current_span("caller") as caller:
            assert current_ids()["trace_id"] == hexid(caller.get_span_context().trace_id)
            stub = video_gen_pb2_grpc.VideoGenServiceStub(channel)
            events = [e async for e in stub.GenerateClips(request, timeout=60)]
        await channel.close()
    (clip,) = [e.clip for e in events if e.WhichOneof("event") == "clip"]
    info = probe(tmp_path / clip.asset.uri.removeprefix("asset://"))
    assert (info.fps, round(info.duration_s, 1)) == (30.0, 2.0)

    trace_id = caller.get_span_context().trace_id
    spans = await wait_spans(otel.spans, trace_id, "ffmpeg", 1)
    by_id = {s.context.span_id: s for s in spans}
    ffmpeg = [s for s in spans if s.name == "ffmpeg"]
    assert ffmpeg, [s.name for s in spans]
    for run in ffmpeg:
        assert run.parent is not None
        server_span = by_id[run.parent.span_id]
        assert (server_span.name, server_span.kind) == (CLIPS, SpanKind.SERVER)
        client_span = by_id[server_span.parent.span_id] if server_span.parent else None
        assert client_span is not None and client_span.kind == SpanKind.CLIENT
        assert (
            client_span.parent is not None and client_span.parent.span_id == caller.get_span_context().span_id
        )
    encode = ffmpeg[-1].attributes or {}
    assert str(encode["ffmpeg.output"]).endswith(".mp4")
    assert float(encode["ffmpeg.cpu_s"]) > 0 and float(encode["ffmpeg.wall_s"]) > 0


class Collector(trace_service_pb2_grpc.TraceServiceServicer):
    """The trace half of an OTLP/gRPC collector: keeps what it is sent."""

    def __init__(self) -> None:
        self.requests: list[trace_service_pb2.ExportTraceServiceRequest] = []

    async def Export(
        self, request: trace_service_pb2.ExportTraceServiceRequest, context: grpc.aio.ServicerContext
    ) -> trace_service_pb2.ExportTraceServiceResponse:
        self.requests.append(request)
        return trace_service_pb2.ExportTraceServiceResponse()


async def test_an_agent_process_exports_its_spans_over_otlp(otel: Otel, storage_dir: Path) -> None:
    collector, receiver = Collector(), grpc.aio.server()
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(collector, receiver)
    otlp_port = receiver.add_insecure_port("127.0.0.1:0")
    await receiver.start()
    port = free_port()
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{otlp_port}", "OTEL_SERVICE_NAME": ""}
    proc = spawn_agent("prompt_parser", port, env)
    try:
        await wait_serving(port)
        async with agent_channel(f"127.0.0.1:{port}", client_interceptors()) as ch:
            with trace.get_tracer("tests").start_as_current_span("caller") as caller:
                reply = await prompt_parser_pb2_grpc.PromptParserServiceStub(ch).ParseProduct(
                    prompt_parser_pb2.ParseProductRequest(
                        session_id="s1", product_text="blue running shoes", num_images=4
                    ),
                    timeout=30,
                )
        assert len(reply.prompts) == 4
        terminate(proc)  # a graceful stop flushes the batch of spans before the process exits
        assert await asyncio.to_thread(proc.wait, 20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        await receiver.stop(0)
    exported = [
        (rs.resource, span)
        for request in collector.requests
        for rs in request.resource_spans
        for ss in rs.scope_spans
        for span in ss.spans
    ]
    (client,) = [
        s
        for s in otel.spans.get_finished_spans()
        if s.name == PARSE and s.parent and s.parent.span_id == caller.get_span_context().span_id
    ]
    (resource, server) = next((r, s) for r, s in exported if s.name == PARSE)
    assert {a.key: a.value.string_value for a in resource.attributes}["service.name"] == "prompt_parser"
    assert server.trace_id.hex() == hexid(caller.get_span_context().trace_id)
    assert server.parent_span_id.hex() == format(client.context.span_id, "016x")
    assert not any("grpc.health" in s.name for _, s in exported)
