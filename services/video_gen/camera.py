"""Camera moves over a still: a window on the source canvas that travels, eased, through the clip.

A `View` is the part of the canvas the camera sees (centre, zoom, and a perspective sway that
makes one side of the frame nearer than the other). A `Move` goes from one view to another;
`corner_expressions` turns it into the four corner expressions of FFmpeg's `perspective` filter,
which resamples with sub-pixel precision every frame, so slow moves glide instead of stepping by
whole pixels the way `zoompan` does on an image that was not upscaled first.

Only numbers computed here go into the expressions; nothing from a request does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from adreel.v1 import common_pb2

Movement = common_pb2.CameraMovement

# How far each move goes at motion_intensity 1 (fractions of the canvas, or zoom added).
ZOOM_RANGE = 0.30
PAN_RANGE = 0.16
TILT_RANGE = 0.16
TRACK_DRIFT = 0.06
TRACK_PUSH = 0.22
ORBIT_ARC = 0.12
ORBIT_SWAY = 0.08
ORBIT_PUSH = 0.06


@dataclass(frozen=True)
class View:
    """What the camera sees, in canvas fractions: centre (cx, cy), zoom >= 1, sway in (-1, 1).

    Positive sway brings the right edge nearer (it is magnified), as when the camera has swung
    round to the subject's right.
    """

    cx: float = 0.5
    cy: float = 0.5
    zoom: float = 1.0
    sway: float = 0.0

    def corners(self) -> tuple[tuple[float, float], ...]:
        """Top-left, top-right, bottom-left, bottom-right source points, in canvas fractions."""
        half = 0.5 / self.zoom
        left, right = half * (1 + self.sway), half * (1 - self.sway)
        return (
            (self.cx - half, self.cy - left),
            (self.cx + half, self.cy - right),
            (self.cx - half, self.cy + left),
            (self.cx + half, self.cy + right),
        )


def ease(p: float) -> float:
    """Ease-in-out (half a cosine): the camera starts and ends at rest."""
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, p)))


@dataclass(frozen=True)
class Move:
    start: View
    end: View

    def at(self, e: float) -> View:
        """The view at eased progress `e` (0-1): centre and sway linear, zoom geometric (steady)."""
        a, b = self.start, self.end
        return View(
            cx=a.cx + (b.cx - a.cx) * e,
            cy=a.cy + (b.cy - a.cy) * e,
            zoom=a.zoom * (b.zoom / a.zoom) ** e,
            sway=a.sway + (b.sway - a.sway) * e,
        )


def plan_move(movement: int, intensity: float, seed: int) -> Move:
    """The move for a scene plan; `intensity` (0-1) scales its size, `seed` picks free directions."""
    i = min(1.0, max(0.0, intensity))
    side = 1.0 if seed % 2 == 0 else -1.0  # tracking drift / orbit direction
    match movement:
        case Movement.CAMERA_MOVEMENT_ZOOM_IN:
            return Move(View(), View(zoom=1 + ZOOM_RANGE * i))
        case Movement.CAMERA_MOVEMENT_ZOOM_OUT:
            return Move(View(zoom=1 + ZOOM_RANGE * i), View())
        case Movement.CAMERA_MOVEMENT_PAN_LEFT | Movement.CAMERA_MOVEMENT_PAN_RIGHT:
            # The window travels the way the camera turns, so the picture slides the other way.
            t = PAN_RANGE * i
            d = -1.0 if movement == Movement.CAMERA_MOVEMENT_PAN_LEFT else 1.0
            z = 1 / (1 - t)
            return Move(View(cx=0.5 - d * t / 2, zoom=z), View(cx=0.5 + d * t / 2, zoom=z))
        case Movement.CAMERA_MOVEMENT_TILT_UP | Movement.CAMERA_MOVEMENT_TILT_DOWN:
            t = TILT_RANGE * i
            d = -1.0 if movement == Movement.CAMERA_MOVEMENT_TILT_UP else 1.0
            z = 1 / (1 - t)
            return Move(View(cy=0.5 - d * t / 2, zoom=z), View(cy=0.5 + d * t / 2, zoom=z))
        case Movement.CAMERA_MOVEMENT_TRACKING:
            # A push forward while drifting sideways, as on a dolly.
            t = TRACK_DRIFT * i
            z = 1 / (1 - t)
            return Move(
                View(cx=0.5 - side * t / 2, zoom=z),
                View(cx=0.5 + side * t / 2, zoom=z * (1 + TRACK_PUSH * i)),
            )
        case Movement.CAMERA_MOVEMENT_ORBIT:
            # An arc round the subject: travel sideways while the image plane swings through
            # face-on, with a slight push so the swung edges never leave the canvas.
            t, s = ORBIT_ARC * i, ORBIT_SWAY * i
            z = max(1 + s, 1 / (1 - t))
            return Move(
                View(cx=0.5 - side * t / 2, zoom=z, sway=-side * s),
                View(cx=0.5 + side * t / 2, zoom=z * (1 + ORBIT_PUSH * i), sway=side * s),
            )
        case _:  # static (validation refuses unspecified movements before they get here)
            return Move(View(), View())


def _num(x: float) -> str:
    return f"{x:.6f}"


def _lerp(a: float, b: float, e: str) -> str:
    return f"({_num(a)}+{_num(b - a)}*{e})"


def corner_expressions(move: Move, frames: int) -> dict[str, str]:
    """x0..y3 options of FFmpeg's `perspective` filter (sense=source, eval=frame) for `move`.

    The filter numbers frames from 1 (`on`); the first frame shows `start`, the last `end`.
    The expressions hold no commas, so they need no escaping inside a filtergraph.
    """
    a, b = move.start, move.end
    span = max(1, frames - 1)
    e = f"(0.5-0.5*cos(PI*(on-1)/{span}))"
    cx, cy, sway = _lerp(a.cx, b.cx, e), _lerp(a.cy, b.cy, e), _lerp(a.sway, b.sway, e)
    # Half the window's size, 0.5/zoom, shrinking geometrically: (0.5/z0) * exp(-ln(z1/z0) * e).
    half = f"({_num(0.5 / a.zoom)}*exp({_num(-math.log(b.zoom / a.zoom))}*{e}))"
    left, right = f"({half}*(1+{sway}))", f"({half}*(1-{sway}))"
    xl, xr = f"W*({cx}-{half})", f"W*({cx}+{half})"
    return {
        "x0": xl,
        "y0": f"H*({cy}-{left})",
        "x1": xr,
        "y1": f"H*({cy}-{right})",
        "x2": xl,
        "y2": f"H*({cy}+{left})",
        "x3": xr,
        "y3": f"H*({cy}+{right})",
    }
