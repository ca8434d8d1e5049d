"""The offline prompt parser's product rules: category, colours, materials, style, views, seed."""

from __future__ import annotations

import re

import pytest

from adreel.v1 import common_pb2
from services.prompt_parser.product_analysis import analyse_product
from services.prompt_parser.view_prompts import NEGATIVE_PROMPT, consistency_seed, view_prompts
from services.prompt_parser.vocabulary import COLORS, DEFAULT_COLORS

View = common_pb2.View
SHOES = "pink athletic tennis shoes with white laces"
WATCH = "luxury gold watch with leather strap on marble surface"
SKINCARE = "white minimalist skincare bottle on clean background"


@pytest.mark.parametrize(
    ("text", "category", "colors", "materials", "styles"),
    [
        (SHOES, "footwear", ["pink", "white"], [], ["athletic"]),
        (WATCH, "watch", ["gold", "brown"], ["gold", "leather"], ["luxury"]),  # the strap's leather
        (SKINCARE, "skincare", ["white"], [], ["minimalist", "clean"]),
        ("Navy-blue leather laptop bag with rose gold zip", "bag", ["navy blue", "rose gold"],
         ["leather", "rose gold"], []),
        ("On-ear wireless headphones in matte black", "electronics", ["black"], [], ["wireless", "matte"]),
        ("Stainless steel water bottle", "drinkware", ["silver"], ["stainless steel"], []),
        ("grey wool sweater", "apparel", ["gray"], ["wool"], []),
        ("a hand-thrown ceramic MUGS set", "drinkware", None, ["ceramic"], []),
        ("something nobody has a word for", "other", None, [], []),
    ],
)  # fmt: skip
def test_product_analysis(
    text: str, category: str, colors: list[str] | None, materials: list[str], styles: list[str]
) -> None:
    p = analyse_product(text)
    assert p.category == category
    if colors is None:  # none in the text: the category's default palette
        assert not p.colors_from_text
        assert list(p.colors) == list(DEFAULT_COLORS[category])
    else:
        assert list(p.colors) == colors
    assert list(p.palette) == [COLORS[c] for c in p.colors]
    assert all(re.fullmatch(r"#[0-9a-f]{6}", h) for h in p.palette)
    assert list(p.materials) == materials
    assert list(p.style_keywords) == styles


def test_setting_is_not_the_product() -> None:
    p = analyse_product(WATCH)
    assert p.product_phrase == "luxury gold watch with leather strap"
    assert p.setting_phrase == "on marble surface"
    assert "marble" not in p.materials  # the surface, not what the watch is made of


def test_head_noun_decides_between_two_categories() -> None:
    assert analyse_product("leather laptop bag").category == "bag"
    assert analyse_product("phone with leather strap").category == "electronics"
    assert analyse_product("serum in a glass bottle").category == "skincare"


def test_style_keywords_user_first_lowercase_deduped_max_8() -> None:
    user = ["Bold", " bold ", "LUXURY", "Street  Wear", "a", "b", "c", "d", "e"]
    p = analyse_product("luxury minimalist watch", user)
    assert p.style_keywords[:3] == ("bold", "luxury", "street wear")
    assert len(p.style_keywords) == 8
    assert len(set(p.style_keywords)) == 8
    assert "minimalist" not in p.style_keywords  # cut by the limit, after the user's own


def test_spec_carries_the_analysis() -> None:
    spec = analyse_product("  pink   tennis shoes ").to_spec()
    assert spec.text == "pink tennis shoes"
    assert (spec.category, list(spec.colors), list(spec.palette)) == ("footwear", ["pink"], ["#f4a6c1"])


@pytest.mark.parametrize("n", [4, 5, 6, 7, 8])
@pytest.mark.parametrize("text", [SHOES, WATCH, SKINCARE])
def test_n_distinct_prompts_of_the_same_product_with_one_seed(n: int, text: str) -> None:
    p = analyse_product(text)
    prompts = view_prompts(p, n, 1234, 7.5)
    assert len(prompts) == n
    assert len({x.prompt for x in prompts}) == n
    assert {x.seed for x in prompts} == {1234}
    assert {x.negative_prompt for x in prompts} == {NEGATIVE_PROMPT}
    assert all(x.guidance_scale == 7.5 for x in prompts)
    views = [x.view for x in prompts]
    assert View.VIEW_UNSPECIFIED not in views
    # Six base views at most once each; 7 and 8 add a second front and a second lifestyle.
    assert len(set(views)) == min(n, 6)
    assert views.count(View.VIEW_FRONT) == (2 if n >= 7 else 1)
    assert views.count(View.VIEW_LIFESTYLE) == (2 if n == 8 else 1)
    for x in prompts:
        assert p.product_phrase in x.prompt  # every view describes the same product ...
        assert all(c in x.prompt for c in p.colors)  # ... in the same colours
    if n >= 6:
        assert {View.VIEW_FRONT, View.VIEW_SIDE, View.VIEW_BACK, View.VIEW_TOP} <= set(views)


def test_seed_is_the_callers_or_derived_from_normalised_text() -> None:
    assert consistency_seed(SHOES, 42) == 42
    assert consistency_seed(SHOES, 0) == 0  # an explicit 0 is a seed, not "unset"
    derived = consistency_seed(SHOES, None)
    assert derived == consistency_seed("  Pink athletic TENNIS shoes, with white laces. ", None)
    assert derived != consistency_seed(WATCH, None)
    assert 0 <= derived < 2**31


def test_a_material_without_a_named_colour_brings_its_own() -> None:
    watch = analyse_product("luxury gold watch with leather strap")
    assert watch.colors[:2] == ("gold", "brown")
    bag = analyse_product("walnut wood desk organiser")
    assert bag.colors[0] == "brown" and bag.colors_from_text
    # A named colour still wins, and two named colours leave no room for a material's.
    assert analyse_product("gold watch with black leather strap").colors[:2] == ("gold", "black")
    assert analyse_product("pink and white suede sneakers").colors == ("pink", "white")
