"""The whole journey, product text -> MP4, through the API: what `adreel generate` and the bench run."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from client.api import CLIPS_DONE, IMAGES_DONE, VIDEO_DONE, AdreelClient, EventHandler
from client.models import FinalVideo, Session

StepHandler = Callable[[str], None]


# The length the product aims for (8-12 s ads).
TARGET_AD_S = 10.0


class BadChoice(ValueError):
    """A --pick / --pick-clips / --order that cannot be satisfied."""


def pick(spec: str, items: Sequence[str], option: str) -> list[str]:
    """`all`, `N` (the first N) or `1,3,4` (1-based positions) -> the chosen items."""
    spec = spec.strip().lower()
    if spec == "all":
        return list(items)
    try:
        numbers = [int(part) for part in spec.split(",")]
    except ValueError:
        raise BadChoice(f"{option}: expected 'all', a count or positions like 1,3,4, got {spec!r}") from None
    if len(numbers) == 1 and "," not in spec:
        if not 1 <= numbers[0] <= len(items):
            raise BadChoice(f"{option}: {numbers[0]} is not between 1 and {len(items)}")
        return list(items[: numbers[0]])
    if bad := [n for n in numbers if not 1 <= n <= len(items)]:
        raise BadChoice(f"{option}: position {bad[0]} is not between 1 and {len(items)}")
    if len(set(numbers)) != len(numbers):
        raise BadChoice(f"{option}: a position is repeated")
    return [items[n - 1] for n in numbers]


def reorder(spec: str | None, clip_ids: list[str]) -> list[str]:
    """`--order 3,1,2`: positions among the picked clips, each exactly once."""
    if not spec:
        return clip_ids
    try:
        positions = [int(part) for part in spec.split(",")]
    except ValueError:
        raise BadChoice(f"--order: expected positions like 3,1,2, got {spec!r}") from None
    if sorted(positions) != list(range(1, len(clip_ids) + 1)):
        raise BadChoice(f"--order: must list each of 1..{len(clip_ids)} exactly once, got {spec!r}")
    return [clip_ids[p - 1] for p in positions]


@dataclass
class AdSpec:
    product: str
    scene: str
    out: Path
    images: int = 6
    # "auto": as many images as make an ad of about TARGET_AD_S with clip_duration-second clips.
    pick_images: str = "auto"
    pick_clips: str = "all"
    order: str | None = None
    name: str | None = None
    # None: the brand kit's default CTA (a kit is then needed).
    cta: str | None = "Shop Now"
    font: str | None = None
    color: str | None = None
    music: bool = True
    genre: str = "upbeat"
    # Your own track as the music (uploaded to the session before composing), instead of the genre's.
    music_file: Path | None = None
    # The Replicate music model: stable-audio-2.5 (the default) or musicgen (non-commercial licence).
    music_model: str | None = None
    # The Replicate image-to-video model (GET /api/engines lists them); "" = the default.
    video_model: str = ""
    clip_duration: float = 3.0
    formats: Sequence[str] = ("16:9",)
    # A voice id turns the voiceover on; without `script` the parser's suggestion is spoken.
    voice: str | None = None
    script: str | None = None
    speed: float = 1.0
    captions: str = "none"
    # A brand kit id (GET /api/brand-kits) and where its logo goes ("none" = no logo).
    brand: str | None = None
    logo: str = "none"

    @property
    def image_pick(self) -> str:
        if self.pick_images.strip().lower() != "auto":
            return self.pick_images
        # Intro and outro cards take about 2 s; the clips fill the rest of an 8-12 s ad.
        clips = round((TARGET_AD_S - 2) / self.clip_duration)
        return str(max(2, min(self.images, clips)))

    @property
    def product_name(self) -> str:
        return self.name or self.product.strip()[:50]

    def check(self) -> None:
        """Refuse bad --pick/--order before anything is generated (one clip per approved image)."""
        images = pick(self.image_pick, [str(i) for i in range(self.images)], "--pick")
        clips = pick(self.pick_clips, images, "--pick-clips")
        reorder(self.order, clips)


@dataclass
class JourneyResult:
    session_id: str
    files: list[Path]
    videos: list[FinalVideo]
    total_cost: float
    # Wall seconds per step, in the order they ran.
    seconds: dict[str, float] = field(default_factory=dict)


@contextmanager
def _timed(seconds: dict[str, float], step: str, on_step: StepHandler | None) -> Iterator[None]:
    if on_step:
        on_step(step)
    start = time.perf_counter()
    yield
    seconds[step] = time.perf_counter() - start


def output_paths(out: Path, formats: Sequence[str]) -> list[Path]:
    """The first format goes to `out`, the others next to it: ad.mp4, ad-9x16.mp4, ad-1x1.mp4."""
    return [out, *(out.with_name(f"{out.stem}-{f.replace(':', 'x')}{out.suffix}") for f in formats[1:])]


async def run_journey(
    client: AdreelClient,
    spec: AdSpec,
    on_event: EventHandler | None = None,
    on_step: StepHandler | None = None,
) -> JourneyResult:
    """Login must have happened. Images -> approvals -> clips -> order -> compose -> download."""
    spec.check()
    seconds: dict[str, float] = {}
    with _timed(seconds, "session", on_step):
        session_id = await client.create_session()
    with _timed(seconds, "images", on_step):
        await client.generate_images(session_id, spec.product, spec.images)
        session = await client.wait_for_stage(session_id, IMAGES_DONE, on_event)
    with _timed(seconds, "approve images", on_step):
        chosen = pick(spec.image_pick, [i.id for i in session.generated_images], "--pick")
        await client.save_approved_images(session_id, chosen)
    with _timed(seconds, "clips", on_step):
        await client.generate_clips(session_id, spec.scene, spec.clip_duration, spec.video_model)
        session = await client.wait_for_stage(session_id, CLIPS_DONE, on_event)
    with _timed(seconds, "approve clips", on_step):
        clips = pick(spec.pick_clips, [c.id for c in session.generated_clips], "--pick-clips")
        await client.save_approved_clips(session_id, clips, reorder(spec.order, clips))
    with _timed(seconds, "compose", on_step):
        upload = None
        if spec.music and spec.music_file is not None:
            upload = (await client.upload_music(session_id, spec.music_file))["id"]
        voiceover = None
        if spec.voice:
            script = (
                spec.script
                or (await client.suggest_script(session_id, spec.product_name, spec.cta))["script"]
            )
            voiceover = {"script": script, "voice": spec.voice, "speed": spec.speed}
        await client.compose(
            session_id,
            spec.product_name,
            spec.cta,
            font=spec.font,
            color=spec.color,
            music=spec.music,
            genre=spec.genre,
            formats=spec.formats,
            voiceover=voiceover,
            captions=spec.captions,
            brand_kit_id=spec.brand,
            brand_logo=spec.logo,
            music_upload=upload,
            music_model=spec.music_model,
        )
        session = await client.wait_for_stage(session_id, VIDEO_DONE, on_event)
    videos = _final_videos(session)
    files = output_paths(spec.out, spec.formats)[: len(videos)]
    with _timed(seconds, "download", on_step):
        for video, path in zip(videos, files, strict=True):
            await client.download(video.url, path)
        # The captions beside the first MP4 (ad.vtt, ad.srt): one timeline for every format.
        for ext, url in (("vtt", videos[0].captions_vtt_url), ("srt", videos[0].captions_srt_url)):
            if url:
                path = files[0].with_suffix(f".{ext}")
                await client.download(url, path)
                files.append(path)
    return JourneyResult(session_id, files, videos, session.total_cost, seconds)


def _final_videos(session: Session) -> list[FinalVideo]:
    videos = session.final_videos or ([session.final_video] if session.final_video else [])
    if not videos:
        raise RuntimeError(f"session {session.id} is complete but has no final video")
    return videos
