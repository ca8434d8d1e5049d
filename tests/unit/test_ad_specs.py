"""Rows of a batch: CSV and JSON read into checked ads, every problem named by its column; quotes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.ad_specs import AdSpec, BatchInputError, checked_rows, quote, read_csv
from gateway.core.config import Settings
from services.common.costs import usd_to_micros

SCENE = "a runner on an outdoor track at golden hour"


def test_csv_rows_with_defaults_and_brand_kit() -> None:
    text = (
        "\ufeffproduct,scene,name,cta,formats,music,brand_font,brand_color,images,clips\n"
        f'pink tennis shoes,"{SCENE}",AirRun,Shop Now,16:9;9:16,chill,inter,#FFAA00,4,2\n'
        f"\n"
        f"steel water bottle,{SCENE},,,,none,,,,\n"
    )
    rows = read_csv(text, max_rows=10)
    assert len(rows) == 2
    (first, p1), (second, p2) = checked_rows(rows)
    assert p1 == [] and p2 == []
    assert first is not None and second is not None
    assert first.formats == ["16:9", "9:16"] and first.music == "chill"
    assert first.brand_kit.font == "inter" and first.brand_kit.color == "#FFAA00"
    assert (first.images, first.clip_count) == (4, 2)
    # Blank cells take the defaults; the name comes from the product.
    assert second.cta == "Shop Now" and second.formats == ["16:9"] and second.music == "none"
    assert second.product_name == "steel water bottle" and second.images == 6 and second.clip_count == 3


def test_every_problem_names_its_column() -> None:
    rows = [
        {"product": "ok product", "scene": SCENE, "cta": "x" * 31},
        {"product": "ok product", "scene": "short", "formats": "4:3", "brand_color": "red"},
        {"product": "ok product", "scene": SCENE, "images": 4, "clips": 5},
        {"product": "ok product", "scene": SCENE, "colour": "#fff"},
        "not an object",
    ]
    found = [{p.column for p in problems} for _, problems in checked_rows(rows)]
    assert found == [{"cta"}, {"scene", "formats", "brand_color"}, {"clips"}, {"colour"}, {"row"}]
    for spec, problems in checked_rows(rows):
        assert spec is None and all(p.message for p in problems)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "is empty"),
        ("product,scene\n", "no rows"),
        ("product,scen\nx,y\n", "unknown column 'scen'"),
        ("product,name\nx,y\n", "'scene' is missing"),
        ("product,scene,product\nx,y,z\n", "named twice"),
    ],
)
def test_unreadable_csv_is_refused_naming_why(text: str, field: str) -> None:
    with pytest.raises(BatchInputError, match=field):
        read_csv(text, max_rows=10)


def test_too_many_rows() -> None:
    text = "product,scene\n" + f"shoes,{SCENE}\n" * 4
    with pytest.raises(BatchInputError, match="at most 3 rows"):
        read_csv(text, max_rows=3)


def test_extra_cells_are_a_row_problem() -> None:
    ((spec, problems),) = checked_rows(read_csv(f"product,scene\nshoes,{SCENE},extra\n", 5))
    assert spec is None and problems[0].column == "row"


def test_quote_is_the_sum_of_the_stage_estimates() -> None:
    s = Settings(database_url="postgresql://x/y")
    spec = AdSpec(product="pink tennis shoes", scene=SCENE, images=4, clips=3)
    q = quote(spec, s)
    expected = 2 * s.estimate_parse_usd + 4 * s.estimate_image_usd + 3 * s.estimate_clip_usd
    assert q.total_micros == usd_to_micros(expected + s.estimate_compose_usd)
    assert q.total_micros == usd_to_micros(Decimal("3.102"))


def test_voiceover_columns() -> None:
    text = (
        "product,scene,voiceover,voice,captions\n"
        f"pink tennis shoes,{SCENE},auto,joe,highlight\n"
        f'steel bottle,{SCENE},"Cold for a day. Shop now.",,\n'
        f"wool beanie,{SCENE},none,,highlight\n"
        f"ceramic mug,{SCENE},,robot,\n"
    )
    (auto, p1), (script, p2), (bad_captions, p3), (bad_voice, p4) = checked_rows(read_csv(text, 10))
    assert auto is not None and auto.voiceover == "auto" and auto.captions == "highlight" and p1 == []
    assert script is not None and script.voiceover == "Cold for a day. Shop now." and p2 == []
    assert bad_captions is None and [p.column for p in p3] == ["captions"]
    assert bad_voice is None and [p.column for p in p4] == ["voice"]
    # The parser writing the script is in the quote.
    s = Settings(database_url="postgresql://x/y")
    assert quote(auto, s).total_micros - quote(script, s).total_micros == usd_to_micros(s.estimate_parse_usd)


def test_video_model_column() -> None:
    text = f"product,scene,video_model\npink tennis shoes,{SCENE},seedance-lite\nsteel bottle,{SCENE},sora\n"
    (chosen, p1), (bad, p2) = checked_rows(read_csv(text, 10))
    assert chosen is not None and chosen.video_model == "seedance-lite" and p1 == []
    assert bad is None and [p.column for p in p2] == ["video_model"]
    assert AdSpec(product="pink tennis shoes", scene=SCENE).video_model == "", "the engine's default"
