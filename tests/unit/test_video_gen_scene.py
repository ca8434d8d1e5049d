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


def test_scene_words_select_the_setting() -> None:
    assert read_scene("on a marble counter").setting == "marble"
    assert read_scene("on a wooden table in a cafe").setting == "wood"
    assert read_scene("a city street at night").setting == "concrete"
    assert read_scene("Studio shot, seamless backdrop").setting == "studio"
    # "sand" selects both the beach and the dust particles.
    assert read_scene("on the sand at the beach") == SceneLook("dust", None, "beach")
    # The earliest named setting wins.
    assert read_scene("a wooden desk in a marble bathroom").setting == "wood"
    assert read_scene("a marble bathroom with a wooden desk").setting == "marble"
    # None named (and "table" alone is the plain product shot, not a setting).
    assert read_scene("on a white table").setting is None
    assert read_scene("knotty woodpecker, concretely").plain
