"""The FFmpeg argument list that renders one clip: canvas -> camera move -> light -> H.264.

The still is decoded and looped once (not re-read per frame); the camera samples a canvas 1.25x
the output size, so even the tightest zoom is not an upscale; `perspective` interpolates the
window with sub-pixel precision; `scale` brings it to 1024x576. Every value in the list is a
number computed here or a path this agent chose; nothing comes from the request text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.video_gen.camera import Move, corner_expressions
from services.video_gen.light import band_x_expression
from services.video_gen.scene import Particles, particles_y_expression

OUT_W, OUT_H = 1024, 576
FPS = 30
# The camera's source canvas: 1.25x the output, so a 1.25x zoom still maps pixel to pixel.
CANVAS_W, CANVAS_H = 1280, 720


def frame_count(duration_s: float) -> int:
    return max(2, round(duration_s * FPS))


@dataclass(frozen=True)
class Encoding:
    preset: str = "veryfast"
    crf: int = 20


def clip_args(
    canvas: Path,
    band: Path | None,
    out: Path,
    *,
    move: Move,
    duration_s: float,
    encoding: Encoding,
    particles: tuple[Particles, Path] | None = None,
) -> list[str]:
    frames = frame_count(duration_s)
    # Repeat the one decoded still `frames` times at exactly FPS (pts = frame number).
    hold = f"loop=loop={frames - 1}:size=1,settb=1/{FPS},setpts=N"
    corners = ":".join(f"{k}={v}" for k, v in corner_expressions(move, frames).items())
    camera = (
        f"[0:v]format=yuv420p,{hold},"
        f"perspective={corners}:interpolation=linear:sense=source:eval=frame,"
        f"scale={OUT_W}:{OUT_H}:flags=bicubic,setsar=1"
    )
    inputs = ["-framerate", str(FPS), "-i", str(canvas)]
    if band is None:
        graph = f"{camera},format=yuv420p[v]"
    else:
        inputs += ["-framerate", str(FPS), "-i", str(band)]
        sweep = f"overlay=x={band_x_expression(OUT_W, duration_s)}:y=0:format=yuv420"
        graph = f"{camera}[cam];[1:v]format=yuva420p,{hold}[band];[cam][band]{sweep},format=yuv420p[v]"
    if particles is not None:
        # The layer slides over the finished picture (it is weather in front of the lens, so the
        # camera move does not carry it); the graph above is left as it was and only relabelled.
        kind, layer = particles
        index = len(inputs) // 4
        inputs += ["-framerate", str(FPS), "-i", str(layer)]
        slide = f"overlay=x=0:y={particles_y_expression(kind, OUT_H)}:format=yuv420"
        graph = (
            f"{graph.removesuffix('[v]')}[pic];[{index}:v]format=yuva420p,{hold}[fx];"
            f"[pic][fx]{slide},format=yuv420p[v]"
        )
    return [
        # Progress lines often enough that a 1 s encode still reports its way through.
        "-stats_period",
        "0.2",
        *inputs,
        "-filter_complex",
        graph,
        "-map",
        "[v]",
        "-frames:v",
        str(frames),
        "-r",
        str(FPS),
        "-an",
        "-c:v",
        "libx264",
        "-preset",
        encoding.preset,
        "-crf",
        str(encoding.crf),
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        # No encoder/version strings or timestamps: the same request gives the same bytes.
        "-fflags",
        "+bitexact",
        "-flags:v",
        "+bitexact",
        "-map_metadata",
        "-1",
        str(out),
    ]
