"""Per-view text-to-image prompts that all describe the same product, and the shared seed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from adreel.v1 import common_pb2
from services.prompt_parser.product_analysis import ProductAnalysis
from services.prompt_parser.text_match import normalise

View = common_pb2.View

MIN_IMAGES, MAX_IMAGES = 4, 8

NEGATIVE_PROMPT = (
    "blurry, out of focus, low resolution, jpeg artifacts, noise, distorted, deformed, warped "
    "proportions, duplicate product, multiple products, extra parts, cropped product, cut off, "
    "text, watermark, logo, signature, oversaturated, cartoon, illustration, painting, cgi, "
    "bad anatomy, extra fingers, cluttered background"
)


@dataclass(frozen=True)
class Shot:
    view: common_pb2.View.ValueType
    wording: str


_FRONT = Shot(View.VIEW_FRONT, "straight-on front view, product centred, eye-level camera")
_THREE_QUARTER = Shot(
    View.VIEW_FRONT, "three-quarter front view, turned 45 degrees to show the front and one side"
)
_SIDE = Shot(View.VIEW_SIDE, "side profile view, full silhouette, camera at product height")
_BACK = Shot(View.VIEW_BACK, "back view, rear of the product facing the camera")
_TOP = Shot(View.VIEW_TOP, "top-down overhead view, flat lay composition")
_DETAIL = Shot(View.VIEW_DETAIL, "extreme close-up macro detail")
_LIFESTYLE = Shot(View.VIEW_LIFESTYLE, "lifestyle scene")
_LIFESTYLE_ALT = Shot(View.VIEW_LIFESTYLE, "second lifestyle scene")

# Which shots N images get: the six base views, trimmed for 4-5, extended with variants for 7-8.
SHOT_LISTS: dict[int, tuple[Shot, ...]] = {
    4: (_FRONT, _SIDE, _DETAIL, _LIFESTYLE),
    5: (_FRONT, _SIDE, _BACK, _DETAIL, _LIFESTYLE),
    6: (_FRONT, _SIDE, _BACK, _TOP, _DETAIL, _LIFESTYLE),
    7: (_FRONT, _THREE_QUARTER, _SIDE, _BACK, _TOP, _DETAIL, _LIFESTYLE),
    8: (_FRONT, _THREE_QUARTER, _SIDE, _BACK, _TOP, _DETAIL, _LIFESTYLE, _LIFESTYLE_ALT),
}

# Two everyday scenes per category: the first for the lifestyle view, the second for the 8th image.
LIFESTYLE_SCENES: dict[str, tuple[str, str]] = {
    "footwear": (
        "worn by an athlete mid-stride on a sunlit city street",
        "placed on a wooden locker-room bench beside a gym bag",
    ),
    "watch": (
        "worn on the wrist of a person in a tailored suit, warm city lights bokeh",
        "resting on a dark walnut desk beside a leather notebook and an espresso",
    ),
    "skincare": (
        "on a marble bathroom shelf beside a folded white towel and eucalyptus sprigs",
        "held in a hand in soft morning window light",
    ),
    "bag": (
        "carried by a person walking down a bright city street",
        "on a café chair beside a laptop and a cup of coffee",
    ),
    "electronics": (
        "in use on a minimalist desk setup with warm ambient light",
        "held in a hand in a modern living room",
    ),
    "drinkware": (
        "on a breakfast table in morning sunlight with steam rising",
        "held in two hands by a window on a cosy morning",
    ),
    "apparel": (
        "worn by a model in an urban street setting",
        "folded on a wooden shelf in a bright boutique",
    ),
    "other": (
        "in a bright modern home interior",
        "on a styled tabletop with complementary props",
    ),
}

# What a close-up shows best, per category.
DETAIL_FEATURES: dict[str, str] = {
    "footwear": "laces, stitching and sole texture",
    "watch": "dial, hands and crown",
    "skincare": "label, cap and product texture",
    "bag": "stitching, zip and hardware",
    "electronics": "buttons, edges and surface finish",
    "drinkware": "rim, handle and surface glaze",
    "apparel": "fabric weave and stitching",
    "other": "fine details and finish",
}

_QUALITY = "sharp focus, high detail, commercial advertising photograph, 85mm lens"
_CONSISTENCY = "the same product in every shot, identical design, colours and proportions"


def consistency_seed(text: str, requested: int | None) -> int:
    """The seed every image shares: the caller's, or one derived from the normalised text.

    Kept below 2**31 so engines that take a signed 32-bit seed accept it unchanged.
    """
    if requested is not None:
        return requested
    digest = hashlib.sha256(normalise(text).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def _join(items: tuple[str, ...] | list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _identity(p: ProductAnalysis) -> str:
    """The words that pin the product down across views."""
    parts = [f"{_join(p.colors[:3])} colour scheme"]
    if p.materials:
        parts.append(f"{_join(p.materials[:3])} construction")
    return ", ".join(parts)


def _scene_for(shot: Shot, p: ProductAnalysis) -> str:
    if shot is _LIFESTYLE:
        return f"{LIFESTYLE_SCENES[p.category][0]}, natural light, shallow depth of field"
    if shot is _LIFESTYLE_ALT:
        return f"{LIFESTYLE_SCENES[p.category][1]}, natural light, shallow depth of field"
    backdrop = p.setting_phrase or "on a seamless light studio backdrop"
    if shot is _DETAIL:
        texture = f", {p.materials[0]} texture" if p.materials else ""
        return f"of the {DETAIL_FEATURES[p.category]}{texture}, {backdrop}, raking light, macro lens"
    return f"{backdrop}, soft diffused studio lighting, soft shadow"


def _prompt(shot: Shot, p: ProductAnalysis) -> str:
    style = f"{', '.join(p.style_keywords)} aesthetic" if p.style_keywords else ""
    parts = [
        f"Professional product photography of {p.product_phrase}",
        shot.wording + (" " if shot is _DETAIL else ", ") + _scene_for(shot, p),
        _identity(p),
        style,
        _CONSISTENCY,
        _QUALITY,
    ]
    return ", ".join(part for part in parts if part)


def view_prompts(
    p: ProductAnalysis, num_images: int, seed: int, guidance_scale: float
) -> list[common_pb2.ImagePrompt]:
    """One prompt per image, each a distinct view of the same product, all with `seed`."""
    return [
        common_pb2.ImagePrompt(
            view=shot.view,
            prompt=_prompt(shot, p),
            negative_prompt=NEGATIVE_PROMPT,
            seed=seed,
            guidance_scale=guidance_scale,
        )
        for shot in SHOT_LISTS[num_images]
    ]
