"""A voiceover script from rules: product, scene and CTA in sentences that fit the ad's length."""

from __future__ import annotations

import re

from adreel.v1 import common_pb2
from services.common.contract import VOICEOVER_SCRIPT
from services.prompt_parser.product_analysis import split_setting

# Words a second a voice speaks in an ad; the script aims a little under so it never runs over.
WORDS_PER_S = 2.5
FILL = 0.85
MAX_CHARS = VOICEOVER_SCRIPT.max_chars

# One line of benefit per category, spoken after the product.
_BENEFIT: dict[str, str] = {
    "footwear": "Light, comfortable, and ready to move with you.",
    "watch": "Crafted to keep time in style, every single day.",
    "skincare": "Gentle care that leaves your skin glowing.",
    "bag": "Room for everything you carry, with style to spare.",
    "electronics": "Smart design that simply works, wherever you are.",
    "drinkware": "Keeps every sip just right, from morning to night.",
    "apparel": "Made to feel as good as it looks.",
}
_GENERIC_BENEFIT = "Made with care, built to last."
_STARTS = re.compile(r"^(?:a|an|the|one)\s+", re.I)


def budget_words(duration_s: float) -> int:
    return max(4, int(duration_s * WORDS_PER_S * FILL))


def _sentence(text: str) -> str:
    text = " ".join(text.split()).strip(" ,;:-")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _count(text: str) -> int:
    return len(text.split())


def write_script(
    product: common_pb2.ProductSpec, scene_text: str, product_name: str, cta: str, duration_s: float
) -> str:
    """Sentences by priority (name, product, scene, benefit), as many as the length holds, then the CTA."""
    thing, _setting = split_setting(product.text)
    thing = _STARTS.sub("", thing.strip()) or "this"
    name = " ".join(product_name.split()) or thing
    closing = _sentence(cta or "Get yours today")
    scene = _STARTS.sub("", " ".join(scene_text.split()))
    candidates = [
        _sentence(f"Meet {name}"),
        _sentence(f"The {thing} you have been waiting for") if name.lower() != thing.lower() else "",
        _sentence(f"Picture it: {scene}") if scene else "",
        _BENEFIT.get(product.category, _GENERIC_BENEFIT),
        _sentence(f"{name}, wherever the day takes you"),
    ]
    budget = budget_words(duration_s) - _count(closing)
    chosen: list[str] = []
    for line in filter(None, candidates):
        if _count(line) <= budget:
            chosen.append(line)
            budget -= _count(line)
    if not chosen:  # too short an ad for any sentence: the name alone, then the CTA
        chosen.append(_sentence(name))
    script = " ".join([*chosen, closing])
    while len(script) > MAX_CHARS and len(chosen) > 1:
        chosen.pop()
        script = " ".join([*chosen, closing])
    return script[:MAX_CHARS]
