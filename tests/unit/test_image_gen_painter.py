"""Part geometry helpers of the offline renderer's painter."""

from __future__ import annotations

from services.image_gen.render.painter import Part
from services.image_gen.render.shapes import move


def test_map_points_moves_fill_and_strokes_but_leaves_cut_and_the_original() -> None:
    part = Part(
        [[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]],
        (0.2, 0.3, 0.4),
        "leather",
        bulge=12,
        cut=[[(2.0, 2.0), (4.0, 2.0), (4.0, 4.0)]],
        strokes=[([(0.0, 5.0), (10.0, 5.0)], 3.5)],
        cast=0.1,
    )
    moved = part.map_points(lambda poly: move(poly, 1, -2))

    assert moved.fill == [[(1.0, -2.0), (11.0, -2.0), (11.0, 8.0)]]
    assert moved.strokes == [([(1.0, 3.0), (11.0, 3.0)], 3.5)]
    assert moved.cut == part.cut
    assert (moved.color, moved.material, moved.bulge, moved.cast) == ((0.2, 0.3, 0.4), "leather", 12, 0.1)
    # A new part: the one it was made from is unchanged.
    assert moved is not part
    assert part.fill == [[(0.0, 0.0), (10.0, 0.0), (10.0, 10.0)]]
    assert part.strokes == [([(0.0, 5.0), (10.0, 5.0)], 3.5)]
