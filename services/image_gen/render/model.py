"""What a category drawing hands to the scene: shaded parts plus where the product stands."""

from __future__ import annotations

from dataclasses import dataclass

from services.image_gen.render.painter import Part
from services.image_gen.render.shapes import Pt, bounds


@dataclass
class Model:
    parts: list[Part]
    # Where the product touches the floor (units); None for a plan view lying on a surface.
    ground: float | None
    # What the macro (detail) view looks at.
    focus: Pt

    def bounds(self) -> tuple[float, float, float, float]:
        polys = [poly for p in self.parts for poly in p.fill]
        polys += [line for p in self.parts for line, _ in p.strokes]
        return bounds(polys)


def pick_material(requested: tuple[str, ...], default: str, allowed: dict[str, str]) -> str:
    """The first requested material this part can be made of (keyword -> shader), else `default`."""
    for word in requested:
        for key, material in allowed.items():
            if key in word.lower():
                return material
    return default
