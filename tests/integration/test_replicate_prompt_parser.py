"""The prompt parser's Llama engine over real gRPC, with the real `replicate` client against the fake:
JSON in prose and fences, one repair turn, then the offline rules with the reason said."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import grpc
import pytest

from adreel.v1 import common_pb2, prompt_parser_pb2, prompt_parser_pb2_grpc
from services.common.replicate_client import ReplicateRunner, ReplicateSettings
from services.common.storage import LocalStore
from services.prompt_parser import server as pp_server
from services.prompt_parser.config import Settings
from services.prompt_parser.providers.replicate import ReplicateLLMProvider
from tests.agents import running_agent
from tests.fakes.replicate_models import LLAMA, SCHEMAS
from tests.fakes.replicate_server import DEFAULT_TOKEN, FakeReplicate, llm_replies, running_fake

PRODUCT = {
    "category": "watch",
    "product_phrase": "minimalist titanium field watch",
    "setting_phrase": "on a slate desk",
    "colors": ["Navy Blue", "silver", "ultraviolet-ish"],
    "materials": ["titanium", "canvas"],
    "style_keywords": ["minimalist", "rugged"],
}


async def stub_for(
    fake: FakeReplicate, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[prompt_parser_pb2_grpc.PromptParserServiceStub]:
    settings = Settings(engine="replicate", replicate_api_token=DEFAULT_TOKEN)
    runner = ReplicateRunner(
        DEFAULT_TOKEN, store, ReplicateSettings(poll_interval_s=0.02), base_url=fake.base_url
    )
    monkeypatch.setattr(pp_server, "make_provider", lambda s: ReplicateLLMProvider(s, runner))
    agent, settings = pp_server.build(settings)
    async with running_agent(agent, settings) as (_, channel):
        yield prompt_parser_pb2_grpc.PromptParserServiceStub(channel)


@pytest.fixture
def fake() -> FakeReplicate:
    with running_fake() as server:
        yield server


def parse_request(text: str = "A watch for hikers") -> prompt_parser_pb2.ParseProductRequest:
    return prompt_parser_pb2.ParseProductRequest(session_id="s1", product_text=text, num_images=4, seed=42)


async def test_llm_reading_drives_the_prompts(
    fake: FakeReplicate, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = f"Of course! Here is the analysis:\n```json\n{json.dumps(PRODUCT, indent=2)}\n```\nLet me know."
    fake.add_model(LLAMA, llm_replies([reply], tokens_in=300), schema=SCHEMAS[LLAMA])
    async for stub in stub_for(fake, store, monkeypatch):
        got = await stub.ParseProduct(parse_request(), timeout=20)
    assert got.fallback_reason == ""
    assert got.product.category == "watch"
    assert list(got.product.colors) == ["navy blue", "silver"]  # unknown colour names are dropped
    assert got.product.palette[0].startswith("#")
    assert "titanium" in got.product.materials
    assert len(got.prompts) == 4 and {p.seed for p in got.prompts} == {42}
    assert len({p.view for p in got.prompts}) == 4
    assert all("minimalist titanium field watch" in p.prompt for p in got.prompts)
    assert (got.cost.provider, got.cost.model) == ("replicate", LLAMA)
    assert got.cost.usd_micros > 195  # 300 input tokens at $0.65/M alone
    (call,) = fake.calls(LLAMA)
    assert call.input["system_prompt"].startswith("You analyse product descriptions")
    assert "A watch for hikers" in call.input["prompt"]


async def test_malformed_json_is_repaired(
    fake: FakeReplicate, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = '{"category": "timepiece", "product_phrase": "watch"'  # truncated, and not a category
    fake.add_model(LLAMA, llm_replies([bad, json.dumps(PRODUCT)]), schema=SCHEMAS[LLAMA])
    async for stub in stub_for(fake, store, monkeypatch):
        got = await stub.ParseProduct(parse_request(), timeout=20)
    assert got.fallback_reason == "" and got.product.category == "watch"
    first, second = fake.calls(LLAMA)
    assert "It was not valid" in second.input["prompt"] and bad in second.input["prompt"]
    assert got.cost.usd_micros == sum(
        round(c.metrics["input_token_count"] * 0.65 + c.metrics["output_token_count"] * 2.75)
        for c in (first, second)
    )


async def test_invalid_twice_falls_back_to_rules(
    fake: FakeReplicate, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = json.dumps({**PRODUCT, "category": "spaceship"})
    fake.add_model(LLAMA, llm_replies(["I think it is a watch.", wrong]), schema=SCHEMAS[LLAMA])
    async for stub in stub_for(fake, store, monkeypatch):
        got = await stub.ParseProduct(parse_request("red leather running shoes"), timeout=20)
    assert "invalid twice" in got.fallback_reason and "category" in got.fallback_reason
    assert "offline rules" in got.fallback_reason
    assert got.product.category == "footwear" and "red" in got.product.colors  # the rules' reading
    assert len(fake.calls(LLAMA)) == 2
    assert got.cost.usd_micros > 0 and got.cost.provider == "replicate"  # the LLM calls were paid


async def test_scene_plan_and_outage_fallback(
    fake: FakeReplicate, store: LocalStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    shots = {
        "shots": [
            {
                "item_id": "img-a",
                "scene_prompt": "The watch rests on wet rock as mist rolls by.",
                "camera_movement": "orbit",
                "motion_intensity": 0.3,
            },
            {
                "item_id": "img-b",
                "scene_prompt": "Close on the dial, light sweeping across the titanium.",
                "camera_movement": "zoom_in",
                "motion_intensity": 0.6,
            },
        ]
    }
    fake.add_model(LLAMA, llm_replies([json.dumps(shots)]), schema=SCHEMAS[LLAMA])
    request = prompt_parser_pb2.PlanScenesRequest(
        session_id="s1",
        scene_text="misty mountain morning",
        images=[
            prompt_parser_pb2.SceneImage(item_id="img-a", view=common_pb2.VIEW_FRONT),
            prompt_parser_pb2.SceneImage(item_id="img-b", view=common_pb2.VIEW_DETAIL),
        ],
        product=common_pb2.ProductSpec(text="titanium watch", category="watch"),
    )
    async for stub in stub_for(fake, store, monkeypatch):
        got = await stub.PlanScenes(request, timeout=20)
        assert got.fallback_reason == ""
        assert [p.camera_movement for p in got.plans] == [
            common_pb2.CAMERA_MOVEMENT_ORBIT,
            common_pb2.CAMERA_MOVEMENT_ZOOM_IN,
        ]
        assert got.plans[1].view == common_pb2.VIEW_DETAIL and got.plans[1].motion_intensity == 0.6
        # Replicate down (every try answers 503): the rules plan the scenes and say why.
        fake.throttle(LLAMA, times=100, retry_after=0, status=503)
        down = await stub.PlanScenes(request, timeout=30)
        assert "503" in down.fallback_reason and len(down.plans) == 2
        # Bad input is still refused by the servicer, whatever the engine.
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.PlanScenes(prompt_parser_pb2.PlanScenesRequest(session_id="s1", scene_text=" "))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
