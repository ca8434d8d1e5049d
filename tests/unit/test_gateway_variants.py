"""The finals of one compose call (gateway/variants.plan_finals): a variant's own font, or the
brand kit's font asked for by name ("brand")."""

from __future__ import annotations

import pytest
from fastapi import HTTPException

from gateway.api.routes.generation import resolve_font
from gateway.schemas import ComposeFinalVideoRequest, Font
from gateway.variants import plan_finals

FONTS = [
    Font(id="inter", name="Inter"),
    Font(id="montserrat", name="Montserrat"),
    Font(id="bebas", name="Bebas Neue"),
]
BASE = {"product_name": "Rosa 24", "cta": "Shop now", "font": "inter", "color": "#ffffff"}
KIT_FONT = {"uri": "asset://sessions/s/brand/font-0123.ttf"}


def _request(*fonts: str) -> ComposeFinalVideoRequest:
    variants = [{"format": "1:1", "text_overlay": {"font": f}} for f in fonts]
    return ComposeFinalVideoRequest.model_validate(
        {"session_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12, "text_overlay": BASE, "variants": variants}
    )


def test_a_variant_asks_for_the_kit_font_while_the_main_final_keeps_its_own() -> None:
    main, brand, named = plan_finals(
        _request("brand", "Bebas Neue"), dict(BASE), FONTS, resolve_font, KIT_FONT
    )
    assert "font_file" not in main["overlay"] and main["overlay"]["font"] == "inter"
    assert brand["overlay"]["font_file"] == KIT_FONT, "the kit's font draws this variant"
    assert "font_file" not in named["overlay"] and named["overlay"]["font"] == "bebas"


def test_a_variant_that_names_a_font_drops_the_kits() -> None:
    base = dict(BASE) | {"font_file": KIT_FONT}
    _, named = plan_finals(_request("bebas"), base, FONTS, resolve_font, KIT_FONT)
    assert "font_file" not in named["overlay"] and named["overlay"]["font"] == "bebas"


def test_brand_without_a_kit_font_is_refused_by_the_variants_field() -> None:
    with pytest.raises(HTTPException) as refused:
        plan_finals(_request("brand"), dict(BASE), FONTS, resolve_font, None)
    assert refused.value.status_code == 422
    assert str(refused.value.detail).startswith("variants[0].text_overlay.font: brand needs a brand kit")
