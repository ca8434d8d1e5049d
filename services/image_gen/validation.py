"""Checking a GenerateImages request at the edge; every error names the offending field."""

from __future__ import annotations

import math

from adreel.v1 import common_pb2, image_gen_pb2
from services.common.contract import IMAGE_PROMPT, check_text
from services.common.errors import InvalidArgument
from services.common.ids import check_id, check_unique_ids
from services.image_gen.providers import ImageRequest
from services.image_gen.render.palette import HEX_RE
from services.image_gen.render.spec import CATEGORIES

MAX_JOBS = 8
MAX_PROMPT = 2000
MAX_GUIDANCE = 30.0

VIEW_NAMES = {
    common_pb2.VIEW_FRONT: "front",
    common_pb2.VIEW_SIDE: "side",
    common_pb2.VIEW_BACK: "back",
    common_pb2.VIEW_TOP: "top",
    common_pb2.VIEW_DETAIL: "detail",
    common_pb2.VIEW_LIFESTYLE: "lifestyle",
}


def _text(value: str, field: str) -> str:
    if len(value) > MAX_PROMPT:
        raise InvalidArgument(field, f"must be at most {MAX_PROMPT} characters (got {len(value)})")
    return value


def validate(request: image_gen_pb2.GenerateImagesRequest) -> list[ImageRequest]:
    check_id(request.session_id, "session_id")
    product = request.product
    category = product.category.strip().lower()
    if category not in CATEGORIES:
        raise InvalidArgument(
            "product.category", f"must be one of {', '.join(CATEGORIES)} (got {product.category!r})"
        )
    for i, colour in enumerate(product.palette):
        if not HEX_RE.fullmatch(colour):
            raise InvalidArgument(f"product.palette[{i}]", f"must be a colour like #rrggbb (got {colour!r})")
    if len(request.model) > 200:
        raise InvalidArgument("model", "must be at most 200 characters")
    if not 1 <= len(request.jobs) <= MAX_JOBS:
        raise InvalidArgument("jobs", f"must hold 1 to {MAX_JOBS} jobs (got {len(request.jobs)})")
    check_unique_ids([job.item_id for job in request.jobs], "jobs")

    out = []
    for i, job in enumerate(request.jobs):
        field = f"jobs[{i}].prompt"
        if not job.HasField("prompt"):
            raise InvalidArgument(field, "must be set")
        p = job.prompt
        view = VIEW_NAMES.get(p.view)
        if view is None:
            raise InvalidArgument(f"{field}.view", "must be one of front, side, back, top, detail, lifestyle")
        if not math.isfinite(p.guidance_scale) or not 0 <= p.guidance_scale <= MAX_GUIDANCE:
            raise InvalidArgument(f"{field}.guidance_scale", f"must be between 0 and {MAX_GUIDANCE:g}")
        out.append(
            ImageRequest(
                item_id=job.item_id,
                view=view,
                prompt=check_text(IMAGE_PROMPT, p.prompt, f"{field}.prompt"),
                negative_prompt=_text(p.negative_prompt, f"{field}.negative_prompt"),
                seed=p.seed,
                guidance_scale=p.guidance_scale,
                category=category,
                palette=tuple(c.lower() for c in product.palette),
                materials=tuple(product.materials),
                style_keywords=tuple(product.style_keywords),
                model=request.model,
            )
        )
    return out
