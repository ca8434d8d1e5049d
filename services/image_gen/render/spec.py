"""What one render needs: plain, picklable values (it crosses into a worker process)."""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = ("footwear", "watch", "skincare", "bag", "electronics", "drinkware", "apparel", "other")
VIEWS = ("front", "side", "back", "top", "detail", "lifestyle")


@dataclass(frozen=True)
class RenderSpec:
    category: str
    view: str
    seed: int
    palette: tuple[str, ...] = ()
    materials: tuple[str, ...] = ()
    size: int = 1024
