"""Category drawings: each turns (pose, design, colours, materials) into a Model."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from services.image_gen.render.design import Design
from services.image_gen.render.model import Model
from services.image_gen.render.palette import Colors
from services.image_gen.render.products import (
    apparel,
    bag,
    boxed,
    drinkware,
    electronics,
    footwear,
    skincare,
    watch,
)

Draw = Callable[[str, Design, Colors, tuple[str, ...]], Model]

CATEGORIES: dict[str, ModuleType] = {
    "footwear": footwear,
    "watch": watch,
    "skincare": skincare,
    "bag": bag,
    "electronics": electronics,
    "drinkware": drinkware,
    "apparel": apparel,
    "other": boxed,
}


def drawing(category: str) -> ModuleType:
    """The module drawing `category`: draw(), HERO_POSE (lifestyle) and DETAIL_POSE (macro)."""
    return CATEGORIES[category]
