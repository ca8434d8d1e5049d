"""Request checks at the edge: each failure names the field, e.g. "style_keywords[2]: ..."."""

from __future__ import annotations

from dataclasses import dataclass

from adreel.v1 import common_pb2, prompt_parser_pb2
from services.common.contract import (
    CTA,
    MAX_STYLE_KEYWORDS,
    PRODUCT_NAME,
    PRODUCT_TEXT,
    SCENE_TEXT,
    STYLE_KEYWORD,
    check_text,
)
from services.common.errors import InvalidArgument
from services.common.ids import check_id, check_unique_ids
from services.prompt_parser.view_prompts import MAX_IMAGES, MIN_IMAGES

MAX_SCENE_IMAGES = 8


@dataclass(frozen=True)
class ProductQuery:
    session_id: str
    text: str
    num_images: int
    style_keywords: tuple[str, ...]
    seed: int | None


@dataclass(frozen=True)
class SceneQuery:
    session_id: str
    scene_text: str
    images: tuple[tuple[str, int], ...]  # (item_id, view)
    product: common_pb2.ProductSpec


@dataclass(frozen=True)
class ScriptQuery:
    session_id: str
    product: common_pb2.ProductSpec
    scene_text: str
    product_name: str
    cta: str
    duration_s: float


SCRIPT_SECONDS = (3.0, 60.0)


def check_parse_product(req: prompt_parser_pb2.ParseProductRequest) -> ProductQuery:
    check_id(req.session_id, "session_id")
    text = check_text(PRODUCT_TEXT, req.product_text, "product_text")
    if not MIN_IMAGES <= req.num_images <= MAX_IMAGES:
        raise InvalidArgument("num_images", f"must be {MIN_IMAGES} to {MAX_IMAGES} (got {req.num_images})")
    if len(req.style_keywords) > MAX_STYLE_KEYWORDS:
        raise InvalidArgument(
            "style_keywords", f"must have at most {MAX_STYLE_KEYWORDS} items (got {len(req.style_keywords)})"
        )
    keywords = [
        check_text(STYLE_KEYWORD, k, f"style_keywords[{i}]") for i, k in enumerate(req.style_keywords)
    ]
    seed = req.seed if req.HasField("seed") else None
    return ProductQuery(req.session_id, text, req.num_images, tuple(keywords), seed)


def check_plan_scenes(req: prompt_parser_pb2.PlanScenesRequest) -> SceneQuery:
    check_id(req.session_id, "session_id")
    scene = check_text(SCENE_TEXT, req.scene_text, "scene_text")
    if not 1 <= len(req.images) <= MAX_SCENE_IMAGES:
        raise InvalidArgument("images", f"must have 1 to {MAX_SCENE_IMAGES} items (got {len(req.images)})")
    check_unique_ids([im.item_id for im in req.images], "images")
    known = set(common_pb2.View.values()) - {common_pb2.View.VIEW_UNSPECIFIED}
    for i, im in enumerate(req.images):
        if im.view not in known:
            raise InvalidArgument(f"images[{i}].view", "must be a specified view (FRONT to LIFESTYLE)")
    return SceneQuery(req.session_id, scene, tuple((im.item_id, im.view) for im in req.images), req.product)


def check_write_script(req: prompt_parser_pb2.WriteScriptRequest) -> ScriptQuery:
    check_id(req.session_id, "session_id")
    check_text(PRODUCT_TEXT, req.product.text, "product.text")
    scene = check_text(SCENE_TEXT, req.scene_text, "scene_text") if req.scene_text else ""
    name = check_text(PRODUCT_NAME, req.product_name, "product_name")
    cta = check_text(CTA, req.cta, "cta") if req.cta else ""
    low, high = SCRIPT_SECONDS
    if not low <= req.duration_s <= high:
        raise InvalidArgument("duration_s", f"must be {low:g} to {high:g} (got {req.duration_s:g})")
    return ScriptQuery(req.session_id, req.product, scene, name, cta, req.duration_s)
