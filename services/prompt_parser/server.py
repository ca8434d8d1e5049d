"""The PromptParserService servicer (validation + wiring) and the agent's `build`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import grpc

from adreel.v1 import prompt_parser_pb2, prompt_parser_pb2_grpc
from services.common.errors import rpc_errors
from services.common.server import Agent
from services.prompt_parser.config import Settings
from services.prompt_parser.providers import Provider, make_provider
from services.prompt_parser.validation import check_parse_product, check_plan_scenes, check_write_script

SERVICE_NAME = prompt_parser_pb2.DESCRIPTOR.services_by_name["PromptParserService"].full_name
Req = TypeVar("Req")
Query = TypeVar("Query")
Reply = TypeVar("Reply")


def _checked(
    check: Callable[[Req], Query], answer: Callable[[Provider, Query], Awaitable[Reply]]
) -> Callable[[PromptParserServicer, Req, grpc.aio.ServicerContext], Awaitable[Reply]]:
    """An RPC: the request checked at the edge (each failure naming its field), then the provider's
    answer; any error becomes the call's status."""

    async def rpc(self: PromptParserServicer, request: Req, context: grpc.aio.ServicerContext) -> Reply:
        async with rpc_errors(context):
            return await answer(self.provider, check(request))
        raise AssertionError("unreachable: rpc_errors aborts")

    return rpc


class PromptParserServicer(prompt_parser_pb2_grpc.PromptParserServiceServicer):
    def __init__(self, provider: Provider) -> None:
        self.provider = provider

    ParseProduct = _checked(check_parse_product, lambda p, q: p.parse_product(q))
    PlanScenes = _checked(check_plan_scenes, lambda p, q: p.plan_scenes(q))
    WriteScript = _checked(check_write_script, lambda p, q: p.write_script(q))


def build(settings: Settings | None = None) -> tuple[Agent, Settings]:
    settings = settings or Settings()
    provider = make_provider(settings)
    servicer = PromptParserServicer(provider)
    agent = Agent(
        name="prompt_parser",
        services=[SERVICE_NAME],
        register=lambda server: prompt_parser_pb2_grpc.add_PromptParserServiceServicer_to_server(
            servicer, server
        ),
        warmup=provider.warmup,
        close=provider.close,
    )
    return agent, settings
