"""The whole ad as ONE FFmpeg command: inputs, one filtergraph, one encode per output.

Each clip is decoded once. Per *chain* (a format and a card tone): every clip is normalised (scale
first at its own frame rate, then fps=30, setsar=1, yuv420p, cut to whole frames), the cards loop a
single decoded still, and segments are joined by xfade (or concat for hard cuts). Only the joined
picture is split between the chain's outputs (variants differing in texts or music), so a variant
adds its text overlays and an encode, never a second clip chain with its own cross-fade buffers.
No user string is ever part of the graph: each text is drawn beforehand (shaped, with its fallback
fonts) into a PNG, decoded once, repeated in memory over its window and laid on with `overlay`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from adreel.v1 import common_pb2
from services.compositor.layout import Format
from services.compositor.timeline import FPS, Timeline, Window


def quote(value: str) -> str:
    """A filter option value safe at both escaping levels of FFmpeg's filtergraph syntax.

    Level 1 (option parser): backslash-escape \\ ' and :. Level 2 (graph parser): wrap in single
    quotes, so , ; [ ] are literal; a quote inside is closed, escaped and reopened.
    """
    level1 = re.sub(r"([\\':])", r"\\\1", value)
    return "'" + level1.replace("'", "'\\''") + "'"


@dataclass(frozen=True)
class StillMove:
    """A still played as the clip it will become: `frames` long, `width`x`height`, camera moving."""

    movement: int  # common_pb2.CameraMovement
    intensity: float
    frames: int
    width: int
    height: int


@dataclass(frozen=True)
class ClipInput:
    path: Path
    width: int
    height: int
    # Set when the input is a still image (a preview before clips exist).
    still: StillMove | None = None


@dataclass(frozen=True)
class TextItem:
    """A text drawn into an RGBA PNG (even size), placed at (x, y) during `window`."""

    image: Path
    x: int
    y: int
    window: Window


@dataclass(frozen=True)
class CaptionLayer:
    """Word-timed captions: an ffconcat list of same-size RGBA images, laid on at (x, y)."""

    concat: Path
    x: int
    y: int


@dataclass(frozen=True)
class OutputPlan:
    texts: tuple[TextItem, ...]
    music: int | None  # index into RenderPlan.music; None = silent
    out: Path
    captions: CaptionLayer | None = None


@dataclass(frozen=True)
class ChainPlan:
    """One clip chain (format + card backgrounds), shared by every output drawn on top of it."""

    fmt: Format
    intro_card: Path
    outro_card: Path
    outputs: tuple[OutputPlan, ...]


@dataclass(frozen=True)
class Encoder:
    preset: str = "veryfast"
    crf: int = 21
    maxrate_kbps: int = 7000
    audio_kbps: int = 128


@dataclass(frozen=True)
class RenderPlan:
    clips: tuple[ClipInput, ...]
    timeline: Timeline
    chains: tuple[ChainPlan, ...]
    # One fitted track per distinct music spec, shared by the outputs that use it.
    music: tuple[Path, ...]
    encoder: Encoder


# Ken Burns moves as zoompan terms: zoom >= 1 and where the window sits (0-1 of the free room on
# each axis), from the eased progress `e`. The camera samples a canvas 1.25x the clip, so zoom 1
# already leaves room to move, as the video generator's camera does.
_ZOOM, _PAN, _TRACK_PUSH, _ORBIT_PUSH = 0.30, 0.16, 0.22, 0.06


def _camera_terms(movement: int, i: float, e: str) -> tuple[str, str, str]:
    M = common_pb2.CameraMovement
    hold = 1 / (1 - _PAN * i)  # the zoom that leaves a pan its travel
    match movement:
        case M.CAMERA_MOVEMENT_UNSPECIFIED:  # no plan yet: a gentle push in
            return f"1+0.1*{e}", "0.5", "0.5"
        case M.CAMERA_MOVEMENT_ZOOM_IN:
            return f"1+{_ZOOM * i:.4f}*{e}", "0.5", "0.5"
        case M.CAMERA_MOVEMENT_ZOOM_OUT:
            return f"1+{_ZOOM * i:.4f}*(1-{e})", "0.5", "0.5"
        case M.CAMERA_MOVEMENT_PAN_RIGHT:
            return f"{hold:.4f}", e, "0.5"
        case M.CAMERA_MOVEMENT_PAN_LEFT:
            return f"{hold:.4f}", f"(1-{e})", "0.5"
        case M.CAMERA_MOVEMENT_TILT_DOWN:
            return f"{hold:.4f}", "0.5", e
        case M.CAMERA_MOVEMENT_TILT_UP:
            return f"{hold:.4f}", "0.5", f"(1-{e})"
        case M.CAMERA_MOVEMENT_TRACKING | M.CAMERA_MOVEMENT_ORBIT:
            push = _TRACK_PUSH if movement == M.CAMERA_MOVEMENT_TRACKING else _ORBIT_PUSH
            return f"{hold:.4f}*(1+{push * i:.4f}*{e})", e, "0.5"
        case _:  # static
            return "1", "0.5", "0.5"


def _camera(move: StillMove) -> str:
    """Filters turning one decoded still into `move.frames` frames of a camera move over it."""
    cw, ch = move.width * 5 // 8 * 2, move.height * 5 // 8 * 2  # 1.25x, even
    e = f"(0.5-0.5*cos(PI*min(1,on/{max(1, move.frames - 1)})))"  # eased: starts and ends at rest
    z, px, py = _camera_terms(move.movement, move.intensity, e)
    return (
        f"scale={cw}:{ch}:force_original_aspect_ratio=increase,crop={cw}:{ch},setsar=1,format=yuv420p,"
        f"loop=loop={move.frames - 1}:size=1:start=0,setpts=N/{FPS}/TB,"
        f"zoompan=z={quote(z)}:x={quote(f'(iw-iw/zoom)*{px}')}:y={quote(f'(ih-ih/zoom)*{py}')}"
        f":d=1:s={move.width}x{move.height}:fps={FPS},"
    )


def _fit(fmt: Format, clip: ClipInput, label_in: str, label_out: str, tag: str) -> list[str]:
    w, h = fmt.width, fmt.height
    if fmt.fills_by_crop(clip.width, clip.height):
        return [
            f"[{label_in}]scale={w}:{h}:force_original_aspect_ratio=increase:flags=bicubic,"
            f"crop={w}:{h}[{label_out}]"
        ]
    # Fit the whole clip over a blurred, darkened cover-fill of itself (blurred at 1/8 size).
    bw, bh = w // 8, h // 8
    return [
        f"[{label_in}]split[{tag}a][{tag}b]",
        f"[{tag}a]scale={bw}:{bh}:force_original_aspect_ratio=increase,crop={bw}:{bh},"
        f"boxblur=8:2,eq=brightness=-0.12,scale={w}:{h}[{tag}bg]",
        f"[{tag}b]scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2:flags=bicubic[{tag}fg]",
        f"[{tag}bg][{tag}fg]overlay=(W-w)/2:(H-h)/2:shortest=1[{label_out}]",
    ]


def _text_layer(item: TextItem, index: int, label: str) -> str:
    """The text's PNG (input `index`) as a stream over its window: one decoded frame repeated in
    memory, starting at the window's start, fading in and out through its alpha."""
    w = item.window
    n = max(1, math.ceil((w.end - w.start) * FPS))
    chain = f"[{index}:v]format=yuva420p,loop=loop={n - 1}:size=1:start=0,setpts=N/{FPS}/TB+{w.start:.4f}/TB"
    if w.fade_in > 0:
        chain += f",fade=t=in:st={w.start:.4f}:d={w.fade_in:.4f}:alpha=1"
    if w.fade_out > 0:
        chain += f",fade=t=out:st={w.end - w.fade_out:.4f}:d={w.fade_out:.4f}:alpha=1"
    return f"{chain}[{label}]"


