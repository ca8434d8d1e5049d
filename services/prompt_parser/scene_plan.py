"""One shot per approved image: camera movement and motion intensity from the scene text and view."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from adreel.v1 import common_pb2
from services.prompt_parser import vocabulary as V
from services.prompt_parser.product_analysis import split_setting
from services.prompt_parser.text_match import words

View = common_pb2.View
Cam = common_pb2.CameraMovement
Energy = Literal["energetic", "calm", "neutral"]

# Motion intensity range per mood: energetic scenes move a lot, calm ones barely.
BANDS: dict[Energy, tuple[float, float]] = {
    "energetic": (0.6, 0.9),
    "calm": (0.15, 0.4),
    "neutral": (0.4, 0.6),
}

# Where a view sits inside its band: close-ups move least, lifestyle shots most.
VIEW_WEIGHT: dict[int, float] = {
    View.VIEW_FRONT: 0.5,
    View.VIEW_SIDE: 0.6,
    View.VIEW_BACK: 0.5,
    View.VIEW_TOP: 0.35,
    View.VIEW_DETAIL: 0.25,
    View.VIEW_LIFESTYLE: 0.75,
}

# Preferred movements per mood and view, best first; later ones avoid repeating the previous shot.
_MOVES: dict[Energy, dict[int, tuple[int, ...]]] = {
    "energetic": {
        View.VIEW_FRONT: (Cam.CAMERA_MOVEMENT_TRACKING, Cam.CAMERA_MOVEMENT_PAN_RIGHT),
        View.VIEW_SIDE: (Cam.CAMERA_MOVEMENT_TRACKING, Cam.CAMERA_MOVEMENT_PAN_LEFT),
        View.VIEW_BACK: (Cam.CAMERA_MOVEMENT_PAN_RIGHT, Cam.CAMERA_MOVEMENT_TRACKING),
        View.VIEW_TOP: (Cam.CAMERA_MOVEMENT_TILT_DOWN, Cam.CAMERA_MOVEMENT_ZOOM_OUT),
        View.VIEW_DETAIL: (Cam.CAMERA_MOVEMENT_ZOOM_IN, Cam.CAMERA_MOVEMENT_PAN_LEFT),
        View.VIEW_LIFESTYLE: (Cam.CAMERA_MOVEMENT_TRACKING, Cam.CAMERA_MOVEMENT_PAN_LEFT),
    },
    "calm": {
        View.VIEW_FRONT: (Cam.CAMERA_MOVEMENT_ZOOM_IN, Cam.CAMERA_MOVEMENT_PAN_RIGHT),
        View.VIEW_SIDE: (Cam.CAMERA_MOVEMENT_ZOOM_IN, Cam.CAMERA_MOVEMENT_PAN_LEFT),
        View.VIEW_BACK: (Cam.CAMERA_MOVEMENT_ZOOM_IN, Cam.CAMERA_MOVEMENT_ZOOM_OUT),
        View.VIEW_TOP: (Cam.CAMERA_MOVEMENT_ZOOM_OUT, Cam.CAMERA_MOVEMENT_TILT_DOWN),
        View.VIEW_DETAIL: (Cam.CAMERA_MOVEMENT_ZOOM_IN, Cam.CAMERA_MOVEMENT_STATIC),
        View.VIEW_LIFESTYLE: (Cam.CAMERA_MOVEMENT_PAN_RIGHT, Cam.CAMERA_MOVEMENT_ZOOM_IN),
    },
    "neutral": {
        View.VIEW_FRONT: (Cam.CAMERA_MOVEMENT_ZOOM_IN, Cam.CAMERA_MOVEMENT_PAN_RIGHT),
        View.VIEW_SIDE: (Cam.CAMERA_MOVEMENT_PAN_LEFT, Cam.CAMERA_MOVEMENT_ZOOM_IN),
        View.VIEW_BACK: (Cam.CAMERA_MOVEMENT_PAN_RIGHT, Cam.CAMERA_MOVEMENT_ZOOM_OUT),
        View.VIEW_TOP: (Cam.CAMERA_MOVEMENT_TILT_DOWN, Cam.CAMERA_MOVEMENT_ZOOM_OUT),
        View.VIEW_DETAIL: (Cam.CAMERA_MOVEMENT_ZOOM_IN, Cam.CAMERA_MOVEMENT_PAN_LEFT),
        View.VIEW_LIFESTYLE: (Cam.CAMERA_MOVEMENT_TRACKING, Cam.CAMERA_MOVEMENT_PAN_RIGHT),
    },
}
# A turntable scene orbits the product views (not close-ups, top-downs or lifestyle shots).
_ORBIT_VIEWS = {View.VIEW_FRONT, View.VIEW_SIDE, View.VIEW_BACK}

_VIEW_LABELS: dict[int, str] = {
    View.VIEW_FRONT: "Front view",
    View.VIEW_SIDE: "Side view",
    View.VIEW_BACK: "Back view",
    View.VIEW_TOP: "Top-down view",
    View.VIEW_DETAIL: "Close-up detail",
    View.VIEW_LIFESTYLE: "Lifestyle shot",
}
_CAMERA_WORDING: dict[int, str] = {
    Cam.CAMERA_MOVEMENT_STATIC: "locked-off camera",
    Cam.CAMERA_MOVEMENT_ZOOM_IN: "camera pushes in",
    Cam.CAMERA_MOVEMENT_ZOOM_OUT: "camera pulls back",
    Cam.CAMERA_MOVEMENT_PAN_LEFT: "camera pans left",
    Cam.CAMERA_MOVEMENT_PAN_RIGHT: "camera pans right",
    Cam.CAMERA_MOVEMENT_TILT_UP: "camera tilts up",
    Cam.CAMERA_MOVEMENT_TILT_DOWN: "camera tilts down",
    Cam.CAMERA_MOVEMENT_TRACKING: "camera tracks alongside",
    Cam.CAMERA_MOVEMENT_ORBIT: "camera orbits the product",
}
_PACE: dict[Energy, str] = {
    "energetic": "fast and dynamic",
    "calm": "slow and smooth",
    "neutral": "steady",
}


@dataclass(frozen=True)
class Mood:
    energy: Energy
    strength: int  # how many more energetic than calm words (or the reverse), at least 1 unless neutral
    rotating: bool


def read_mood(scene_text: str) -> Mood:
    ws = words(scene_text)
    energetic = sum(w in V.ENERGETIC_WORDS for w in ws)
    calm = sum(w in V.CALM_WORDS for w in ws)
    rotating = any(w in V.ROTATION_WORDS for w in ws)
    if energetic > calm:
        return Mood("energetic", energetic - calm, rotating)
    if calm > energetic:
        return Mood("calm", calm - energetic, rotating)
    return Mood("neutral", 0, rotating)


def _jitter(scene_text: str, item_id: str) -> float:
    """A small deterministic variation (-0.1..0.1) so equal views are not equally busy."""
    h = hashlib.sha256(f"{scene_text}\x00{item_id}".encode()).digest()
    return (int.from_bytes(h[:2], "big") / 0xFFFF - 0.5) * 0.2


def motion_intensity(mood: Mood, view: int, scene_text: str, item_id: str) -> float:
    lo, hi = BANDS[mood.energy]
    push = 0.1 * (min(mood.strength, 3) - 1) if mood.strength else 0.0
    position = VIEW_WEIGHT[view] + (push if mood.energy == "energetic" else -push)
    position = min(1.0, max(0.0, position + _jitter(scene_text, item_id)))
    return round(lo + (hi - lo) * position, 2)


def camera_movement(mood: Mood, view: int, previous: int | None) -> int:
    options = _MOVES[mood.energy][view]
    if mood.rotating and view in _ORBIT_VIEWS:
        options = (Cam.CAMERA_MOVEMENT_ORBIT, *options)
    return next((m for m in options if m != previous), options[0])


def _product_words(product: common_pb2.ProductSpec) -> str:
    if product.text.strip():
        return split_setting(" ".join(product.text.split()))[0]
    return f"the {V.CATEGORY_NOUNS.get(product.category, 'product')}"


def plan_scenes(
    scene_text: str, images: Sequence[tuple[str, int]], product: common_pb2.ProductSpec
) -> list[common_pb2.ScenePlan]:
    """One plan per (item_id, view), in order; consecutive shots never repeat a movement if avoidable."""
    scene = " ".join(scene_text.split()).rstrip(" .!")
    mood = read_mood(scene)
    subject = _product_words(product)
    plans: list[common_pb2.ScenePlan] = []
    previous: int | None = None
    for item_id, view in images:
        move = camera_movement(mood, view, previous)
        previous = move
        plans.append(
            common_pb2.ScenePlan(
                item_id=item_id,
                view=view,  # type: ignore[arg-type]
                scene_prompt=(
                    f"{_VIEW_LABELS[view]} of {subject}: {scene}. {_CAMERA_WORDING[move].capitalize()}, "
                    f"{_PACE[mood.energy]} motion, cinematic commercial product video"
                ),
                camera_movement=move,  # type: ignore[arg-type]
                motion_intensity=motion_intensity(mood, view, scene, item_id),
            )
        )
    return plans
