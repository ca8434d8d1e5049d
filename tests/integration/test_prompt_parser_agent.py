"""The prompt parser agent over real gRPC on loopback: health, both RPCs, validation, SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable

import grpc
import pytest
from grpc_health.v1 import health_pb2

from adreel.v1 import common_pb2, prompt_parser_pb2, prompt_parser_pb2_grpc
from services.prompt_parser.config import Settings
from services.prompt_parser.server import SERVICE_NAME, build
from services.prompt_parser.view_prompts import consistency_seed
from stack.embedded import free_port
from tests.agents import agent_channel, health_status, running_agent, spawn_agent, terminate, wait_serving

pb = prompt_parser_pb2
View = common_pb2.View
Cam = common_pb2.CameraMovement
SERVING = health_pb2.HealthCheckResponse.SERVING
WATCH = "luxury gold watch with leather strap on marble surface"


@pytest.fixture
async def stub() -> AsyncIterator[prompt_parser_pb2_grpc.PromptParserServiceStub]:
    agent, settings = build(Settings(engine="local"))
    async with running_agent(agent, settings) as (_, channel):
        assert await health_status(channel) == SERVING
        assert await health_status(channel, SERVICE_NAME) == SERVING
        yield prompt_parser_pb2_grpc.PromptParserServiceStub(channel)


def parse_request(**changes: object) -> pb.ParseProductRequest:
    req = pb.ParseProductRequest(
        session_id="s-1", product_text=WATCH, num_images=6, style_keywords=["Elegant"]
    )
    for name, value in changes.items():
        if isinstance(value, list):
            del getattr(req, name)[:]
            getattr(req, name).extend(value)
        else:
            setattr(req, name, value)
    return req


def plan_request(images: list[tuple[str, int]] | None = None, **changes: object) -> pb.PlanScenesRequest:
    images = images if images is not None else [("img-1", View.VIEW_FRONT), ("img-2", View.VIEW_DETAIL)]
    req = pb.PlanScenesRequest(
        session_id="s-1",
        scene_text="a runner sprinting through the city",
        images=[pb.SceneImage(item_id=i, view=v) for i, v in images],  # type: ignore[arg-type]
        product=common_pb2.ProductSpec(text=WATCH, category="watch"),
    )
    for name, value in changes.items():
        if isinstance(value, common_pb2.ProductSpec):
            getattr(req, name).CopyFrom(value)
        else:
            setattr(req, name, value)
    return req


async def test_parse_product_over_grpc(stub: prompt_parser_pb2_grpc.PromptParserServiceStub) -> None:
    reply = await stub.ParseProduct(parse_request(), timeout=5)
    spec = reply.product
    assert (spec.text, spec.category) == (WATCH, "watch")
    assert (list(spec.colors), list(spec.palette)) == (["gold", "brown"], ["#d4af37", "#6d4c41"])
    assert list(spec.materials) == ["gold", "leather"]
    assert list(spec.style_keywords) == ["elegant", "luxury"]
    assert reply.consistency_seed == consistency_seed(WATCH, None)
    assert len(reply.prompts) == 6
    assert len({p.prompt for p in reply.prompts}) == 6
    assert {p.seed for p in reply.prompts} == {reply.consistency_seed}
    assert [p.view for p in reply.prompts] == [
        View.VIEW_FRONT, View.VIEW_SIDE, View.VIEW_BACK, View.VIEW_TOP, View.VIEW_DETAIL, View.VIEW_LIFESTYLE,
    ]  # fmt: skip
    assert all(
        "luxury gold watch with leather strap" in p.prompt and p.negative_prompt for p in reply.prompts
    )
    assert (reply.cost.provider, reply.cost.model) == ("local", "local/rules")
    assert reply.cost.usd_micros >= 0 and 0 <= reply.cost.seconds < 1
    assert reply.fallback_reason == ""

    # Deterministic, and the caller's seed wins.
    again = await stub.ParseProduct(parse_request(), timeout=5)
    assert (again.product, list(again.prompts)) == (reply.product, list(reply.prompts))
    seeded = await stub.ParseProduct(parse_request(seed=7, num_images=8), timeout=5)
    assert seeded.consistency_seed == 7
    assert [p.seed for p in seeded.prompts] == [7] * 8


async def test_plan_scenes_over_grpc(stub: prompt_parser_pb2_grpc.PromptParserServiceStub) -> None:
    parsed = await stub.ParseProduct(parse_request(num_images=4), timeout=5)
    images = [(f"img-{i}", p.view) for i, p in enumerate(parsed.prompts)]

    async def plans(scene: str) -> list[common_pb2.ScenePlan]:
        reply = await stub.PlanScenes(
            plan_request(images, scene_text=scene, product=parsed.product), timeout=5
        )
        assert (reply.cost.provider, reply.cost.model) == ("local", "local/rules")
        return list(reply.plans)

    running = await plans("a runner running and jumping through a city park")
    resting = await plans("resting still on a calm marble table")
    for got in (running, resting):
        assert [(p.item_id, p.view) for p in got] == images
        assert all(p.camera_movement != Cam.CAMERA_MOVEMENT_UNSPECIFIED for p in got)
        assert all("luxury gold watch with leather strap" in p.scene_prompt for p in got)
    assert min(p.motion_intensity for p in running) >= 0.6
    assert max(p.motion_intensity for p in resting) <= 0.4
    assert running[0].camera_movement == Cam.CAMERA_MOVEMENT_TRACKING
    assert resting[0].camera_movement == Cam.CAMERA_MOVEMENT_ZOOM_IN


def _too_many_images() -> list[tuple[str, int]]:
    return [(f"i{i}", View.VIEW_FRONT) for i in range(9)]


BAD_PARSE: list[tuple[Callable[[], pb.ParseProductRequest], str]] = [
    (lambda: parse_request(session_id=""), "session_id: "),
    (lambda: parse_request(session_id="../etc"), "session_id: "),
    (lambda: parse_request(product_text="   "), "product_text: must not be blank"),
    (lambda: parse_request(product_text="x" * 201), "product_text: must be 3-200 characters"),
    (lambda: parse_request(num_images=3), "num_images: "),
    (lambda: parse_request(num_images=9), "num_images: "),
    (lambda: parse_request(style_keywords=[f"k{i}" for i in range(11)]), "style_keywords: "),
    (lambda: parse_request(style_keywords=["fine", "  "]), "style_keywords[1]: "),
    (lambda: parse_request(style_keywords=["x" * 31]), "style_keywords[0]: "),
]
BAD_PLAN: list[tuple[Callable[[], pb.PlanScenesRequest], str]] = [
    (lambda: plan_request(session_id="a b"), "session_id: "),
    (lambda: plan_request(scene_text="\n "), "scene_text: must not be blank"),
    (lambda: plan_request(scene_text="y" * 301), "scene_text: must be 10-300 characters"),
    (lambda: plan_request([]), "images: "),
    (lambda: plan_request(_too_many_images()), "images: "),
    (lambda: plan_request([("ok", View.VIEW_FRONT), ("bad id!", View.VIEW_SIDE)]), "images[1].item_id: "),
    (
        lambda: plan_request([("same", View.VIEW_FRONT), ("same", View.VIEW_SIDE)]),
        "images[1].item_id: repeats",
    ),
    (lambda: plan_request([("a", View.VIEW_UNSPECIFIED)]), "images[0].view: "),
    (lambda: plan_request([("a", View.VIEW_FRONT), ("b", 42)]), "images[1].view: "),
]


async def test_every_bad_input_is_invalid_argument_naming_the_field(
    stub: prompt_parser_pb2_grpc.PromptParserServiceStub,
) -> None:
    # One agent for all cases keeps the suite lean; each case still reports which one failed.
    cases = [(stub.ParseProduct, make, field) for make, field in BAD_PARSE]
    cases += [(stub.PlanScenes, make, field) for make, field in BAD_PLAN]
    for call, make, field in cases:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await call(make(), timeout=5)  # type: ignore[operator]
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, field
        assert (err.value.details() or "").startswith(field), (field, err.value.details())


async def test_process_serves_then_exits_cleanly_on_sigterm(storage_dir: object) -> None:
    port = free_port()
    proc = spawn_agent("prompt_parser", port, env={"ADREEL_ENGINE": "local"})
    try:
        await wait_serving(port)
        async with agent_channel(f"127.0.0.1:{port}") as channel:
            reply = await prompt_parser_pb2_grpc.PromptParserServiceStub(channel).ParseProduct(
                parse_request(), timeout=5
            )
            assert reply.product.category == "watch"
        terminate(proc, signal.SIGTERM)
        started = asyncio.get_running_loop().time()
        code = await asyncio.to_thread(proc.wait, 10)
        assert code == 0
        assert asyncio.get_running_loop().time() - started < 10
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(5)
        if proc.stdout:
            proc.stdout.close()
