"""The offline renderer and request validation, without a server."""

from __future__ import annotations

import numpy as np
import pytest

from adreel.v1 import common_pb2, image_gen_pb2
from services.common.errors import InvalidArgument
from services.image_gen.render import CATEGORIES, RenderSpec, render
from services.image_gen.validation import validate

SIZE = 256  # every category at a small size keeps this fast; the agent tests use 1024


def _img(spec: RenderSpec) -> np.ndarray:
    return np.asarray(render(spec), dtype=np.int32)


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_renders_a_deterministic_product_shot(category: str) -> None:
    spec = RenderSpec(category, "front", seed=3, palette=("#1f7a4d", "#f0e6d2"), size=SIZE)
    a, b = _img(spec), _img(spec)
    assert a.shape == (SIZE, SIZE, 3)
    assert np.array_equal(a, b)
    # A product stands out from the set: the centre differs from the plain top-left corner.
    corner = a[:16, :16].reshape(-1, 3).mean(0)
    centre = a[SIZE // 4 : SIZE * 3 // 4, SIZE // 4 : SIZE * 3 // 4]
    assert (np.abs(centre - corner).max(-1) > 40).mean() > 0.1


def test_categories_have_their_own_silhouettes() -> None:
    shots = {c: _img(RenderSpec(c, "side", seed=5, palette=("#884422",), size=SIZE)) for c in CATEGORIES}
    for i, a in enumerate(CATEGORIES):
        for b in CATEGORIES[i + 1 :]:
            assert np.abs(shots[a] - shots[b]).mean() > 3, (a, b)


def test_seed_changes_design_details_but_not_the_palette() -> None:
    a = _img(RenderSpec("footwear", "side", seed=1, palette=("#ff69b4", "#ffffff"), size=SIZE))
    b = _img(RenderSpec("footwear", "side", seed=2, palette=("#ff69b4", "#ffffff"), size=SIZE))
    assert np.abs(a - b).mean() > 1
    for img in (a, b):
        centre = img[SIZE // 5 : SIZE * 4 // 5, SIZE // 5 : SIZE * 4 // 5]
        assert (np.abs(centre - np.array([255, 105, 180])).max(-1) < 60).mean() > 0.06


def _request(**product: object) -> image_gen_pb2.GenerateImagesRequest:
    return image_gen_pb2.GenerateImagesRequest(
        session_id="s1",
        product=common_pb2.ProductSpec(**{"category": "watch", "palette": ["#D4AF37"], **product}),  # type: ignore[arg-type]
        jobs=[
            image_gen_pb2.ImageJob(
                item_id="a",
                prompt=common_pb2.ImagePrompt(view=common_pb2.VIEW_DETAIL, prompt="gold watch", seed=9),
            )
        ],
    )


def test_validation_normalises_category_and_palette() -> None:
    (job,) = validate(_request(category=" Watch "))
    assert (job.category, job.palette, job.view, job.seed) == ("watch", ("#d4af37",), "detail", 9)


def test_validation_names_guidance_scale_and_missing_prompt() -> None:
    req = _request()
    req.jobs[0].prompt.guidance_scale = float("nan")
    with pytest.raises(InvalidArgument, match=r"^jobs\[0\]\.prompt\.guidance_scale: "):
        validate(req)
    req.jobs[0].ClearField("prompt")
    with pytest.raises(InvalidArgument, match=r"^jobs\[0\]\.prompt: must be set"):
        validate(req)
