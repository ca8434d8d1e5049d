"""One Compose call end to end: open and probe the clips, make the music, the card backgrounds and
the text files, run the single FFmpeg pass, store every output and say what it cost."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import tempfile
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from adreel.v1 import compositor_pb2 as pb
from services.common.batch import Reporter
from services.common.costs import Stopwatch, local_cost
from services.common.errors import InvalidArgument
from services.common.ffmpeg import run_ffmpeg
from services.common.media import MediaInfo, probe, store_media
from services.common.storage import ObjectStore
from services.compositor.cards import still_of, write_card
from services.compositor.config import Settings
from services.compositor.filtergraph import ClipInput, Encoder, FormatPlan, RenderPlan, TextItem, build_args
from services.compositor.filtergraph import is_dark as text_is_dark
from services.compositor.layout import FORMATS, Format, TextSlot, fit_size
from services.compositor.providers import MusicProvider, MusicRequest, MusicTrack
from services.compositor.request import ComposeSpec
from services.compositor.soundtrack import fit_track, write_wav
from services.compositor.timeline import Timeline, Window

MODEL = "local/ffmpeg"


@dataclass(frozen=True)
class OpenClip:
    path: Path
    info: MediaInfo


def _probe_clip(path: Path, field: str, max_s: float) -> MediaInfo:
    try:
        info = probe(path)
    except Exception:
        raise InvalidArgument(field, "is not a readable video") from None
    if not info.has_video or info.width <= 0 or info.height <= 0:
        raise InvalidArgument(field, "has no video stream")
    if not 0 < info.duration_s <= max_s:
        raise InvalidArgument(field, f"lasts {info.duration_s:.2f} s; clips must last up to {max_s:g} s")
    return info


def _text(file: Path, value: str, font: Path, slot: TextSlot, *, width: int, window: Window) -> TextItem:
    return TextItem(file, font, fit_size(value, font, slot, width), slot, window)


def music_seed(spec: ComposeSpec) -> int:
    digest = hashlib.sha256(f"{spec.session_id}\0{spec.product_name}\0{spec.genre}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


class Composer:
    def __init__(self, store: ObjectStore, settings: Settings, music: MusicProvider) -> None:
        self.store = store
        self.settings = settings
        self.music = music
        self._renders = asyncio.Semaphore(max(1, settings.max_parallel_renders))

    async def open_clips(self, spec: ComposeSpec, stack: AsyncExitStack) -> list[OpenClip]:
        """Local files of the clips (NOT_FOUND when one is missing), probed and checked."""
        clips = []
        for i, key in enumerate(spec.clip_keys):
            path = await stack.enter_async_context(self.store.local_path(key))
            info = await asyncio.to_thread(_probe_clip, path, f"clips[{i}]", self.settings.max_clip_s)
            clips.append(OpenClip(path, info))
        return clips

    @staticmethod
    def timeline(spec: ComposeSpec, clips: list[OpenClip]) -> Timeline:
        tl = Timeline(spec.intro_s, tuple(c.info.duration_s for c in clips), spec.outro_s, spec.transition_s)
        for i, n in enumerate(tl.segment_frames[1:-1]):
            if tl.transition_frames >= n:
                raise InvalidArgument(
                    "transition_s", f"must be shorter than every segment; clips[{i}] lasts {n / 30:.2f} s"
                )
        return tl

    async def render(
        self, spec: ComposeSpec, clips: list[OpenClip], tl: Timeline, report: Reporter
    ) -> pb.ComposeResult:
        work = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="compose-"))
        try:
            with Stopwatch() as sw:
                result = await self._render_in(work, spec, clips, tl, report)
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)
        # Our CPU (FFmpeg, and local music synthesis, which ran in this process) plus what a
        # remote music engine billed.
        result.cost.CopyFrom(local_cost(MODEL, sw.cpu_s, sw.wall_s))
        if result.music_cost.provider not in ("", "local"):
            result.cost.usd_micros += result.music_cost.usd_micros
        return result

    async def _make_music(
        self, work: Path, spec: ComposeSpec, tl: Timeline
    ) -> tuple[Path, MusicTrack] | None:
        if not spec.genre:
            return None
        request = MusicRequest(spec.genre, tl.duration_s, music_seed(spec), spec.product_name)
        track = await self.music.make_music(request)
        fitted = await asyncio.to_thread(fit_track, track.samples, track.rate, tl.duration_s)
        path = work / "music.wav"
        await asyncio.to_thread(write_wav, path, fitted, track.rate)
        return path, track

    async def _render_in(
        self, work: Path, spec: ComposeSpec, clips: list[OpenClip], tl: Timeline, report: Reporter
    ) -> pb.ComposeResult:
        result = pb.ComposeResult(item_id=spec.item_id)
        notes = spec.fallback_notes()
        report(0.01, "making music, cards and text" if spec.genre else "laying out cards and text")
        # Music and card backgrounds are independent: numpy and Pillow work side by side.
        music, plans = await asyncio.gather(
            self._make_music(work, spec, tl),
            asyncio.to_thread(self._plan_formats, work, spec, clips, tl),
        )
        music_path = None
        if music is not None:
            music_path, track = music
            result.music_cost.CopyFrom(track.cost)
            if track.fallback_reason:
                notes.append(f"music: {track.fallback_reason}")
        plan = RenderPlan(
            clips=tuple(ClipInput(c.path, c.info.width, c.info.height) for c in clips),
            timeline=tl,
            formats=plans,
            color=spec.color,
            music=music_path,
            encoder=Encoder(
                self.settings.x264_preset,
                self.settings.x264_crf,
                self.settings.video_maxrate_kbps,
                self.settings.audio_kbps,
            ),
        )
        if self._renders.locked():
            report(0.1, "waiting for a free renderer")
        async with self._renders:
            report(0.1, "rendering")
            await run_ffmpeg(
                build_args(plan),
                expected_s=tl.duration_s,
                on_progress=lambda f: report(0.1 + 0.85 * f, "rendering"),
                timeout_s=self.settings.render_timeout_s,
            )

        report(0.96, "storing")
        base = f"sessions/{spec.session_id}"
        for fp in plans:
            key = f"{base}/final/{spec.item_id}-{fp.fmt.tag}.mp4"
            asset = await store_media(self.store, key, fp.out, "video/mp4")
            result.videos.add(format=fp.fmt.proto, asset=asset)
        if music_path is not None:
            result.music.CopyFrom(
                await store_media(self.store, f"{base}/audio/{spec.item_id}.wav", music_path, "audio/wav")
            )
        result.fallback_reason = "; ".join(notes)
        return result

    def _plan_formats(
        self, work: Path, spec: ComposeSpec, clips: list[OpenClip], tl: Timeline
    ) -> tuple[FormatPlan, ...]:
        name_file, cta_file = work / "product_name.txt", work / "cta.txt"
        # Exactly the user's (normalised) text, UTF-8, no trailing newline: drawtext draws it verbatim.
        name_file.write_bytes(spec.product_name.encode())
        cta_file.write_bytes(spec.cta.encode())
        intro_still = still_of(clips[0].path, 0.3)
        outro_still = still_of(clips[-1].path, 0.7)
        dark = text_is_dark(spec.color)
        name_font, cta_font = spec.name_font.font.path, spec.cta_font.font.path
        plans = []
        for f in spec.formats:
            fmt: Format = FORMATS[f]
            w, h = fmt.width, fmt.height
            plans.append(
                FormatPlan(
                    fmt=fmt,
                    intro_card=write_card(intro_still, w, h, dark, work / f"intro-{fmt.tag}.png"),
                    outro_card=write_card(outro_still, w, h, dark, work / f"outro-{fmt.tag}.png"),
                    texts=(
                        _text(
                            name_file,
                            spec.product_name,
                            name_font,
                            fmt.intro_name,
                            width=w,
                            window=tl.intro_text(),
                        ),
                        _text(
                            name_file,
                            spec.product_name,
                            name_font,
                            fmt.clip_name,
                            width=w,
                            window=tl.clip_text(),
                        ),
                        _text(
                            name_file,
                            spec.product_name,
                            name_font,
                            fmt.outro_name,
                            width=w,
                            window=tl.outro_text(),
                        ),
                        _text(cta_file, spec.cta, cta_font, fmt.outro_cta, width=w, window=tl.outro_text()),
                    ),
                    out=work / f"{spec.item_id}-{fmt.tag}.mp4",
                )
            )
        return tuple(plans)
