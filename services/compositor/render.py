"""One Compose call end to end: open and probe the clips, make the music, the card backgrounds and
the text files, run the single FFmpeg pass, store every output and say what it cost.

Outputs (formats, or variants) that share a format and card tone share one clip chain; each
distinct music (genre and model) is made once and muxed into every output that asks for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import tempfile
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import av
import numpy as np
from PIL import Image

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from services.common.costs import Stopwatch, local_cost
from services.common.errors import InvalidArgument
from services.common.ffmpeg import FrameProgress, run_ffmpeg
from services.common.media import MediaInfo, probe, store_media
from services.common.storage import ObjectStore
from services.compositor import placement
from services.compositor.beat_sync import snap_to_beats
from services.compositor.beats import Beats
from services.compositor.captions import Drawn, draw_track, srt, timed_track, webvtt
from services.compositor.cards import card_background, still_of
from services.compositor.config import Settings
from services.compositor.contrast import box_alpha, is_dark, on_button, rgb, shade
from services.compositor.filtergraph import (
    CaptionLayer,
    ChainPlan,
    ClipInput,
    Encoder,
    OutputPlan,
    RenderPlan,
    StillMove,
    TextItem,
    build_args,
)
from services.compositor.fonts import FontSpec
from services.compositor.layout import FORMATS, Format, TextSlot, fit_block
from services.compositor.logo import load_logo, logo_item
from services.compositor.providers import MusicProvider, MusicRequest, MusicTrack, VoiceProvider
from services.compositor.providers.local import LocalMusic, LocalVoice
from services.compositor.session_audio import SessionMusic, SessionVoice
from services.compositor.soundtrack import fit_with_beats, read_track, write_wav
from services.compositor.synth import STYLES
from services.compositor.text_image import Style, render
from services.compositor.timeline import Timeline, Window, frames
from services.compositor.validation import UPLOAD, ComposeSpec, Overlay, StillSpec
from services.compositor.voice import script_words
from services.compositor.voiceover import Voiceover, check_fits, mix_tracks, speak_to_fit

log = logging.getLogger(__name__)

MODEL = "local/ffmpeg"
# The music cost of a user's own track: nothing.
UPLOAD_MODEL = "upload"
PREVIEW_MODEL = "preview"
PREVIEW_VOICE_NOTE = "the free preview speaks with the offline voice; the final uses the voice you chose"
PREVIEW_MUSIC_NOTE = (
    "the free preview plays the offline synthesiser; the final plays the music model you chose"
)
# A preview's short side, and the 16:9 size a still plays at (the shape of the clip it becomes).
PREVIEW_SHORT = 480
PREVIEW_CLIP = (854, 480)
# The product's substep messages, in the order they happen.
MUSIC_MSG = "Generating music..."
TEXT_MSG = "Adding text overlays..."
WAIT_MSG = "Waiting for a free renderer..."
STITCH_MSG = "Stitching clips..."
SAVE_MSG = "Saving video..."


class Progressor(Protocol):
    """Progress of one compose: fraction of the call (0-1), substep message, seconds left if known."""

    def __call__(self, fraction: float, message: str, eta_s: float | None = None) -> None: ...


@dataclass(frozen=True)
class OpenClip:
    path: Path
    info: MediaInfo
    # A preview's still in place of this clip (info then holds the image size and the planned length).
    still: StillSpec | None = None

    def frame(self, at_fraction: float) -> Image.Image:
        """A picture of it for the card backgrounds."""
        if self.still is None:
            return still_of(self.path, at_fraction)
        with Image.open(self.path) as im:
            return im.convert("RGB")


def _probe_still(path: Path, still: StillSpec, field: str) -> MediaInfo:
    try:
        with Image.open(path) as im:
            im.verify()
        with Image.open(path) as im:
            width, height = im.size
    except Exception:
        raise InvalidArgument(field, "is not a readable image") from None
    return MediaInfo(width=width, height=height, duration_s=still.duration_s)


def _probe_clip(path: Path, field: str, max_s: float) -> MediaInfo:
    try:
        info = probe(path)
    except (av.error.FFmpegError, OSError) as exc:  # what PyAV raises for a file it cannot read
        log.info("%s: not a readable video: %s", field, exc)
        raise InvalidArgument(field, "is not a readable video") from None
    if not info.has_video or info.width <= 0 or info.height <= 0:
        raise InvalidArgument(field, "has no video stream")
    if not 0 < info.duration_s <= max_s:
        raise InvalidArgument(field, f"lasts {info.duration_s:.2f} s; clips must last up to {max_s:g} s")
    return info


def music_seed(spec: ComposeSpec, genre: str) -> int:
    # From the request's own product name, so variants with other texts share the genre's track.
    digest = hashlib.sha256(f"{spec.session_id}\0{spec.product_name}\0{genre}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class Made:
    """One music track fitted to the ad: its file, what its engine gave, its beats on the ad's clock."""

    path: Path
    track: MusicTrack
    beats: Beats | None


