"""Camera moves of the offline video engine: geometry, easing, and the FFmpeg expressions."""

from __future__ import annotations

import math
import re

import pytest

from adreel.v1 import common_pb2
from services.video_gen.camera import Move, View, corner_expressions, ease, plan_move

M = common_pb2.CameraMovement
MOVING = [m for m in M.values() if m not in (M.CAMERA_MOVEMENT_UNSPECIFIED, M.CAMERA_MOVEMENT_STATIC)]
W, H = 1280, 720


def spread(a: View, b: View) -> float:
    """How far apart two views are: the largest corner displacement, in canvas fractions."""
    return max(math.dist(p, q) for p, q in zip(a.corners(), b.corners(), strict=True))


def evaluate(expr: str, on: int) -> float:
    """Evaluate an FFmpeg expression of ours (its grammar here is a subset of Python's)."""
    names = {"W": W, "H": H, "on": on, "PI": math.pi, "cos": math.cos, "exp": math.exp}
    return eval(expr, {"__builtins__": {}}, names)


def test_ease_starts_and_ends_at_rest() -> None:
    assert ease(0) == 0 and ease(1) == 1 and ease(0.5) == pytest.approx(0.5)
    first, middle = ease(0.01) - ease(0), ease(0.505) - ease(0.495)
    assert first < 0.05 * middle  # near-zero speed at the ends, fastest mid-way


@pytest.mark.parametrize("movement", M.values()[1:])
@pytest.mark.parametrize("intensity", [0.0, 0.35, 1.0])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_window_never_leaves_the_canvas(movement: int, intensity: float, seed: int) -> None:
    move = plan_move(movement, intensity, seed)
    for k in range(101):
        for x, y in move.at(k / 100).corners():
            assert -1e-9 <= x <= 1 + 1e-9 and -1e-9 <= y <= 1 + 1e-9, (k, x, y)


def test_intensity_scales_the_move() -> None:
    for movement in MOVING:
        sizes = [spread(m.start, m.end) for m in (plan_move(movement, i, 0) for i in (0.0, 0.2, 0.9))]
        assert sizes[0] == 0 and 0 < sizes[1] < sizes[2], (movement, sizes)
    still = plan_move(M.CAMERA_MOVEMENT_STATIC, 1.0, 0)
    assert still.start == still.end == View()


def test_directions() -> None:
    left, right = plan_move(M.CAMERA_MOVEMENT_PAN_LEFT, 1, 0), plan_move(M.CAMERA_MOVEMENT_PAN_RIGHT, 1, 0)
    assert left.end.cx < left.start.cx and right.end.cx > right.start.cx
    up, down = plan_move(M.CAMERA_MOVEMENT_TILT_UP, 1, 0), plan_move(M.CAMERA_MOVEMENT_TILT_DOWN, 1, 0)
    assert up.end.cy < up.start.cy and down.end.cy > down.start.cy
    zin, zout = plan_move(M.CAMERA_MOVEMENT_ZOOM_IN, 1, 0), plan_move(M.CAMERA_MOVEMENT_ZOOM_OUT, 1, 0)
    assert zin.end.zoom > zin.start.zoom == 1 and zout.start.zoom > zout.end.zoom == 1
    track = plan_move(M.CAMERA_MOVEMENT_TRACKING, 1, 0)
    assert track.end.zoom > track.start.zoom and track.end.cx != track.start.cx
    orbit = plan_move(M.CAMERA_MOVEMENT_ORBIT, 1, 0)
    assert orbit.start.sway < 0 < orbit.end.sway and orbit.end.cx > orbit.start.cx


def test_the_seed_picks_the_side_of_free_moves_and_nothing_else() -> None:
    for movement in (M.CAMERA_MOVEMENT_TRACKING, M.CAMERA_MOVEMENT_ORBIT):
        even, odd = plan_move(movement, 0.8, 4), plan_move(movement, 0.8, 5)
        assert (even.end.cx - 0.5) == pytest.approx(-(odd.end.cx - 0.5))
        assert plan_move(movement, 0.8, 6) == even
    assert plan_move(M.CAMERA_MOVEMENT_ZOOM_IN, 0.8, 1) == plan_move(M.CAMERA_MOVEMENT_ZOOM_IN, 0.8, 2)


@pytest.mark.parametrize("movement", MOVING)
def test_the_ffmpeg_expressions_trace_the_same_path(movement: int) -> None:
    move, frames = plan_move(movement, 0.9, 1), 75
    exprs = corner_expressions(move, frames)
    for expr in exprs.values():
        # Numbers, operators and the filter's own names only: nothing to escape, nothing injected.
        assert re.fullmatch(r"[0-9.+\-*/()WHonPIcosexp]+", expr), expr
    for on in (1, 20, 38, 75):
        view = move.at(ease((on - 1) / (frames - 1)))
        expected = [c for x, y in view.corners() for c in (x * W, y * H)]
        got = [evaluate(exprs[f"{axis}{i}"], on) for i in range(4) for axis in "xy"]
        assert got == pytest.approx(expected, abs=1e-3)


def test_a_move_with_no_change_stays_put() -> None:
    exprs = corner_expressions(Move(View(), View()), 60)
    assert [evaluate(exprs[k], 30) for k in ("x0", "y0", "x3", "y3")] == pytest.approx([0, 0, W, H])
