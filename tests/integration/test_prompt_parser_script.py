"""WriteScript over real gRPC on loopback: the offline rules write a script that fits the ad."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from adreel.v1 import common_pb2, prompt_parser_pb2, prompt_parser_pb2_grpc
from services.prompt_parser.config import Settings
from services.prompt_parser.server import build
from tests.agents import running_agent

pb = prompt_parser_pb2
SHOES = common_pb2.ProductSpec(text="pink tennis shoes with white laces", category="footwear")
SCENE = "girl running on an outdoor track at golden hour"


@pytest.fixture
async def stub() -> AsyncIterator[prompt_parser_pb2_grpc.PromptParserServiceStub]:
    agent, settings = build(Settings(engine="local"))
    async with running_agent(agent, settings) as (_, channel):
        yield prompt_parser_pb2_grpc.PromptParserServiceStub(channel)


def request(**changes: object) -> pb.WriteScriptRequest:
    req = pb.WriteScriptRequest(
        session_id="s-1",
        product=SHOES,
        scene_text=SCENE,
        product_name="AirRun Pro",
        cta="Shop Now",
        duration_s=12.5,
    )
    for name, value in changes.items():
        setattr(req, name, value)
    return req


async def test_script_fits_the_ad_and_ends_with_the_cta(
    stub: prompt_parser_pb2_grpc.PromptParserServiceStub,
) -> None:
    for seconds in (5.0, 10.0, 12.5, 30.0):
        reply = await stub.WriteScript(request(duration_s=seconds))
        words = reply.script.split()
        assert reply.word_count == len(words)
        # About 2.5 words a second, never over.
        assert 2 <= len(words) <= 2.5 * seconds, (seconds, reply.script)
        assert reply.script.endswith("Shop Now.")
        assert "AirRun Pro" in reply.script
        assert reply.cost.provider == "local"
    long = (await stub.WriteScript(request(duration_s=30.0))).script
    short = (await stub.WriteScript(request(duration_s=5.0))).script
    assert len(long.split()) > len(short.split())
    assert "golden hour" in long  # the scene is spoken when there is time for it
    # Deterministic: the same request, the same script.
    assert (await stub.WriteScript(request())).script == (await stub.WriteScript(request())).script


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"duration_s": 1.0}, "duration_s"),
        ({"product_name": ""}, "product_name"),
        ({"cta": "x" * 31}, "cta"),
        ({"scene_text": "short"}, "scene_text"),
        ({"session_id": "../etc"}, "session_id"),
    ],
)
async def test_bad_input_names_the_field(
    stub: prompt_parser_pb2_grpc.PromptParserServiceStub, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.WriteScript(request(**changes))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert (caught.value.details() or "").startswith(field)