def _primary(spec: ComposeSpec) -> tuple[str, str] | None:
    """The music of the first output that has any: the track the result stores, whose beat the cuts
    follow (variants with other music share the timeline)."""
    return next((o.track for o in spec.outputs if o.track), None)


@dataclass(frozen=True)
class Planned:
    chains: tuple[ChainPlan, ...]
    # Per output of the spec, in its order: the rendered file.
    files: tuple[Path, ...]


class Composer:
    def __init__(
        self, store: ObjectStore, settings: Settings, music: MusicProvider, voice: VoiceProvider | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.music = music
        self.voice: VoiceProvider = voice or LocalVoice()
        self._renders = asyncio.Semaphore(max(1, settings.max_parallel_renders))

    async def open_clips(self, spec: ComposeSpec, stack: AsyncExitStack) -> list[OpenClip]:
        """Local files of the clips (NOT_FOUND when one is missing), probed and checked."""
        clips = []
        for i, still in enumerate(spec.stills):
            path = await stack.enter_async_context(self.store.local_path(still.key))
            info = await asyncio.to_thread(_probe_still, path, still, f"stills[{i}].image")
            clips.append(OpenClip(path, info, still))
        for i, key in enumerate(spec.clip_keys):
            path = await stack.enter_async_context(self.store.local_path(key))
            info = await asyncio.to_thread(_probe_clip, path, f"clips[{i}]", self.settings.max_clip_s)
            clips.append(OpenClip(path, info))
        return clips

    @staticmethod
    def timeline(spec: ComposeSpec, clips: list[OpenClip]) -> Timeline:
        tl = Timeline(spec.intro_s, tuple(c.info.duration_s for c in clips), spec.outro_s, spec.transition_s)
        what = "stills" if spec.stills else "clips"
        for i, n in enumerate(tl.segment_frames[1:-1]):
            if tl.transition_frames >= n:
                raise InvalidArgument(
                    "transition_s", f"must be shorter than every segment; {what}[{i}] lasts {n / 30:.2f} s"
                )
        if spec.voice is not None:
            check_fits(spec.voice, tl.duration_s)
        return tl

    async def render(
        self, spec: ComposeSpec, clips: list[OpenClip], tl: Timeline, report: Progressor
    ) -> pb.ComposeResult:
        work = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="compose-"))
        try:
            with Stopwatch() as sw:
                result = await self._render_in(work, spec, clips, tl, report)
        finally:
            await asyncio.to_thread(shutil.rmtree, work, True)
        if spec.preview:
            result.cost.CopyFrom(
                common_pb2.Cost(usd_micros=0, provider="local", model=PREVIEW_MODEL, seconds=sw.wall_s)
            )
            result.ClearField("music_cost")
            result.ClearField("voice_cost")
            return result
        # Our CPU (FFmpeg, and local music synthesis, which ran in this process) plus what a
        # remote music or voice engine billed.
        result.cost.CopyFrom(local_cost(MODEL, sw.cpu_s, sw.wall_s))
        for part in (result.music_cost, result.voice_cost):
            if part.provider not in ("", "local"):
                result.cost.usd_micros += part.usd_micros
        return result

    async def _make_music(self, work: Path, spec: ComposeSpec, tl: Timeline) -> list[Made]:
        """One fitted track per distinct (genre, model) or upload, made side by side."""

        async def one(k: int, genre: str, model: str) -> Made:
            if genre == UPLOAD:  # `model` is the uploaded track's key
                track = await self._uploaded(model, tl.duration_s)
            else:
                seed = music_seed(spec, genre)
                request = MusicRequest(genre, tl.duration_s, seed, spec.product_name, model)
                track = await self._music_for(spec).make_music(request)
            fit = fit_with_beats
            fitted, beats = await asyncio.to_thread(fit, track.samples, track.rate, tl.duration_s, track.bpm)
            path = work / f"music-{k}.wav"
            await asyncio.to_thread(write_wav, path, fitted, track.rate)
            return Made(path, track, beats)

        return list(await asyncio.gather(*(one(k, g, m) for k, (g, m) in enumerate(spec.tracks))))

    def _music_for(self, spec: ComposeSpec) -> SessionMusic:
        """The music engine, keeping its take for the session. A preview is free: a paid engine's
        music plays there only as a take the session already has (paid by a final); otherwise the
        synthesiser stands in, says so, and is not kept."""
        if spec.preview and self.music.name != "local":
            stand_in = LocalMusic(PREVIEW_MUSIC_NOTE)
            return SessionMusic(stand_in, self.store, spec.session_id, name=self.music.name)
        return SessionMusic(self.music, self.store, spec.session_id)

    async def _uploaded(self, key: str, seconds: float) -> MusicTrack:
        """The user's own track (the gateway checked it and stored it as FLAC): the part that plays."""
        async with self.store.local_path(key) as path:  # NOT_FOUND when it is gone
            samples, rate = await asyncio.to_thread(read_track, path, seconds)
        if not len(samples):
            raise InvalidArgument("music.upload.uri", "holds no audio")
        return MusicTrack(samples, rate, common_pb2.Cost(provider="local", model=UPLOAD_MODEL))

    async def _beats(self, spec: ComposeSpec, music: asyncio.Future[list[Made]]) -> Beats | None:
        """The beat the cuts follow (the first output's music). The synthesiser's is known before it
        plays a note; any other track's is detected once the track exists."""
        primary = _primary(spec)
        if primary is None:
            return None
        genre, _ = primary
        if genre != UPLOAD and self.music.name == "local":
            return Beats(STYLES[genre].bpm)
        return (await music)[spec.tracks.index(primary)].beats

    async def _render_in(
        self, work: Path, spec: ComposeSpec, clips: list[OpenClip], tl: Timeline, report: Progressor
    ) -> pb.ComposeResult:
        result = pb.ComposeResult(item_id=spec.item_id)
        notes = spec.fallback_notes()
        # The fraction is FFmpeg's frames done of the total: this preparation (a second or so of a
        # 20-30 s render) and storing stay at its ends, named by their messages.
        music_task = asyncio.ensure_future(self._make_music(work, spec, tl))
        plan_task: asyncio.Future[Planned] | None = None
        voice_task: asyncio.Future[Voiced] | None = None
        try:
            # The voice is its own process (or a provider's): it speaks, its captions are drawn and
            # it is mixed into the music while the cards are made.
            if spec.voice:
                voice_task = asyncio.ensure_future(self._voiced(work, spec, tl.duration_s, music_task))
            if spec.tracks:
                report(0.0, MUSIC_MSG)
            # Cuts on the beat: the segments change, the ad's length does not (the music and the
            # voice are made for its length as asked).
            beats = await self._beats(spec, music_task)
            if beats is not None:
                tl = snap_to_beats(tl, beats.times(tl.duration_s))
                result.music_bpm = round(beats.bpm, 3)
            logo = None
            if spec.logo is not None:
                logo = await asyncio.to_thread(load_logo, await self.store.get_bytes(spec.logo.key))
            planning = asyncio.to_thread(self._plan_outputs, work, spec, clips, tl, logo)
            plan_task = asyncio.ensure_future(planning)
            # Music and card backgrounds are independent: numpy and Pillow work side by side, so
            # both substeps are announced; music again if it outlasts the cards.
            report(0.0, TEXT_MSG)
            await asyncio.wait([music_task, plan_task], return_when=asyncio.FIRST_COMPLETED)
            if plan_task.done() and not music_task.done():
                report(0.0, MUSIC_MSG)
            music, planned = await asyncio.gather(music_task, plan_task)
            voiced = await voice_task if voice_task is not None else None
        finally:
            for task in (music_task, plan_task, voice_task):
                if task is not None:
                    task.cancel()
        result.cut_times_s.extend(round(t, 4) for t in tl.cut_times)
        tracks = tuple(made.path for made in music)
        voice = voiced.voiceover if voiced is not None else None
        if voiced is not None and voice is not None:
            tracks, planned = voiced.tracks, _with_voice(spec, planned, voiced, len(music))
            result.voiceover_s = round(voice.speech.duration_s, 3)
            for cost in voice.costs:
                _add_cost(result.voice_cost, cost)
            notes.extend(f"voice: {note}" for note in voice.notes)
        for made in music:
            _add_cost(result.music_cost, made.track.cost)
            if made.track.fallback_reason:
                notes.append(f"music: {made.track.fallback_reason}")
        plan = RenderPlan(
            clips=tuple(_clip_input(c) for c in clips),
            timeline=tl,
            chains=planned.chains,
            music=tracks,
            encoder=self._encoder(spec),
        )
        if self._renders.locked():
            report(0.0, WAIT_MSG)

        def stitched(p: FrameProgress) -> None:
            report(p.fraction, STITCH_MSG, p.eta_s)

        async with self._renders:
            report(0.0, STITCH_MSG)
            await run_ffmpeg(
                build_args(plan),
                total_frames=tl.total_frames,
                on_frames=stitched,
                timeout_s=self.settings.render_timeout_s,
            )

        report(1.0, SAVE_MSG)
        base = f"sessions/{spec.session_id}"
        for out, path in zip(spec.outputs, planned.files, strict=True):
            name = out.variant_id or FORMATS[out.format].tag
            # One preview per session and format, replaced by the next.
            key = f"{base}/preview/{FORMATS[out.format].tag}.mp4" if spec.preview else None
            key = key or f"{base}/final/{spec.item_id}-{name}.mp4"
            asset = await store_media(self.store, key, path, "video/mp4")
            result.videos.add(format=out.format, asset=asset, variant_id=out.variant_id)
        if spec.preview:
            result.fallback_reason = "; ".join(notes)
            return result  # the track is inside the preview; only finals keep it on its own
        if voice is not None and spec.captions:
            for ext, text, mime, field in (
                ("vtt", webvtt(voice.cues), "text/vtt", result.captions_vtt),
                ("srt", srt(voice.cues), "application/x-subrip", result.captions_srt),
            ):
                path = work / f"captions.{ext}"
                path.write_text(text, encoding="utf-8")
                key = f"{base}/final/{spec.item_id}.{ext}"
                field.CopyFrom(await store_media(self.store, key, path, mime))
        # The track of the first output with music (every track is also inside its videos).
        primary = _primary(spec)
        if primary is not None:
            path = tracks[spec.tracks.index(primary)]
            key = f"{base}/audio/{spec.item_id}.wav"
            result.music.CopyFrom(await store_media(self.store, key, path, "audio/wav"))
        result.fallback_reason = "; ".join(notes)
        return result

    async def _voiced(
        self, work: Path, spec: ComposeSpec, duration_s: float, music: asyncio.Future[list[Made]]
    ) -> Voiced:
        """The voice spoken while its captions are drawn (a page's words do not depend on when they
        are said), the captions timed once it has spoken, and every music track with it ducked in
        (and a voice-only track when an output has no music) once the music is made."""
        assert spec.voice is not None
        drawing = asyncio.ensure_future(asyncio.to_thread(self._draw_captions, work, spec))
        try:
            voice = await speak_to_fit(spec.voice, duration_s, self._voice_for(spec))
            paths = tuple(made.path for made in await music)
            voice_only = any(out.track is None for out in spec.outputs)
            tracks = await asyncio.to_thread(
                mix_tracks, work, voice, paths, duration_s, voice_only=voice_only
            )
            layers: dict[int, CaptionLayer] = {}
            for fmt, drawn in (await drawing).items():
                track = timed_track(drawn, voice.cues, duration_s)
                layers[fmt] = CaptionLayer(track.concat, track.band.x, track.band.y)
            return Voiced(voice, tracks, layers)
        finally:
            drawing.cancel()

    def _voice_for(self, spec: ComposeSpec) -> SessionVoice:
        """The voice that speaks, keeping its take for the session. A preview is free: an online
        voice speaks there only as a take the session already has (paid by a final); otherwise the
        offline voice stands in, says so, and is not kept."""
        assert spec.voice is not None
        voice = self.voice
        online = {v.id for v in voice.voices() if v.online}
        if spec.preview and spec.voice.voice in online:
            voice = LocalVoice(PREVIEW_VOICE_NOTE)
        return SessionVoice(voice, self.store, spec.session_id)

    def _draw_captions(self, work: Path, spec: ComposeSpec) -> dict[int, Drawn]:
        """Each output format's caption images (none without a caption style)."""
        drawn: dict[int, Drawn] = {}
        if not spec.captions:
            return drawn
        assert spec.voice is not None
        words = tuple(script_words(spec.voice.script))
        for out in spec.outputs:
            if out.format not in drawn:
                fmt = _format(spec, out.format)
                drawn[out.format] = draw_track(
                    work, words, style=spec.captions, font=spec.voice.font.font, fmt=fmt
                )
        return drawn

    def _encoder(self, spec: ComposeSpec) -> Encoder:
        s = self.settings
        if spec.preview:
            return Encoder(s.preview_x264_preset, s.preview_x264_crf, s.preview_maxrate_kbps, s.audio_kbps)
        return Encoder(s.x264_preset, s.x264_crf, s.video_maxrate_kbps, s.audio_kbps)

    def _plan_outputs(
        self,
        work: Path,
        spec: ComposeSpec,
        clips: list[OpenClip],
        tl: Timeline,
        logo: Image.Image | None = None,
    ) -> Planned:
        intro_still = clips[0].frame(0.3)
        outro_still = clips[-1].frame(0.7)
        # What the text over the clips is laid on: the middle of every clip (and the cards' frames).
        samples = [intro_still, *(c.frame(0.5) for c in clips), outro_still]
        overlays = list(dict.fromkeys(o.overlay.look for o in spec.outputs))
        music = spec.tracks
        # Outputs of one format whose text tone asks for the same card backgrounds share a chain.
        groups: dict[tuple[int, bool], list[tuple[int, OutputPlan]]] = {}
        cards: dict[tuple[int, bool], tuple[Path, Path, np.ndarray, np.ndarray]] = {}
        views: dict[int, Backdrop] = {}
        files: list[Path] = []
        for k, out in enumerate(spec.outputs):
            fmt: Format = _format(spec, out.format)
            path = work / f"out-{k}.mp4"
            files.append(path)
            ov = out.overlay
            dark = is_dark(ov.color)
            if (out.format, dark) not in cards:
                cards[out.format, dark] = _cards(work, fmt, dark, intro_still, outro_still)
            if out.format not in views:
                views[out.format] = Backdrop.of(samples, fmt)
            _, _, intro_px, outro_px = cards[out.format, dark]
            backdrop = views[out.format].with_cards(intro_px, outro_px)
            plan = OutputPlan(
                texts=_texts(
                    work,
                    overlays.index(ov.look),
                    ov,
                    fmt=fmt,
                    tl=tl,
                    bd=backdrop,
                    captions=bool(spec.captions),
                )
                + (
                    (logo_item(work / f"logo-{k}.png", logo, spec.logo.corner, fmt, tl),)
                    if logo is not None and spec.logo is not None
                    else ()
                ),
                music=music.index(out.track) if out.track else None,
                out=path,
            )
            groups.setdefault((out.format, dark), []).append((k, plan))
        chains = []
        for (f, dark), outputs in groups.items():
            intro_card, outro_card, _, _ = cards[f, dark]
            chains.append(
                ChainPlan(
                    fmt=_format(spec, f),
                    intro_card=intro_card,
                    outro_card=outro_card,
                    outputs=tuple(plan for _, plan in outputs),
                )
            )
        return Planned(tuple(chains), tuple(files))


