"""The offline engine: FFmpeg camera moves over the still, deterministic for a given seed.

The scene prompt picks the scene elements (services/video_gen/scene.py): a backdrop the still is
framed over and a light grade, both baked into the canvas, and a particle layer over the moving
picture.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from services.common.costs import Stopwatch, local_cost
from services.common.ffmpeg import run_ffmpeg
from services.video_gen.backdrops import frame_on_backdrop
from services.video_gen.camera import Move, View, plan_move
from services.video_gen.clip_command import CANVAS_H, CANVAS_W, OUT_H, OUT_W, Encoding, clip_args
from services.video_gen.config import Settings
from services.video_gen.light import write_band
from services.video_gen.providers import ClipRequest, RenderedClip
from services.video_gen.scene import Particles, grade_canvas, read_scene, write_particles
from services.video_gen.source_image import cover_crop

MODEL = "local/ffmpeg-camera"
# Share of an item's progress spent before FFmpeg starts (cropping the still).
_PREPARE_SHARE = 0.1


class LocalProvider:
    name = "local"
    default_model = MODEL

    def __init__(self, settings: Settings) -> None:
        self.encoding = Encoding(settings.x264_preset, settings.x264_crf)
        self.light_sweep = settings.light_sweep
        self.timeout_s = settings.ffmpeg_timeout_s

    async def warmup(self) -> None:
        """Render a tiny clip through the same filters and encoder: proves FFmpeg has them all."""
        with tempfile.TemporaryDirectory(prefix="adreel-vg-warmup-") as tmp:
            canvas = Path(tmp) / "canvas.png"
            await asyncio.to_thread(_write_grey, canvas)
            move = Move(View(), View(zoom=1.1, sway=0.05))
            await run_ffmpeg(
                clip_args(
                    canvas, None, Path(tmp) / "warmup.mp4", move=move, duration_s=0.1, encoding=self.encoding
                ),
                timeout_s=30,
            )

    def check_model(self, model: str) -> None:
        """Any model will do: one not offered offline is rendered with the camera engine, saying so."""

    async def render(
        self, request: ClipRequest, dest: Path, on_progress: Callable[[float], None]
    ) -> RenderedClip:
        fallback = ""
        if request.model not in ("", MODEL):
            fallback = f"model {request.model!r} is not offered offline; rendered with {MODEL}"
        started = time.perf_counter()
        with Stopwatch() as sw, tempfile.TemporaryDirectory(prefix="adreel-clip-") as tmp:
            canvas = Path(tmp) / "canvas.png"
            await asyncio.to_thread(cover_crop, request.source, canvas, (CANVAS_W, CANVAS_H))
            look = read_scene(request.scene_prompt)
            if look.setting is not None:
                await asyncio.to_thread(frame_on_backdrop, canvas, look.setting, request.seed)
            if look.grade is not None:
                await asyncio.to_thread(grade_canvas, canvas, look.grade)
            particles: tuple[Particles, Path] | None = None
            if look.particles is not None:
                layer = Path(tmp) / "particles.png"
                await asyncio.to_thread(write_particles, layer, look.particles, OUT_W, OUT_H, request.seed)
                particles = (look.particles, layer)
            band = None
            if self.light_sweep:
                band = Path(tmp) / "sweep.png"
                await asyncio.to_thread(write_band, band, OUT_H, request.seed)
            on_progress(_PREPARE_SHARE)
            # Preparing runs in one thread, so its wall time is its CPU time; FFmpeg reports its own.
            prepare_cpu_s = time.perf_counter() - started
            move = plan_move(request.movement, request.motion_intensity, request.seed)
            run = await run_ffmpeg(
                clip_args(
                    canvas,
                    band,
                    dest,
                    move=move,
                    duration_s=request.duration_s,
                    encoding=self.encoding,
                    particles=particles,
                ),
                expected_s=request.duration_s,
                on_progress=lambda f: on_progress(_PREPARE_SHARE + (1 - _PREPARE_SHARE) * f),
                timeout_s=self.timeout_s,
            )
        return RenderedClip(local_cost(MODEL, prepare_cpu_s + run.cpu_s, sw.wall_s), fallback)

    async def close(self) -> None:
        return None


def _write_grey(path: Path) -> None:
    from PIL import Image

    Image.new("RGB", (64, 36), (128, 128, 128)).save(path)
