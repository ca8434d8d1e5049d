"""Compositor benchmark: a 10 s 1080p30 ad vs a bare libx264 encode of 10 s 1080p30.

    .venv/bin/python -m bench.compose [--repeat N] [--preset P]

The ad: 4 clips of 1024x576 (30 fps, 2.5 s each), 1.0 s intro card, 1.5 s outro card, 0.5 s
cross-fades, product name + CTA overlays, synthesised music, rendered through the compositor's own
code path (probe, music, cards, one FFmpeg run, storage).

Two bare encodes with the same encoder settings (decode + libx264 only):
- "same pixels": the finished ad re-encoded, so the ratio is the cost of composing itself
  (filters, cards, music, storage) and not of what the picture happens to contain;
- "testsrc2": a 10 s 1080p30 test pattern, for a content-independent reference.
Each run happens in a fresh process, so ru_maxrss of its children is that run's FFmpeg peak.
Goal: compose / bare <= 1.3.

Second section, variants: the same ad as three finals (16:9 as above; 9:16 with another CTA;
1:1 with another CTA and chill music) made by ONE Compose call with three variants, against three
separate Compose calls making the same three files. Goal: the one call costs less CPU and wall.

Third section, scripts: the same ad with its name and CTA in Arabic + Japanese + colour emoji (shaped,
right to left, three fallback fonts) against the Latin-only ad. Every text is drawn once into an
image, so the goal is scripts / Latin <= 1.05.

Fourth section, voice: the same ad with a voiceover and highlighted word captions against none
(goal <= 1.15), as first renders (the session's kept audio cleared before each), then as
re-renders (the voice and music kept from the render before, as after fixing the CTA).
Fifth, api (bench/compose_api.py): the whole mesh, composing through the gateway and the agent as
a user does, without and with voice + captions, each against a bare re-encode of its own final
(goal <= 1.3), and voice + captions against none on that path (goal <= 1.15).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from bench.compose_api import api_section
from bench.phases import phase_parser, run_phase
from services.common.ffmpeg import ffmpeg_exe, run_ffmpeg
from services.common.storage import LocalStore
from services.compositor import piper_process
from services.compositor.config import Settings
from services.compositor.fonts import check_fonts
from services.compositor.providers import make_provider
from services.compositor.render import SAVE_MSG, STITCH_MSG, Composer
from services.compositor.validation import parse_request

CLIPS, CLIP_S, INTRO_S, OUTRO_S, TRANSITION_S = 4, 2.5, 1.0, 1.5, 0.5
AD_S = INTRO_S + CLIPS * CLIP_S + OUTRO_S - (CLIPS + 1) * TRANSITION_S  # 10.0


def _make_inputs(work: Path) -> None:
    store = work / "storage"
    for i in range(CLIPS):
        dest = store / f"sessions/bench/clips/c{i}.mp4"
        dest.parent.mkdir(parents=True, exist_ok=True)
        src = f"testsrc2=s=1024x576:r=30:d={CLIP_S},hue=h={i * 70}"
        _ffmpeg(
            ["-f", "lavfi", "-i", src, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", str(dest)]
        )
    src = f"testsrc2=s=1920x1080:r=30:d={AD_S}"
    _ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            src,
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-crf",
            "16",
            str(work / "bare.mp4"),
        ]
    )


def _ffmpeg(args: list[str]) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def _children_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _piper_cpu_s() -> float:
    """CPU seconds the running Piper process has used (Linux /proc; 0 elsewhere)."""
    total = 0.0
    for process in piper_process._warm:
        if process.proc is not None and process.proc.poll() is None:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{process.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _request(**over: object) -> pb.ComposeRequest:
    fields: dict[str, object] = {
        "session_id": "bench",
        "item_id": f"ad-{time.monotonic_ns()}",
        "clips": [common_pb2.AssetRef(uri=f"asset://sessions/bench/clips/c{i}.mp4") for i in range(CLIPS)],
        "intro_s": INTRO_S,
        "outro_s": OUTRO_S,
        "overlay": pb.TextOverlay(
            product_name="Aurora Runner", cta="Shop now", font="inter", color="#ffcc00"
        ),
        "music": pb.Music(enabled=True, genre=pb.MUSIC_GENRE_UPBEAT),
        "transition_s": TRANSITION_S,
    }
    return pb.ComposeRequest(**(fields | over))  # type: ignore[arg-type]


# The three finals of the variants section: (format, CTA, music genre).
VARIANTS = (
    (pb.OUTPUT_FORMAT_LANDSCAPE_16_9, "Shop now", pb.MUSIC_GENRE_UPBEAT),
    (pb.OUTPUT_FORMAT_PORTRAIT_9_16, "Tap to shop", pb.MUSIC_GENRE_UPBEAT),
    (pb.OUTPUT_FORMAT_SQUARE_1_1, "Get yours", pb.MUSIC_GENRE_CHILL),
)


def _overlay(cta: str) -> pb.TextOverlay:
    return pb.TextOverlay(product_name="Aurora Runner", cta=cta, font="inter", color="#ffcc00")


async def _variants(work: Path, preset: str, one_call: bool) -> dict[str, float]:
    """Three finals: one call with three variants, or three calls of one final each."""
    settings = Settings(storage_dir=work / "storage", engine="local", x264_preset=preset)
    composer = Composer(LocalStore(settings.storage_dir), settings, make_provider(settings))
    if one_call:
        variants = [
            pb.ComposeVariant(
                variant_id=f"v{k}", format=f, overlay=_overlay(cta), music=pb.Music(enabled=True, genre=g)
            )
            for k, (f, cta, g) in enumerate(VARIANTS)
        ]
        requests = [_request(variants=variants)]
    else:
        requests = [
            _request(formats=[f], overlay=_overlay(cta), music=pb.Music(enabled=True, genre=g))
            for f, cta, g in VARIANTS
        ]
    start, cpu_start = time.perf_counter(), time.process_time()
    outputs = 0
    for req in requests:
        async with AsyncExitStack() as stack:
            spec = parse_request(req)
            clips = await composer.open_clips(spec, stack)
            result = await composer.render(spec, clips, composer.timeline(spec, clips), lambda *_: None)
            outputs += len(result.videos)
    assert outputs == len(VARIANTS)
    return {
        "wall_s": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu_start + _children_cpu_s(),
        "peak_mb": _children_peak_mb(),
        "self_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# The scripts section's texts: Arabic (right to left, joined), Japanese (CJK font) and emoji.
SCRIPTS = pb.TextOverlay(
    product_name="عطر الورد 新しい香り 🚀", cta="اشتر الآن 今すぐ 🛒", font="inter", color="#ffcc00"
)


VOICE_SCRIPT = "Meet Aurora Runner. Light, fast and made for every track you run. Feel the bounce. Shop now!"


async def _compose(
    work: Path, preset: str, overlay: pb.TextOverlay | None = None, voice: bool = False, again: bool = False
) -> dict[str, float]:
    """One compose of the bench's ad; a first render unless `again`, which keeps the session's
    audio from the render before (session_audio: a re-render neither speaks nor synthesises)."""
    settings = Settings(storage_dir=work / "storage", engine="local", x264_preset=preset)
    if not again:
        shutil.rmtree(settings.storage_dir / "sessions/bench/audio", ignore_errors=True)
    store = LocalStore(settings.storage_dir)
    composer = Composer(store, settings, make_provider(settings))
    req = _request(overlay=overlay) if overlay is not None else _request()
    if voice:  # the voiceover (Piper in its own process) and highlighted word captions
        req.voiceover.script = VOICE_SCRIPT
        req.captions = pb.CAPTION_STYLE_HIGHLIGHT
    check_fonts()  # as the agent's warm-up does: every font's coverage is read once, at start
    if voice:  # and as it starts the offline voice, whose CPU is counted from here on
        await piper_process.speak_lines(["Ready."], 1.0, 60.0)
    piper_start = _piper_cpu_s()
    marks: dict[str, float] = {}

    def report(_: float, message: str, eta_s: float | None = None) -> None:
        marks.setdefault(message, time.perf_counter())

    start, cpu_start = time.perf_counter(), time.process_time()
    async with AsyncExitStack() as stack:
        spec = parse_request(req)
        clips = await composer.open_clips(spec, stack)
        tl = composer.timeline(spec, clips)
        result = await composer.render(spec, clips, tl, report)
    total = time.perf_counter() - start
    # The warm Piper is a child that has not ended, so its CPU is read from /proc.
    cpu = time.process_time() - cpu_start + _children_cpu_s() + _piper_cpu_s() - piper_start
    shutil.copyfile(store.path_of(result.videos[0].asset.uri.removeprefix("asset://")), work / "ad.mp4")
    return {
        "wall_s": total,
        "cpu_s": cpu,
        "ffmpeg_s": marks[SAVE_MSG] - marks[STITCH_MSG],
        "duration_s": result.videos[0].asset.duration_s,
        "mb": result.videos[0].asset.bytes / 1e6,
        "peak_mb": _children_peak_mb(),
        "self_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def _bare(work: Path, preset: str, source: str) -> dict[str, float]:
    s = Settings()
    out = work / "bare-out.mp4"
    start = time.perf_counter()
    await run_ffmpeg(
        [
            "-i", str(work / source),
            "-c:v", "libx264", "-preset", preset, "-crf", str(s.x264_crf),
            "-maxrate", f"{s.video_maxrate_kbps}k", "-bufsize", f"{s.video_maxrate_kbps}k",
            "-pix_fmt", "yuv420p", "-profile:v", "high", "-an", "-movflags", "+faststart", str(out),
        ]
    )  # fmt: skip
    return {
        "wall_s": time.perf_counter() - start,
        "cpu_s": _children_cpu_s(),
        "peak_mb": _children_peak_mb(),
        "mb": out.stat().st_size / 1e6,
    }


def _phase(name: str, work: Path, preset: str) -> dict[str, float]:
    """Run one measurement in a fresh interpreter, so its rusage covers only that run."""
    return run_phase("bench.compose", name, work, "--preset", preset)


def main() -> None:
    bare = ["ad.mp4", "bare.mp4", "api.mp4", "api-voice.mp4"]  # the files the bare encodes read
    phases = ["compose", "scripts", "voice", "compose-again", "voice-again", *bare, "variants", "separate"]
    parser = phase_parser(__doc__, phases)
    parser.add_argument("--preset", default=Settings().x264_preset)
    sections = ["all", "single", "variants", "scripts", "voice", "api"]
    parser.add_argument("--section", choices=sections, default="all")
    args = parser.parse_args()
    if args.phase:
        if args.phase == "compose":
            print(json.dumps(asyncio.run(_compose(args.work, args.preset))))
        elif args.phase in ("voice", "voice-again", "compose-again"):
            voice, again = args.phase != "compose-again", args.phase.endswith("-again")
            print(json.dumps(asyncio.run(_compose(args.work, args.preset, voice=voice, again=again))))
        elif args.phase == "scripts":
            print(json.dumps(asyncio.run(_compose(args.work, args.preset, SCRIPTS))))
        elif args.phase in ("variants", "separate"):
            print(json.dumps(asyncio.run(_variants(args.work, args.preset, args.phase == "variants"))))
        else:
            print(json.dumps(asyncio.run(_bare(args.work, args.preset, args.phase))))
        return

    with tempfile.TemporaryDirectory(prefix="bench-compose-") as tmp:
        work = Path(tmp)
        print(f"making inputs: {CLIPS} clips of 1024x576 30 fps, a 10 s 1080p30 baseline ...", flush=True)
        _make_inputs(work)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"preset {args.preset}, {AD_S:.1f} s 1080p30, best of {args.repeat}; ", end="")
        print(f"load average {load} on {os.cpu_count()} CPUs")
        if args.section in ("all", "single"):
            _single_section(work, args.preset, args.repeat)
        if args.section in ("all", "variants"):
            _variants_section(work, args.preset, args.repeat)
        if args.section in ("all", "scripts"):
            _scripts_section(work, args.preset, args.repeat)
        if args.section in ("all", "voice"):
            _voice_section(work, args.preset, args.repeat)
        if args.section in ("all", "api"):
            api_section(work, args.repeat, lambda name: _phase(name, work, args.preset))


def _voice_section(work: Path, preset: str, repeat: int) -> None:
    print("voice: the same ad with a voiceover and highlighted word captions vs without")
    without, voice = ("without", "compose"), ("voice + captions", "voice")
    _against(work, preset, repeat, without, voice, ratio="voice+captions/none", goal=1.15)
    print("voice, re-rendered (the CTA fixed): the session's voice and music kept from the render before")
    without, voice = ("without", "compose-again"), ("voice + captions", "voice-again")
    _against(work, preset, repeat, without, voice, ratio="voice+captions/none, re-render", goal=1.15)


def _scripts_section(work: Path, preset: str, repeat: int) -> None:
    print("scripts: Arabic + Japanese + emoji texts vs Latin-only, the same ad otherwise")
    latin, scripts = ("latin", "compose"), ("arabic+cjk+emoji", "scripts")
    _against(work, preset, repeat, latin, scripts, ratio="scripts/latin", goal=1.05)


def _against(
    work: Path,
    preset: str,
    repeat: int,
    base: tuple[str, str],
    other: tuple[str, str],
    *,
    ratio: str,
    goal: float,
) -> None:
    """Two phases (label, phase) side by side, and the second's cost as a ratio of the first's."""
    (a, a_cpu), (b, b_cpu) = _best(work, preset, repeat, [base[1], other[1]])
    print(f"{base[0]:<18} {a['wall_s']:6.2f} s wall {a_cpu:6.2f} s CPU")
    print(f"{other[0]:<18} {b['wall_s']:6.2f} s wall {b_cpu:6.2f} s CPU")
    wall, cpu = b["wall_s"] / a["wall_s"], b_cpu / a_cpu
    print(f"ratio {ratio}: {wall:.3f} wall, {cpu:.3f} CPU (goal <= {goal:.2f})")
    # The steadier part: the time before FFmpeg starts (the encode's own time varies run to run).
    before = [r["wall_s"] - r["ffmpeg_s"] for r in (a, b)]
    print(f"  before the encode: {before[0]:.2f} s and {before[1]:.2f} s (+{before[1] - before[0]:.2f} s)")


def _best(work: Path, preset: str, repeat: int, names: list[str]) -> list[tuple[dict[str, float], float]]:
    """Each phase's fastest run and its lowest CPU, the phases interleaved so load hits all alike."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for _ in range(max(1, repeat)):
        for phase, results in runs.items():
            results.append(_phase(phase, work, preset))
    return [(min(r, key=lambda x: x["wall_s"]), min(x["cpu_s"] for x in r)) for r in runs.values()]


