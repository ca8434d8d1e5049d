"""The PromptParserService servicer (validation + wiring) and the agent's `build`."""

from __future__ import annotations

import grpc

from adreel.v1 import prompt_parser_pb2, prompt_parser_pb2_grpc
from services.common.errors import rpc_errors
from services.common.server import Agent
from services.prompt_parser.config import Settings
from services.prompt_parser.providers import Provider, make_provider
from services.prompt_parser.validation import check_parse_product, check_plan_scenes, check_write_script

SERVICE_NAME = prompt_parser_pb2.DESCRIPTOR.services_by_name["PromptParserService"].full_name


class PromptParserServicer(prompt_parser_pb2_grpc.PromptParserServiceServicer):
    def __init__(self, provider: Provider) -> None:
        self.provider = provider

    async def ParseProduct(
        self, request: prompt_parser_pb2.ParseProductRequest, context: grpc.aio.ServicerContext
    ) -> prompt_parser_pb2.ParseProductResponse:
        async with rpc_errors(context):
            return await self.provider.parse_product(check_parse_product(request))
        raise AssertionError("unreachable: rpc_errors aborts")

    async def PlanScenes(
        self, request: prompt_parser_pb2.PlanScenesRequest, context: grpc.aio.ServicerContext
    ) -> prompt_parser_pb2.PlanScenesResponse:
        async with rpc_errors(context):
            return await self.provider.plan_scenes(check_plan_scenes(request))
        raise AssertionError("unreachable: rpc_errors aborts")

    async def WriteScript(
        self, request: prompt_parser_pb2.WriteScriptRequest, context: grpc.aio.ServicerContext
    ) -> prompt_parser_pb2.WriteScriptResponse:
        async with rpc_errors(context):
            return await self.provider.write_script(check_write_script(request))
        raise AssertionError("unreachable: rpc_errors aborts")


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
