"""The LLM engine: Llama 3 70B Instruct on Replicate (official model, run by name).

The model reads the product and the scene; our own templates still write the per-view prompts,
so every view carries the same identity words and seed whatever the model said. Models wrap JSON
in prose or code fences: the first JSON value is extracted, validated with pydantic, and on a
failure the model gets one repair turn with the exact problem. If that fails too (or Replicate is
down), the offline rules answer and `fallback_reason` says so; the LLM calls are still billed.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field, ValidationError, field_validator

from adreel.v1 import common_pb2, prompt_parser_pb2
from services.common.errors import AgentError
from services.common.replicate_client import ModelRef, ReplicateRunner, runner_for
from services.prompt_parser import vocabulary as V
from services.prompt_parser.config import Settings
from services.prompt_parser.product_analysis import ProductAnalysis, analyse_product, style_keywords
from services.prompt_parser.providers.local import LocalRulesProvider
from services.prompt_parser.script import MAX_CHARS, budget_words
from services.prompt_parser.validation import ProductQuery, SceneQuery, ScriptQuery
from services.prompt_parser.view_prompts import consistency_seed, view_prompts

log = logging.getLogger(__name__)

LLAMA = ModelRef("meta/meta-llama-3-70b-instruct")
CATEGORIES = (*V.CATEGORY_KEYWORDS, "other")
MOVES = {
    "static": common_pb2.CAMERA_MOVEMENT_STATIC,
    "zoom_in": common_pb2.CAMERA_MOVEMENT_ZOOM_IN,
    "zoom_out": common_pb2.CAMERA_MOVEMENT_ZOOM_OUT,
    "pan_left": common_pb2.CAMERA_MOVEMENT_PAN_LEFT,
    "pan_right": common_pb2.CAMERA_MOVEMENT_PAN_RIGHT,
    "tilt_up": common_pb2.CAMERA_MOVEMENT_TILT_UP,
    "tilt_down": common_pb2.CAMERA_MOVEMENT_TILT_DOWN,
    "tracking": common_pb2.CAMERA_MOVEMENT_TRACKING,
    "orbit": common_pb2.CAMERA_MOVEMENT_ORBIT,
}
VIEW_NAMES = {v: common_pb2.View.Name(v).removeprefix("VIEW_").lower() for v in common_pb2.View.values()}
_FENCE = re.compile(r"```[a-zA-Z]*\s*(.*?)```", re.DOTALL)
M = TypeVar("M", bound=BaseModel)
Reply = TypeVar(
    "Reply",
    prompt_parser_pb2.ParseProductResponse,
    prompt_parser_pb2.PlanScenesResponse,
    prompt_parser_pb2.WriteScriptResponse,
)


class ProductReading(BaseModel):
    category: Literal[CATEGORIES]  # type: ignore[valid-type]
    product_phrase: str = Field(min_length=1, max_length=200)
    setting_phrase: str = Field(default="", max_length=200)
    colors: list[str] = Field(default_factory=list, max_length=6)
    materials: list[str] = Field(default_factory=list, max_length=6)
    style_keywords: list[str] = Field(default_factory=list, max_length=8)

    @field_validator("colors", "materials", "style_keywords")
    @classmethod
    def _tidy(cls, items: list[str]) -> list[str]:
        return [" ".join(i.lower().split()) for i in items if i.strip()]


class Shot(BaseModel):
    item_id: str
    scene_prompt: str = Field(min_length=10, max_length=500)
    camera_movement: Literal[tuple(MOVES)]  # type: ignore[valid-type]
    motion_intensity: float = Field(ge=0, le=1)


class ShotList(BaseModel):
    shots: list[Shot]


def extract_json(text: str) -> Any:
    """The first JSON object or array in a reply: inside a code fence if there is one, else anywhere."""
    decoder = json.JSONDecoder()
    for chunk in [*_FENCE.findall(text), text]:
        for start in (m.start() for m in re.finditer(r"[{\[]", chunk)):
            try:
                return decoder.raw_decode(chunk[start:])[0]
            except json.JSONDecodeError:
                continue
    raise ValueError("the reply contains no JSON object")


PRODUCT_SYSTEM = (
    "You analyse product descriptions for ad photography. Answer with one JSON object and nothing "
    "else, with exactly these keys: category (one of: " + ", ".join(CATEGORIES) + "), "
    'product_phrase (the product itself, without where it is), setting_phrase (where it is, or ""), '
    "colors (colour names, most prominent first), materials, style_keywords (at most 8)."
)
SCENE_SYSTEM = (
    "You plan the shots of a short product video ad. Answer with one JSON object and nothing else: "
    '{"shots": [{"item_id": ..., "scene_prompt": ..., "camera_movement": ..., "motion_intensity": ...}]} '
    "with one shot per image, in the given order, using the given item_id. camera_movement is one of: "
    + ", ".join(MOVES)
    + ". motion_intensity is 0 (still) to 1 (energetic). scene_prompt describes the shot for an "
    "image-to-video model in one or two sentences."
)


class ReplicateLLMProvider:
    name = "replicate"

    def __init__(self, settings: Settings, runner: ReplicateRunner | None = None) -> None:
        self.runner = runner or runner_for(settings)
        self.rules = LocalRulesProvider(settings.guidance_scale)
        self.guidance_scale = settings.guidance_scale

    async def warmup(self) -> None:
        await self.rules.warmup()
        await self.runner.check()

    async def close(self) -> None:
        await self.runner.aclose()

    async def _ask(self, system: str, prompt: str, schema: type[M], costs: list[common_pb2.Cost]) -> M:
        """Ask, validate, and give the model one chance to repair its answer."""
        reply = await self._complete(system, prompt, costs)
        try:
            return schema.model_validate(extract_json(reply))
        except (ValueError, ValidationError) as exc:
            problem = _describe(exc)
        log.info("llm reply invalid, asking for a repair", extra={"problem": problem})
        repair = (
            f"{prompt}\n\nYour previous answer was:\n{reply[:2000]}\n\nIt was not valid: {problem}\n"
            "Answer again with only the corrected JSON object."
        )
        reply = await self._complete(system, repair, costs)
        try:
            return schema.model_validate(extract_json(reply))
        except (ValueError, ValidationError) as exc:
            raise InvalidReply(f"the model's JSON was invalid twice: {_describe(exc)}") from None

    async def _complete(self, system: str, prompt: str, costs: list[common_pb2.Cost]) -> str:
        result = await self.runner.run(
            LLAMA,
            {
                "prompt": prompt,
                "system_prompt": system,
                "max_tokens": 1024,
                "temperature": 0.2,
                "top_p": 0.9,
            },
        )
        costs.append(result.cost)
        return result.text

    async def parse_product(self, query: ProductQuery) -> prompt_parser_pb2.ParseProductResponse:
        costs: list[common_pb2.Cost] = []
        try:
            reading = await self._ask(PRODUCT_SYSTEM, f"Product: {query.text}", ProductReading, costs)
        except (InvalidReply, AgentError) as exc:
            log.warning("llm fallback to rules", extra={"reason": str(exc)})
            return _by_rules(await self.rules.parse_product(query), costs, exc, "parsed")
        rules = analyse_product(query.text, list(query.style_keywords))
        colors = [c for c in reading.colors if c in V.COLORS] or list(rules.colors)
        product = ProductAnalysis(
            text=rules.text,
            product_phrase=reading.product_phrase,
            setting_phrase=reading.setting_phrase,
            category=reading.category,
            colors=tuple(colors),
            palette=tuple(V.COLORS[c] for c in colors),
            colors_from_text=bool(reading.colors),
            materials=tuple(reading.materials),
            style_keywords=style_keywords(" ".join(reading.style_keywords), list(query.style_keywords)),
        )
        seed = consistency_seed(query.text, query.seed)
        return prompt_parser_pb2.ParseProductResponse(
            product=product.to_spec(),
            consistency_seed=seed,
            prompts=view_prompts(product, query.num_images, seed, self.guidance_scale),
            cost=_total(costs),
        )

    async def plan_scenes(self, query: SceneQuery) -> prompt_parser_pb2.PlanScenesResponse:
        costs: list[common_pb2.Cost] = []
        images = "\n".join(f"- item_id {item}: {VIEW_NAMES[view]} view" for item, view in query.images)
        prompt = (
            f"Product: {query.product.text or query.product.category}\n"
            f"Scene: {query.scene_text}\nImages, in order:\n{images}"
        )
        try:
            plan = await self._ask(SCENE_SYSTEM, prompt, ShotList, costs)
            expected = [item for item, _ in query.images]
            if [s.item_id for s in plan.shots] != expected:
                raise InvalidReply(f"the plan's item_ids were not {expected}")
        except (InvalidReply, AgentError) as exc:
            return _by_rules(await self.rules.plan_scenes(query), costs, exc, "planned")
        return prompt_parser_pb2.PlanScenesResponse(
            plans=[
                common_pb2.ScenePlan(
                    item_id=shot.item_id,
                    view=view,  # type: ignore[arg-type]
                    scene_prompt=shot.scene_prompt,
                    camera_movement=MOVES[shot.camera_movement],
                    motion_intensity=shot.motion_intensity,
                )
                for shot, (_, view) in zip(plan.shots, query.images, strict=True)
            ],
            cost=_total(costs),
        )

    async def write_script(self, query: ScriptQuery) -> prompt_parser_pb2.WriteScriptResponse:
        costs: list[common_pb2.Cost] = []
        words = budget_words(query.duration_s)
        prompt = (
            f"Product: {query.product.text}\nName: {query.product_name}\nScene: {query.scene_text or '-'}\n"
            f"Call to action: {query.cta or '-'}\nAt most {words} words ({query.duration_s:g} s of ad)."
        )
        try:
            reply = await self._ask(SCRIPT_SYSTEM, prompt, Script, costs)
            # A script that runs past the ad would be cut off mid-word: the rules write one that fits.
            if len(reply.script.split()) > words * 1.2:
                raise InvalidReply(f"the script was {len(reply.script.split())} words, over {words}")
        except (InvalidReply, AgentError) as exc:
            return _by_rules(await self.rules.write_script(query), costs, exc, "written")
        script = " ".join(reply.script.split())
        return prompt_parser_pb2.WriteScriptResponse(
            script=script, word_count=len(script.split()), cost=_total(costs)
        )


class Script(BaseModel):
    script: str = Field(min_length=1, max_length=MAX_CHARS)


SCRIPT_SYSTEM = (
    "You write voiceover scripts for short video ads. Reply with only a JSON object "
    '{"script": "..."}: plain spoken prose, no stage directions, no emoji, ending with the call to action.'
)


class InvalidReply(Exception):
    """The model's answer could not be used, even after a repair turn."""


def _by_rules(reply: Reply, costs: list[common_pb2.Cost], reason: Exception, done: str) -> Reply:
    """The offline rules' reply in the model's place: what the model cost counted in, and why."""
    reply.cost.CopyFrom(_total([*costs, reply.cost]))
    reply.fallback_reason = f"{LLAMA.name}: {reason}; {done} with the offline rules"
    return reply


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'root'}: {e['msg']}" for e in exc.errors()[:5]
        )
    return str(exc)


def _total(costs: list[common_pb2.Cost]) -> common_pb2.Cost:
    """One Cost for a reply made of several calls: the provider's money, summed in micros."""
    paid = [c for c in costs if c.provider == "replicate"] or costs
    return common_pb2.Cost(
        usd_micros=sum(c.usd_micros for c in costs),
        provider=paid[0].provider if paid else "replicate",
        model=paid[0].model if paid else LLAMA.name,
        seconds=round(sum(c.seconds for c in costs), 3),
    )