def _spliced_crossfades(segs: list[str], seg_frames: tuple[int, ...], t: int, out: str) -> list[str]:
    """Cut every segment into head | body | tail and cross-fade only tail+head pairs, then concat.

    xfade copies every frame that passes through it, so a chain of N xfades over the whole
    timeline costs N full-frame copies per frame; here each xfade sees only 2 x `t` frames.
    """
    graph, pieces = [], []
    last = len(segs) - 1
    for k, (seg, n) in enumerate(zip(segs, seg_frames, strict=True)):
        parts = {"b": (t if k > 0 else 0, n - t if k < last else n)}
        if k > 0:
            parts["h"] = (0, t)
        if k < last:
            parts["t"] = (n - t, n)
        graph.append(f"[{seg}]split={len(parts)}" + "".join(f"[{seg}{p}]" for p in parts))
        for p, (a, b) in parts.items():
            graph.append(f"[{seg}{p}]trim=start_frame={a}:end_frame={b},setpts=PTS-STARTPTS[{seg}{p}x]")
        if k > 0:
            prev = segs[k - 1]
            graph.append(
                f"[{prev}tx][{seg}hx]xfade=transition=fade:duration={t / FPS:.4f}:offset=0[{seg}fade]"
            )
            pieces.append(f"{seg}fade")
        pieces.append(f"{seg}bx")
    graph.append("".join(f"[{p}]" for p in pieces) + f"concat=n={len(pieces)}:v=1:a=0[{out}]")
    return graph


