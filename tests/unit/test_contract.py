"""One contract for every text field: the gateway's models and the agents refuse and normalise alike."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from adreel.v1 import prompt_parser_pb2
from gateway.schemas import GenerateImagesRequest, ShotEdit, TextOverlay
from services.common import contract
from services.common.contract import TextRefused, TextRule
from services.common.errors import InvalidArgument
from services.prompt_parser.validation import check_parse_product

SID = "00000000-0000-0000-0000-000000000001"


def test_canonical_form_is_nfc_trimmed_lines_and_stable() -> None:
    rule = contract.PRODUCT_NAME
    assert rule.clean("  Run \r\n Faster ") == "Run\nFaster"
    assert rule.clean("Cafe\u0301") == "Café"
    for text in ("Ünïcödé ✓", "عطر الورد", "香水 🚀", "👩🏽‍🚀 🇯🇵 🏴󠁧󠁢󠁳󠁣󠁴󠁿", "नमस्ते", "สวัสดี"):
        assert rule.clean(rule.clean(text)) == rule.clean(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("tab\there", "U+0009 (tab)"),
        ("nul\x00", "U+0000"),
        ("esc\x1b[31m", "U+001B (escape)"),
        ("lone \ud800", "lone surrogate U+D800"),
        ("private \ue000", "private-use character U+E000"),
        ("non \ufffe", "noncharacter U+FFFE"),
        ("line\u2028sep", "U+2028 (LINE SEPARATOR)"),
        ("a\nb\nc", "3 lines"),
        ("a\n\nb", "empty line"),
        ("", "must not be blank"),
        ("  ", "must not be blank"),
        ("\u200d\u0301", "no visible character"),
        ("x" * 51, "1-50 characters, got 51"),
    ],
)
def test_refusals_name_the_character(text: str, problem: str) -> None:
    with pytest.raises(TextRefused, match=re.escape(problem)):
        contract.PRODUCT_NAME.clean(text)


def test_length_counts_after_normalisation() -> None:
    # U+0958 DEVANAGARI QA is excluded from composition: NFC makes it two code points.
    grows = "\u0958" * 26
    with pytest.raises(TextRefused, match="got 52"):
        contract.PRODUCT_NAME.clean(grows)
    with pytest.raises(ValidationError, match="got 52"):
        TextOverlay(product_name=grows, cta="Buy")


def test_single_line_fields_refuse_line_breaks() -> None:
    with pytest.raises(TextRefused, match="one line"):
        contract.STYLE_KEYWORD.clean("a\nb")
    assert contract.PRODUCT_TEXT.clean("red\nshoes") == "red\nshoes"


def _gateway_accepts(keyword: str) -> bool:
    try:
        GenerateImagesRequest(session_id=SID, product_prompt="pink shoes", style_keywords=[keyword])
    except ValidationError:
        return False
    return True


def _parser_accepts(keyword: str) -> bool:
    req = prompt_parser_pb2.ParseProductRequest(
        session_id="s1", product_text="pink shoes", num_images=4, style_keywords=[keyword]
    )
    try:
        check_parse_product(req)
    except InvalidArgument:
        return False
    return True


@pytest.mark.parametrize("length", [1, 29, 30, 31, 40])
def test_gateway_and_parser_agree_on_keywords(length: int) -> None:
    keyword = "k" * length
    assert _gateway_accepts(keyword) == _parser_accepts(keyword) == (length <= 30)


def test_gateway_stores_what_the_agent_would_make_of_it() -> None:
    body = GenerateImagesRequest(
        session_id=SID, product_prompt="  Cafe\u0301 mug ", style_keywords=[" bold "]
    )
    assert body.product_prompt == "Café mug" and body.style_keywords == ["bold"]
    edit = ShotEdit(shot_id="s", scene_prompt=" a long planned prompt " + "x" * 600)
    assert edit.scene_prompt is not None and len(edit.scene_prompt) <= contract.SHOT_PROMPT.max_chars


def test_json_schema_carries_the_bounds() -> None:
    schema = TextOverlay.model_json_schema()["properties"]
    # cta may be omitted (a brand kit's default stands in): its bound is on the string branch.
    cta = next(branch for branch in schema["cta"]["anyOf"] if branch.get("type") == "string")
    assert schema["product_name"]["maxLength"] == 50 and cta["maxLength"] == 30
    assert TextRule(2, 9).json_schema() == {"minLength": 2, "maxLength": 9}
