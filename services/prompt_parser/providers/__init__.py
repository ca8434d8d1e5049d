"""The engine behind the agent: the Provider protocol the servicer calls, and how one is chosen.

A provider receives validated queries and returns complete responses, cost included, so an engine
that bills by token (replicate) and one that bills CPU time (local) both fit.
"""

from __future__ import annotations

import logging
from typing import Protocol

from adreel.v1 import prompt_parser_pb2
from services.prompt_parser.config import Settings
from services.prompt_parser.validation import ProductQuery, SceneQuery, ScriptQuery

log = logging.getLogger(__name__)


class Provider(Protocol):
    name: str

    async def warmup(self) -> None:
        """Make the engine ready; raise while it is not (the agent stays NOT_SERVING)."""

    async def close(self) -> None: ...

    async def parse_product(self, query: ProductQuery) -> prompt_parser_pb2.ParseProductResponse: ...

    async def plan_scenes(self, query: SceneQuery) -> prompt_parser_pb2.PlanScenesResponse: ...

    async def write_script(self, query: ScriptQuery) -> prompt_parser_pb2.WriteScriptResponse: ...


def make_provider(settings: Settings) -> Provider:
    from services.prompt_parser.providers.local import LocalRulesProvider

    if settings.engine == "local":
        return LocalRulesProvider(settings.guidance_scale)
    if settings.engine == "replicate":
        from services.prompt_parser.providers.replicate import ReplicateLLMProvider

        return ReplicateLLMProvider(settings)
    raise ValueError(f"unknown engine {settings.engine!r}")
