"""The offline product-photography renderer (Pillow + numpy)."""

from services.image_gen.render.scene import render
from services.image_gen.render.spec import CATEGORIES, VIEWS, RenderSpec

__all__ = ["CATEGORIES", "VIEWS", "RenderSpec", "render"]
