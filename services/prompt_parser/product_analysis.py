"""What a product description says: category, colours (with hex), materials, style, and setting."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from adreel.v1 import common_pb2
from services.prompt_parser import vocabulary as V
from services.prompt_parser.text_match import Vocabulary, fold

MAX_STYLE_KEYWORDS = 8

# The head of a noun phrase comes before these ("watch with strap", "bag for laptops").
_QUALIFIER_RE = re.compile(r"\s(?:with|for|featuring|including|that|which)\s|,")


@dataclass(frozen=True)
class ProductAnalysis:
    text: str  # the user's words, whitespace tidied
    product_phrase: str  # the product itself, e.g. "luxury gold watch with leather strap"
    setting_phrase: str  # where it is, e.g. "on marble surface"; "" when not said
    category: str
    colors: tuple[str, ...]
    palette: tuple[str, ...]
    colors_from_text: bool  # False when the palette is the category's default
    materials: tuple[str, ...]
    style_keywords: tuple[str, ...]

    def to_spec(self) -> common_pb2.ProductSpec:
        return common_pb2.ProductSpec(
            text=self.text,
            category=self.category,
            colors=self.colors,
            palette=self.palette,
            materials=self.materials,
            style_keywords=self.style_keywords,
        )


@cache
def _vocab(name: str) -> Vocabulary:
    match name:
        case "colors":
            return Vocabulary(V.COLORS, V.COLOR_ALIASES)
        case "materials":
            return Vocabulary(V.MATERIALS, V.MATERIAL_ALIASES)
        case "styles":
            return Vocabulary(V.STYLE_WORDS, V.STYLE_ALIASES)
        case "settings":
            return Vocabulary(V.SETTING_MARKERS)
    return Vocabulary(V.CATEGORY_KEYWORDS[name])


def split_setting(text: str) -> tuple[str, str]:
    """(product, setting): the setting starts at the first marker that follows some product words."""
    for m in _vocab("settings").find(text):
        if text[: m.start].strip():
            return text[: m.start].strip(" ,;:-"), text[m.start :].strip()
    return text, ""


def find_category(product: str, whole: str) -> str:
    """The category of the phrase's head noun, else of any keyword in the product, else the text."""
    head = product[: m.start()] if (m := _QUALIFIER_RE.search(fold(product))) else product
    found: list[tuple[int, str]] = []
    for category in V.CATEGORY_KEYWORDS:
        found += [(hit.start, category) for hit in _vocab(category).find(head)]
    if found:
        return max(found)[1]  # the last keyword is the head noun: "leather laptop bag" is a bag
    for part in (product, whole):
        hits = [(hit.start, c) for c in V.CATEGORY_KEYWORDS for hit in _vocab(c).find(part)]
        if hits:
            return min(hits)[1]
    return "other"


def style_keywords(text: str, user_keywords: list[str]) -> tuple[str, ...]:
    """The user's own keywords first (they chose them), then those the text implies; max 8."""
    user = [" ".join(k.lower().split()) for k in user_keywords]
    merged = dict.fromkeys([k for k in user if k] + _vocab("styles").terms_in(text))
    return tuple(merged)[:MAX_STYLE_KEYWORDS]


def analyse_product(text: str, user_keywords: list[str] | None = None) -> ProductAnalysis:
    text = " ".join(text.split())
    product, setting = split_setting(text)
    category = find_category(product, text)
    colors = _vocab("colors").terms_in(product)
    materials = _vocab("materials").terms_in(product)
    # A named material without a named colour brings its own (a leather strap is brown).
    for material in materials:
        natural = V.MATERIAL_COLORS.get(material)
        if len(colors) < 2 and natural and natural not in colors:
            colors.append(natural)
    colors_from_text = bool(colors)
    if not colors:
        colors = list(V.DEFAULT_COLORS[category])
    return ProductAnalysis(
        text=text,
        product_phrase=product,
        setting_phrase=setting,
        category=category,
        colors=tuple(colors),
        palette=tuple(V.COLORS[c] for c in colors),
        colors_from_text=colors_from_text,
        materials=tuple(materials),
        style_keywords=style_keywords(text, user_keywords or []),
    )
