"""Scene elements the shot plan turns on: a backdrop, particles and a light grade, read from the
scene prompt.

The offline engine cannot follow a prompt the way a diffusion model does, so it reads a few
words and renders what they name: a setting (services/video_gen/backdrops.py: the still as a
framed card over a drawn marble, wood, concrete, beach or studio backdrop), a light grade baked
into the canvas after it (numpy, before the camera move) and a particle layer FFmpeg slides over
the moving picture. The text only selects among
fixed looks; no word of it reaches FFmpeg. A scene naming none of them renders exactly as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from services.video_gen.backdrops import Setting

Particles = Literal["droplets", "dust", "sparkles", "snow"]
Grade = Literal["golden", "neon", "cool"]
K = TypeVar("K", bound=str)

# Whole words (and a plural or -y ending) that select each look.
_PARTICLE_WORDS: dict[Particles, str] = {
    "droplets": r"droplets?|water|rain(?:y|drops?)?|splash(?:es|ing)?|dew|wet|spray",
    "dust": r"dust(?:y)?|motes?|sand(?:y)?|desert",
    "sparkles": r"sparkl(?:e|es|ing|y)|glitter(?:y|ing)?|shimmer(?:ing)?|confetti",
    "snow": r"snow(?:y|fall|flakes?)?|winter|frost(?:y)?",
}
_GRADE_WORDS: dict[Grade, str] = {
    "golden": r"golden[- ]hour|sunset|sunrise|dusk|warm glow",
    "neon": r"neon|night(?:time)?|cyberpunk|rim[- ]light",
    "cool": r"morning|mist(?:y)?|fog(?:gy)?|dawn|overcast",
}

# "table" alone is not a setting: "on a white table" is the plain product shot.
_SETTING_WORDS: dict[Setting, str] = {
    "marble": r"marble|bathroom|counter(?:top)?s?|spa",
    "wood": r"wood(?:en)?|desks?|cafe|café|kitchen",
    "concrete": r"concrete|streets?|urban|city|loft",
    "beach": r"beach(?:es)?|sand(?:y)?|seaside|shore",
    "studio": r"studio|seamless|backdrop",
}


@dataclass(frozen=True)
class SceneLook:
    particles: Particles | None = None
    grade: Grade | None = None
    setting: Setting | None = None

    @property
    def plain(self) -> bool:
        return self.particles is None and self.grade is None and self.setting is None


def _earliest(text: str, table: dict[K, str]) -> K | None:
    """The look whose word comes first in the text ("snow at sunset": snow, golden)."""
    best: tuple[int, K] | None = None
    for kind, words in table.items():
        m = re.search(rf"\b(?:{words})\b", text)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind)
    return best[1] if best else None


def read_scene(text: str) -> SceneLook:
    lowered = text.lower()
    return SceneLook(
        _earliest(lowered, _PARTICLE_WORDS),
        _earliest(lowered, _GRADE_WORDS),
        _earliest(lowered, _SETTING_WORDS),
    )


# ---------------------------------------------------------------- light grades (numpy, on the canvas)


def grade_canvas(path: Path, grade: Grade) -> None:
    """Rewrite the canvas PNG with the grade applied (float maths, one pass, clipped to 8 bits)."""
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0
    h, w = rgb.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if grade == "golden":
        # Warm the whites, cool nothing; a low sun glowing from the top-left corner.
        out = rgb * np.array([1.10, 1.00, 0.74], np.float32) + np.array([0.05, 0.02, 0.0], np.float32)
        sun = np.exp(-(((xx / w) ** 2 + (yy / h) ** 2) / 0.35))[..., None]
        out = out + sun * np.array([0.22, 0.12, 0.0], np.float32)
    elif grade == "cool":
        # Blue-shifted and lifted towards a pale mist: morning air, lower contrast.
        out = rgb * np.array([0.86, 0.96, 1.08], np.float32) + np.array([0.0, 0.01, 0.05], np.float32)
        out = out * 0.82 + np.array([0.70, 0.78, 0.88], np.float32) * 0.18
    else:  # neon: a dark night with magenta (left) to cyan (right) light on the edges
        out = rgb * np.array([0.45, 0.45, 0.58], np.float32)
        lum = Image.fromarray(np.round(rgb.mean(axis=2) * 255).astype(np.uint8), "L")
        edges = np.asarray(lum.filter(ImageFilter.FIND_EDGES).filter(ImageFilter.GaussianBlur(6)), np.float32)
        rim = np.clip(edges / max(float(edges.max()), 1.0) * 2.5, 0.0, 1.0)[..., None]
        across = (xx / w)[..., None]
        tint = (1 - across) * np.array([1.0, 0.15, 0.85], np.float32) + across * np.array(
            [0.1, 0.9, 1.0], np.float32
        )
        out = out + rim * tint * 0.9
    Image.fromarray(np.round(np.clip(out, 0.0, 1.0) * 255).astype(np.uint8), "RGB").save(
        path, compress_level=1
    )


# ---------------------------------------------------------------- particles (an RGBA layer FFmpeg slides)

# Per kind: count per tile, pixels a second the layer moves (+ falls, - rises), peak opacity.
_MOTION: dict[Particles, tuple[int, float, float]] = {
    "droplets": (110, 520.0, 0.70),
    "dust": (260, -40.0, 0.55),
    "sparkles": (70, -60.0, 0.95),
    "snow": (170, 110.0, 0.90),
}


def particle_speed(kind: Particles) -> float:
    return _MOTION[kind][1]


def write_particles(path: Path, kind: Particles, width: int, height: int, seed: int) -> None:
    """A (width x 2*height) RGBA layer whose bottom half repeats its top half, so sliding it by
    `height` and wrapping is seamless (particles crossing the seam are drawn on both sides)."""
    count, _, peak = _MOTION[kind]
    rng = np.random.default_rng([seed, len(kind)])
    tall = 2 * height
    alpha = Image.new("L", (width, tall), 0)
    colour = Image.new("RGB", (width, tall), (255, 255, 255))
    da, dc = ImageDraw.Draw(alpha), ImageDraw.Draw(colour)
    for _ in range(count):
        x, y0 = float(rng.uniform(0, width)), float(rng.uniform(0, height))
        a = int(255 * peak * rng.uniform(0.5, 1.0))
        for y in (y0 - height, y0, y0 + height, y0 + 2 * height):
            if kind == "droplets":
                r, length = rng.uniform(1.0, 2.2), rng.uniform(12, 26)
                box = (x - r, y - length / 2, x + r, y + length / 2)
                da.ellipse(box, fill=a)
                dc.ellipse(box, fill=(205, 228, 255))
            elif kind == "dust":
                r = rng.uniform(0.8, 2.6)
                da.ellipse((x - r, y - r, x + r, y + r), fill=a)
                dc.ellipse((x - r, y - r, x + r, y + r), fill=(236, 214, 170))
            elif kind == "snow":
                r = rng.uniform(2.0, 5.0)
                da.ellipse((x - r, y - r, x + r, y + r), fill=a)
            else:  # sparkles: a four-point glint with a bright core
                arm, gold = rng.uniform(5, 12), (255, 226, 140) if rng.random() < 0.6 else (255, 255, 255)
                for box in ((x - arm, y - 1, x + arm, y + 1), (x - 1, y - arm, x + 1, y + arm)):
                    da.rectangle(box, fill=a)
                    dc.rectangle(box, fill=gold)
                da.ellipse((x - 2.5, y - 2.5, x + 2.5, y + 2.5), fill=255)
    # Soft edges: flakes and dust are out of focus, glints and droplets only slightly.
    blur = {"snow": 1.6, "dust": 1.2, "droplets": 0.6, "sparkles": 0.7}[kind]
    alpha = alpha.filter(ImageFilter.GaussianBlur(blur))
    layer = colour.convert("RGBA")
    layer.putalpha(alpha)
    layer.save(path, compress_level=1)


def particles_y_expression(kind: Particles, height: int) -> str:
    """Overlay y of the 2*height layer: slides by `height` and wraps, falling (+) or rising (-).
    mod() written with floor() so the expression holds no comma for the filtergraph parser."""
    speed = abs(particle_speed(kind))
    wrapped = f"({speed:.1f}*t-{height}*floor({speed:.1f}*t/{height}))"
    return f"(-{height}+{wrapped})" if particle_speed(kind) > 0 else f"(-{wrapped})"
