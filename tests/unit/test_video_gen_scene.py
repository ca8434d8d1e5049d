"""The offline video engine reads the scene text: whole words pick the element and the grade."""

from __future__ import annotations

from services.video_gen.scene import SceneLook, read_scene


def test_scene_words_select_the_look() -> None:
    assert read_scene("floating with water droplets") == SceneLook("droplets", None)
    assert read_scene("Snow at SUNSET") == SceneLook("snow", "golden")
    assert read_scene("dusty desert road, neon signs") == SceneLook("dust", "neon")
    assert read_scene("glitter and confetti, cool morning light") == SceneLook("sparkles", "cool")
    # Whole words only: "watermelon" is not water, "knight" is not night.
    assert read_scene("a watermelon-pink knight figure on a table").plain
    assert read_scene("").plain