def _cards(
    work: Path, fmt: Format, dark: bool, intro: Image.Image, outro: Image.Image
) -> tuple[Path, Path, np.ndarray, np.ndarray]:
    """The intro and outro card files, and their pixels at the analysis size."""
    tone = "dark" if dark else "light"
    out: list[Any] = []
    for name, still in (("intro", intro), ("outro", outro)):
        card = card_background(still, fmt.width, fmt.height, dark)
        path = work / f"{name}-{fmt.tag}-{tone}.png"
        card.save(path, compress_level=1)
        out.append(path)
        small = card.resize((max(2, fmt.width // placement.SAMPLE), max(2, fmt.height // placement.SAMPLE)))
        out.append(np.asarray(small))
    return out[0], out[2], out[1], out[3]


@dataclass(frozen=True)
class Backdrop:
    """What each text of one format is drawn over: the sampled clip frames (with where their product
    is) and the two cards, all at placement.SAMPLE's analysis size."""

    frames: tuple[np.ndarray, ...]
    masks: tuple[np.ndarray, ...]
    intro: np.ndarray | None = None
    outro: np.ndarray | None = None

    @staticmethod
    def of(stills: list[Image.Image], fmt: Format) -> Backdrop:
        views = [placement.as_output(s, fmt) for s in stills]
        return Backdrop(tuple(v[0] for v in views), tuple(v[1] for v in views))

    def with_cards(self, intro: np.ndarray, outro: np.ndarray) -> Backdrop:
        return replace(self, intro=intro, outro=outro)


@dataclass(frozen=True)
class Voiced:
    """The voiceover and what it adds: the music tracks with it mixed in, each format's captions."""

    voiceover: Voiceover
    tracks: tuple[Path, ...]
    captions: dict[int, CaptionLayer]


def _with_voice(spec: ComposeSpec, planned: Planned, voiced: Voiced, silent: int) -> Planned:
    """Every output plays its track with the voice in it (an output without music the voice-only
    track, index `silent`) and shows its format's captions."""
    formats = {path: out.format for path, out in zip(planned.files, spec.outputs, strict=True)}
    chains = []
    for chain in planned.chains:
        outs = tuple(
            replace(
                plan,
                music=silent if plan.music is None else plan.music,
                captions=voiced.captions.get(formats[plan.out]),
            )
            for plan in chain.outputs
        )
        chains.append(replace(chain, outputs=outs))
    return replace(planned, chains=tuple(chains))


def _format(spec: ComposeSpec, proto_format: int) -> Format:
    """The output's frame and text layout; a preview's is the same layout at 480p."""
    fmt = FORMATS[proto_format]
    return fmt.at_short_side(PREVIEW_SHORT) if spec.preview else fmt


def _clip_input(clip: OpenClip) -> ClipInput:
    if clip.still is None:
        return ClipInput(clip.path, clip.info.width, clip.info.height)
    w, h = PREVIEW_CLIP
    move = StillMove(clip.still.movement, clip.still.intensity, frames(clip.still.duration_s), w, h)
    return ClipInput(clip.path, w, h, move)


def _add_cost(total: common_pb2.Cost, part: common_pb2.Cost) -> None:
    total.usd_micros += part.usd_micros
    total.seconds += part.seconds
    # A remote provider's name wins: render() adds what it billed to the call's cost.
    if not total.provider or part.provider not in ("", "local"):
        total.provider, total.model = part.provider, part.model


def _texts(
    work: Path, n: int, ov: Overlay, *, fmt: Format, tl: Timeline, bd: Backdrop, captions: bool = False
) -> tuple[TextItem, ...]:
    """The four texts of one output, each drawn once into a PNG of its own."""
    assert bd.intro is not None and bd.outro is not None
    name_font, cta_font = ov.name_font.font, ov.cta_font.font
    texts = (
        ("name-intro", ov.product_name, name_font, fmt.intro_name, tl.intro_text(), [bd.intro], None),
        ("name-clips", ov.product_name, name_font, fmt.clip_name, tl.clip_text(), list(bd.frames), bd.masks),
        ("name-outro", ov.product_name, name_font, fmt.outro_name, tl.outro_text(), [bd.outro], None),
        ("cta", ov.cta, cta_font, fmt.outro_cta, tl.outro_text(), [bd.outro], None),
    )
    return tuple(
        _text_item(
            work / f"{key}-{n}-{fmt.tag}.png",
            color=ov.color,
            # The brand's secondary colour makes the CTA a button.
            button=ov.accent if key == "cta" else None,
            text=text,
            font=font,
            slot=slot,
            fmt=fmt,
            window=window,
            under=under,
            masks=masks,
            # Captions take the bottom of the frame: the name over the clips goes up top.
            top_first=captions,
        )
        for key, text, font, slot, window, under, masks in texts
    )


def _clip_heights(slot: TextSlot) -> tuple[float, ...]:
    """Where the text over the clips may go, in order of preference: its slot, the mirrored height
    at the top, then each a step towards the middle."""
    y = slot.y_center
    return (y, 1 - y, y - 0.13 if y > 0.5 else y + 0.13, 1 - y + 0.13 if y > 0.5 else 1 - y - 0.13)


def _text_item(
    path: Path,
    *,
    color: str,
    text: str,
    font: FontSpec,
    slot: TextSlot,
    fmt: Format,
    window: Window,
    under: list[np.ndarray],
    masks: tuple[np.ndarray, ...] | None,
    top_first: bool = False,
    button: str | None = None,
) -> TextItem:
    """Fit, place (off the product when over clips), give it its contrast, draw it; with `button`
    ("rrggbb"), on a solid box of that colour in a colour that reads on it."""
    boxed = slot.box or button is not None
    for _ in range(2):  # a second pass when the background asks an unboxed text for a box
        block = fit_block(text, font, slot, fmt, boxed)
        size = block.size(boxed)
        if masks is not None:
            heights = _clip_heights(slot)
            if top_first:
                heights = tuple(y for y in heights if y < 0.5) or heights
            box, _ = placement.clear_position(fmt, size, heights, list(masks))
        else:
            box = placement.fixed_position(fmt, size, slot.y_center)
        alpha = box_alpha(color, placement.region(under, box), floor=0.45 if boxed else 0.0)
        if alpha == 0 or boxed:
            break
        boxed = True
    if button is not None:
        color = on_button(color, button)
        style = Style(rgb(color), shade(color), shadow_alpha=0.0, box_alpha=1.0, box_color=rgb(button))
    else:
        style = Style(rgb(color), shade(color), box_alpha=alpha)
    image = render(block, style, boxed)
    # Even sizes and offsets: the frames are 4:2:0.
    even = Image.new("RGBA", (image.width + image.width % 2, image.height + image.height % 2), (0, 0, 0, 0))
    even.paste(image, (0, 0))
    even.save(path, compress_level=1)
    return TextItem(path, box[0] - box[0] % 2, box[1] - box[1] % 2, window)