def _single_section(work: Path, preset: str, repeat: int) -> None:
    (c, c_cpu), (same, same_cpu), (pattern, pattern_cpu) = _best(
        work, preset, repeat, ["compose", "ad.mp4", "bare.mp4"]
    )
    print(f"compose            {c['wall_s']:6.2f} s wall {c_cpu:6.2f} s CPU", end="")
    print(f"  (ffmpeg run {c['ffmpeg_s']:.2f} s) -> {c['duration_s']:.2f} s, {c['mb']:.1f} MB")
    print(f"bare, same pixels  {same['wall_s']:6.2f} s wall {same_cpu:6.2f} s CPU  ({same['mb']:.1f} MB)")
    print(f"bare, testsrc2     {pattern['wall_s']:6.2f} s wall {pattern_cpu:6.2f} s CPU", end="")
    print(f"  ({pattern['mb']:.1f} MB)")
    for label, base, base_cpu in (("same pixels", same, same_cpu), ("testsrc2", pattern, pattern_cpu)):
        print(
            f"compose / bare ({label}):  wall {c['wall_s'] / base['wall_s']:.2f}"
            f"  CPU {c_cpu / base_cpu:.2f}   goal <= 1.3"
        )
    print(
        f"peak memory: compose ffmpeg {c['peak_mb']:.0f} MB, agent process {c['self_peak_mb']:.0f} MB; ",
        end="",
    )
    print(f"bare ffmpeg {same['peak_mb']:.0f} MB")


def _variants_section(work: Path, preset: str, repeat: int) -> None:
    (one, one_cpu), (three, three_cpu) = _best(work, preset, repeat, ["variants", "separate"])
    print("variants: 16:9 + 9:16 (other CTA) + 1:1 (other CTA, chill music)")
    for label, r, cpu in (("1 call, 3 variants", one, one_cpu), ("3 separate calls  ", three, three_cpu)):
        print(f"{label} {r['wall_s']:6.2f} s wall {cpu:6.2f} s CPU", end="")
        print(f"  peak ffmpeg {r['peak_mb']:.0f} MB, agent process {r['self_peak_mb']:.0f} MB")
    print(
        f"1 call / 3 calls:  wall {one['wall_s'] / three['wall_s']:.2f}  CPU {one_cpu / three_cpu:.2f}"
        "   goal < 1"
    )


if __name__ == "__main__":
    main()