def _chained_crossfades(segs: list[str], tl: Timeline, out: str) -> list[str]:
    """Cross-fades on the running timeline: needed when a clip is too short to have a body
    between its two transitions (they overlap)."""
    graph, prev = [], segs[0]
    for k in range(1, len(segs)):
        label = out if k == len(segs) - 1 else f"{segs[0]}x{k}"
        graph.append(
            f"[{prev}][{segs[k]}]xfade=transition=fade:duration={tl.transition:.4f}:"
            f"offset={tl.starts[k]:.4f}[{label}]"
        )
        prev = label
    return graph


def build_args(plan: RenderPlan) -> list[str]:
    """The FFmpeg arguments (after `ffmpeg -y`) that render every output in one run."""
    tl = plan.timeline
    # FFmpeg's progress report (frames written) every 0.25 s: the final render's progress bar.
    args: list[str] = ["-stats_period", "0.25"]
    for clip in plan.clips:
        args += ["-i", str(clip.path)]
    card_inputs: list[tuple[int, int]] = []
    for chain in plan.chains:
        base = len(plan.clips) + 2 * len(card_inputs)
        for card in (chain.intro_card, chain.outro_card):
            args += ["-framerate", str(FPS), "-i", str(card)]
        card_inputs.append((base, base + 1))
    music_base = len(plan.clips) + 2 * len(plan.chains)
    for track in plan.music:
        args += ["-i", str(track)]
    # Each text's PNG, one input per use (a single frame: decoded once).
    text_inputs: dict[tuple[int, int, int], int] = {}
    for f, chain in enumerate(plan.chains):
        for o, out in enumerate(chain.outputs):
            for k, item in enumerate(out.texts):
                text_inputs[f, o, k] = music_base + len(plan.music) + len(text_inputs)
                args += ["-i", str(item.image)]
    # Each output's caption stream (after every text input, so their indices stay as they were).
    caption_inputs: dict[tuple[int, int], int] = {}
    next_input = music_base + len(plan.music) + len(text_inputs)
    for f, chain in enumerate(plan.chains):
        for o, out in enumerate(chain.outputs):
            if out.captions is not None:
                caption_inputs[f, o] = next_input + len(caption_inputs)
                args += ["-f", "concat", "-safe", "0", "-i", str(out.captions.concat)]

    graph: list[str] = []
    nc = len(plan.chains)
    for i, clip in enumerate(plan.clips):
        src = f"[{i}:v]" + (_camera(clip.still) if clip.still else "")
        if nc > 1:
            graph.append(f"{src}setpts=PTS-STARTPTS,split={nc}" + "".join(f"[c{i}f{f}]" for f in range(nc)))
        else:
            graph.append(f"{src}setpts=PTS-STARTPTS[c{i}f0]")
    seg_frames = tl.segment_frames
    for f, chain in enumerate(plan.chains):
        segs = [f"s{f}_{k}" for k in range(len(seg_frames))]
        intro, outro = card_inputs[f]
        for card, n, label in ((intro, seg_frames[0], segs[0]), (outro, seg_frames[-1], segs[-1])):
            # One decoded still, repeated: the card costs a single PNG decode.
            graph.append(
                f"[{card}:v]format=yuv420p,loop=loop={n - 1}:size=1:start=0,"
                f"setpts=N/{FPS}/TB,setsar=1[{label}]"
            )
        for i, clip in enumerate(plan.clips):
            graph += _fit(chain.fmt, clip, f"c{i}f{f}", f"n{i}f{f}", f"b{i}f{f}")
            graph.append(
                f"[n{i}f{f}]setsar=1,format=yuv420p,fps={FPS},"
                f"tpad=stop_mode=clone:stop_duration=2,trim=end_frame={seg_frames[i + 1]},"
                f"setpts=PTS-STARTPTS[{segs[i + 1]}]"
            )
        if tl.transition_frames == 0:
            graph.append("".join(f"[{s}]" for s in segs) + f"concat=n={len(segs)}:v=1:a=0[j{f}]")
        elif all(n > 2 * tl.transition_frames for n in seg_frames[1:-1]):
            graph += _spliced_crossfades(segs, seg_frames, tl.transition_frames, f"j{f}")
        else:
            graph += _chained_crossfades(segs, tl, f"j{f}")
        # The split comes after the join: every variant of this chain shares its frames.
        no = len(chain.outputs)
        heads = [f"j{f}"] if no == 1 else [f"j{f}o{o}" for o in range(no)]
        if no > 1:
            graph.append(f"[j{f}]split={no}" + "".join(f"[{h}]" for h in heads))
        for o, (head, out) in enumerate(zip(heads, chain.outputs, strict=True)):
            below = head
            for k, item in enumerate(out.texts):
                layer, above = f"t{f}o{o}k{k}", f"v{f}o{o}" if k == len(out.texts) - 1 else f"u{f}o{o}k{k}"
                graph.append(_text_layer(item, text_inputs[f, o, k], layer))
                # Nothing is drawn before the layer's first frame; after its last (eof_action=pass).
                graph.append(f"[{below}][{layer}]overlay=x={item.x}:y={item.y}:eof_action=pass[{above}]")
                below = above
            if not out.texts:
                graph.append(f"[{head}]null[v{f}o{o}]")
            if out.captions is not None:
                cap = out.captions
                graph[-1] = graph[-1].rsplit("[", 1)[0] + f"[w{f}o{o}]"
                graph.append(f"[{caption_inputs[f, o]}:v]format=yuva420p,setpts=PTS-STARTPTS[cap{f}o{o}]")
                graph.append(f"[w{f}o{o}][cap{f}o{o}]overlay=x={cap.x}:y={cap.y}:eof_action=pass[v{f}o{o}]")

    args += ["-filter_complex", ";".join(graph)]
    enc = plan.encoder
    for f, chain in enumerate(plan.chains):
        for o, out in enumerate(chain.outputs):
            args += ["-map", f"[v{f}o{o}]"]
            args += [
                "-c:v", "libx264", "-preset", enc.preset, "-crf", str(enc.crf),
                "-maxrate", f"{enc.maxrate_kbps}k", "-bufsize", f"{enc.maxrate_kbps}k",
                "-pix_fmt", "yuv420p", "-profile:v", "high", "-r", str(FPS),
                "-frames:v", str(tl.total_frames),
            ]  # fmt: skip
            if out.music is not None:
                args += ["-map", f"{music_base + out.music}:a", "-c:a", "aac", "-b:a", f"{enc.audio_kbps}k"]
                args += ["-ar", "48000"]
            else:
                args += ["-an"]
            args += ["-movflags", "+faststart", "-sn", "-dn", "-map_metadata", "-1", str(out.out)]
    return args
