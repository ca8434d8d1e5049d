"""The offline scene planner: motion follows the scene text and the view, consecutive shots vary."""

from __future__ import annotations

from itertools import pairwise

import pytest

from adreel.v1 import common_pb2
from services.prompt_parser.product_analysis import analyse_product
from services.prompt_parser.scene_plan import plan_scenes, read_mood

View = common_pb2.View
Cam = common_pb2.CameraMovement
SIX = [View.VIEW_FRONT, View.VIEW_SIDE, View.VIEW_BACK, View.VIEW_TOP, View.VIEW_DETAIL, View.VIEW_LIFESTYLE]
PRODUCT = analyse_product("pink athletic tennis shoes with white laces on a white background").to_spec()


def plan(scene: str, views: list[int] = SIX) -> list[common_pb2.ScenePlan]:
    return plan_scenes(scene, [(f"img-{i}", v) for i, v in enumerate(views)], PRODUCT)


def test_running_moves_more_than_resting() -> None:
    running = plan("a runner running fast through a city park at dawn")
    resting = plan("the shoes resting still on a calm beach at sunset")
    assert all(0.6 <= p.motion_intensity <= 0.9 for p in running)
    assert all(0.15 <= p.motion_intensity <= 0.4 for p in resting)
    assert min(p.motion_intensity for p in running) > max(p.motion_intensity for p in resting)
    energetic_moves = {
        Cam.CAMERA_MOVEMENT_TRACKING,
        Cam.CAMERA_MOVEMENT_PAN_LEFT,
        Cam.CAMERA_MOVEMENT_PAN_RIGHT,
    }
    assert {p.camera_movement for p in running[:3]} <= energetic_moves
    assert resting[0].camera_movement == Cam.CAMERA_MOVEMENT_ZOOM_IN  # the calm opener: slow zoom in


def test_rotation_words_orbit_the_product_views() -> None:
    plans = plan(
        "the sneaker spinning slowly on a turntable", [View.VIEW_FRONT, View.VIEW_TOP, View.VIEW_BACK]
    )
    assert [p.camera_movement for p in plans] == [
        Cam.CAMERA_MOVEMENT_ORBIT,
        Cam.CAMERA_MOVEMENT_ZOOM_OUT,
        Cam.CAMERA_MOVEMENT_ORBIT,
    ]


@pytest.mark.parametrize("scene", ["dancing at a party", "in a kitchen", "floating in soft mist"])
def test_views_choose_their_movement(scene: str) -> None:
    detail, top, lifestyle = plan(scene, [View.VIEW_DETAIL, View.VIEW_TOP, View.VIEW_LIFESTYLE])
    assert detail.camera_movement == Cam.CAMERA_MOVEMENT_ZOOM_IN
    assert top.camera_movement in {Cam.CAMERA_MOVEMENT_TILT_DOWN, Cam.CAMERA_MOVEMENT_ZOOM_OUT}
    assert lifestyle.camera_movement in {
        Cam.CAMERA_MOVEMENT_TRACKING,
        Cam.CAMERA_MOVEMENT_PAN_LEFT,
        Cam.CAMERA_MOVEMENT_PAN_RIGHT,
    }


@pytest.mark.parametrize(
    "scene", ["running on a track", "resting on a rock", "on a shelf", "rotating slowly"]
)
def test_consecutive_shots_never_repeat_a_movement(scene: str) -> None:
    views = [
        View.VIEW_FRONT,
        View.VIEW_FRONT,
        View.VIEW_SIDE,
        View.VIEW_DETAIL,
        View.VIEW_DETAIL,
        View.VIEW_BACK,
    ]
    moves = [p.camera_movement for p in plan(scene, views)]
    assert all(a != b for a, b in pairwise(moves))
    assert Cam.CAMERA_MOVEMENT_UNSPECIFIED not in moves


def test_plans_follow_request_order_and_are_deterministic() -> None:
    views = [View.VIEW_LIFESTYLE, View.VIEW_DETAIL, View.VIEW_FRONT]
    first = plan("jumping into a puddle with a big splash", views)
    assert [p.item_id for p in first] == ["img-0", "img-1", "img-2"]
    assert [p.view for p in first] == views
    assert first == plan("jumping into a puddle with a big splash", views)
    for p in first:
        # The user's scene, the product (without its setting) and the view, in one prompt.
        assert "jumping into a puddle with a big splash" in p.scene_prompt
        assert "pink athletic tennis shoes with white laces" in p.scene_prompt
        assert "white background" not in p.scene_prompt
    assert first[0].scene_prompt.startswith("Lifestyle shot")
    assert first[1].scene_prompt.startswith("Close-up detail")


def test_mood_counts_energetic_against_calm_words() -> None:
    assert read_mood("Running, jumping, dancing!").energy == "energetic"
    assert read_mood("a calm, slow morning").energy == "calm"
    assert read_mood("running slowly").energy == "neutral"
    assert read_mood("on a desk").energy == "neutral"
    assert read_mood("a 360 turntable").rotating


def test_an_empty_product_spec_still_names_a_subject() -> None:
    plans = plan_scenes("on a desk", [("a", View.VIEW_FRONT)], common_pb2.ProductSpec(category="watch"))
    assert "wristwatch" in plans[0].scene_prompt
