"""The offline engine: deterministic rules, no model, the same answer for the same request."""

from __future__ import annotations

from adreel.v1 import prompt_parser_pb2
from services.common.costs import Stopwatch, local_cost
from services.prompt_parser.product_analysis import analyse_product
from services.prompt_parser.scene_plan import plan_scenes
from services.prompt_parser.script import write_script
from services.prompt_parser.validation import ProductQuery, SceneQuery, ScriptQuery
from services.prompt_parser.view_prompts import consistency_seed, view_prompts

MODEL = "local/rules"


class LocalRulesProvider:
    name = "local"

    def __init__(self, guidance_scale: float, fallback_reason: str = "") -> None:
        self.guidance_scale = guidance_scale
        self.fallback_reason = fallback_reason

    async def warmup(self) -> None:
        # Compiles every vocabulary pattern once, so the first request is as fast as the rest.
        analyse_product("warm up")

    async def close(self) -> None:
        return None

    async def parse_product(self, query: ProductQuery) -> prompt_parser_pb2.ParseProductResponse:
        with Stopwatch() as sw:
            product = analyse_product(query.text, list(query.style_keywords))
            seed = consistency_seed(query.text, query.seed)
            prompts = view_prompts(product, query.num_images, seed, self.guidance_scale)
        return prompt_parser_pb2.ParseProductResponse(
            product=product.to_spec(),
            consistency_seed=seed,
            prompts=prompts,
            cost=local_cost(MODEL, sw.cpu_s, sw.wall_s),
            fallback_reason=self.fallback_reason,
        )

    async def plan_scenes(self, query: SceneQuery) -> prompt_parser_pb2.PlanScenesResponse:
        with Stopwatch() as sw:
            plans = plan_scenes(query.scene_text, query.images, query.product)
        return prompt_parser_pb2.PlanScenesResponse(
            plans=plans,
            cost=local_cost(MODEL, sw.cpu_s, sw.wall_s),
            fallback_reason=self.fallback_reason,
        )

    async def write_script(self, query: ScriptQuery) -> prompt_parser_pb2.WriteScriptResponse:
        with Stopwatch() as sw:
            script = write_script(
                query.product, query.scene_text, query.product_name, query.cta, query.duration_s
            )
        return prompt_parser_pb2.WriteScriptResponse(
            script=script,
            word_count=len(script.split()),
            cost=local_cost(MODEL, sw.cpu_s, sw.wall_s),
            fallback_reason=self.fallback_reason,
        )
