"""The compositor agent over real gRPC, rendering with real FFmpeg; outputs probed with PyAV."""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc
import numpy as np
import pytest

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.media import probe
from services.common.storage import LocalStore
from tests.compositing import LANDSCAPE, PORTRAIT, SQUARE, compose, make_clip, put_clips, request, video_path
from tests.video_analysis import audio_samples, color_share, frame_at

MB = 1024 * 1024


@pytest.fixture(scope="module")
def clip_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("clips")
    return {
        # The sizes and rates video models really return: 1024x576 at 6 fps, 1280x720 at 24 fps + audio.
        "slow": make_clip(d / "slow.mp4", "1024x576", 6, 2.0),
        "hd": make_clip(d / "hd.mp4", "1280x720", 24, 1.5, audio=True),
        "short": make_clip(d / "short.mp4", "640x360", 30, 1.0),
    }


async def test_landscape_ad_with_music_from_mixed_clips(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, clip_files: dict[str, Path]
) -> None:
    clips = put_clips(store, "s1", [clip_files["slow"], clip_files["hd"]])
    req = request(clips, music=pb.Music(enabled=True, genre=pb.MUSIC_GENRE_UPBEAT))
    progress, result = await compose(compositor, req)

    fractions = [p.fraction for p in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any(0.1 < f < 0.95 for f in fractions), "FFmpeg's progress reached the stream"
    assert [v.format for v in result.videos] == [LANDSCAPE]
    asset = result.videos[0].asset
    assert asset.uri == "asset://sessions/s1/final/final-1-16x9.mp4"
    path = video_path(store, asset)
    info = probe(path)
    assert (info.width, info.height, info.fps) == (1920, 1080, 30.0)
    assert (info.video_codec, info.pix_fmt, info.audio_codec) == ("h264", "yuv420p", "aac")
    expected = 1.0 + 2.0 + 1.5 + 1.0 - 3 * 0.5
    assert abs(info.duration_s - expected) <= 0.1
    assert abs(asset.duration_s - expected) <= 0.1
    assert path.stat().st_size < 15 * MB
    # faststart: the index (moov) comes before the media data.
    head = path.read_bytes()[:4096]
    assert head.find(b"moov") != -1 and (head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat"))

    # The product name sits in the lower third over the clips, in the chosen colour.
    # The clips show from 0.5 s to 3.0 s (cross-fades to 1.0 and from 2.5): 2.0 s is past every fade.
    lower_third = frame_at(path, 2.0)[880:960, 560:1360]
    assert color_share(lower_third, (255, 204, 0)) > 0.05

    # Music: stored, the right length, not silent, never clipping.
    assert result.music.uri == "asset://sessions/s1/audio/final-1.wav"
    audio = audio_samples(path)
    rms_db = 20 * np.log10(np.sqrt(np.mean(audio**2)))
    peak_db = 20 * np.log10(np.abs(audio).max())
    assert -30 < rms_db < -8
    assert peak_db < 0.0
    wav = probe(store.path_of("sessions/s1/audio/final-1.wav"))
    assert abs(wav.duration_s - expected) < 0.05 and wav.audio_rate == 48000

    assert result.cost.provider == "local" and result.cost.model == "local/ffmpeg"
    assert result.music_cost.model == "local/numpy-synth"
    assert result.cost.usd_micros >= result.music_cost.usd_micros > 0
    assert not result.replayed and result.fallback_reason == ""


async def test_three_formats_from_one_call_hard_cuts_no_music_and_replay(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, clip_files: dict[str, Path]
) -> None:
    clips = put_clips(store, "s2", [clip_files["short"], clip_files["hd"]])
    req = request(
        clips,
        session_id="s2",
        intro_s=0.5,
        outro_s=0.5,
        transition_s=0.0,
        formats=[LANDSCAPE, PORTRAIT, SQUARE],
    )
    _, result = await compose(compositor, req)
    expected = 0.5 + 1.0 + 1.5 + 0.5
    sizes = {LANDSCAPE: (1920, 1080), PORTRAIT: (1080, 1920), SQUARE: (1080, 1080)}
    assert [v.format for v in result.videos] == [LANDSCAPE, PORTRAIT, SQUARE]
    for video in result.videos:
        path = video_path(store, video.asset)
        info = probe(path)
        assert (info.width, info.height) == sizes[video.format]
        assert (info.fps, info.video_codec, info.pix_fmt) == (30.0, "h264", "yuv420p")
        assert not info.has_audio, "no music requested: no audio track (clip audio is dropped)"
        assert abs(info.duration_s - expected) <= 0.1
        # The CTA is laid out for each frame shape: its colour is in the middle band of the outro.
        h = info.height
        outro = frame_at(path, expected - 0.1)
        assert color_share(outro[int(0.3 * h) : int(0.7 * h)], (255, 204, 0)) > 0.005
    assert not result.HasField("music")

    # The same item again: replayed from storage with its original cost, nothing re-rendered.
    first = video_path(store, result.videos[0].asset)
    mtime = first.stat().st_mtime_ns
    progress, again = await compose(compositor, req)
    assert again.replayed and not progress
    assert again.cost == result.cost
    assert [v.asset.uri for v in again.videos] == [v.asset.uri for v in result.videos]
    assert first.stat().st_mtime_ns == mtime


async def test_list_fonts(compositor: pb_grpc.CompositorServiceStub) -> None:
    reply = await compositor.ListFonts(pb.ListFontsRequest(), timeout=5)
    fonts = {f.id: f.name for f in reply.fonts}
    assert {"inter", "lato", "roboto", "bebas-neue", "dejavu-sans"} <= set(fonts)
    assert fonts["bebas-neue"] == "Bebas Neue"


def _mutations(clips: list[common_pb2.AssetRef]) -> list[tuple[str, dict[str, object], str]]:
    ov = {"product_name": "Aurora", "cta": "Shop now", "font": "inter", "color": "#ffcc00"}

    def overlay(**kw: str) -> pb.TextOverlay:
        return pb.TextOverlay(**(ov | kw))

    ref = common_pb2.AssetRef
    return [
        ("session_id", {"session_id": "../x"}, "session_id"),
        ("item_id", {"item_id": ""}, "item_id"),
        ("no clips", {"clips": []}, "clips"),
        ("nine clips", {"clips": clips[:1] * 9}, "clips"),
        ("http clip", {"clips": [ref(uri="https://example.com/a.mp4")]}, "clips[0].uri"),
        ("bad key", {"clips": [clips[0], ref(uri="asset://../etc/passwd")]}, "clips[1].uri"),
        ("intro short", {"intro_s": 0.2}, "intro_s"),
        ("outro long", {"outro_s": 3.5}, "outro_s"),
        ("transition", {"transition_s": 1.5}, "transition_s"),
        ("transition >= clip", {"transition_s": 1.0, "intro_s": 2.0, "outro_s": 2.0}, "transition_s"),
        ("empty name", {"overlay": overlay(product_name="  ")}, "overlay.product_name"),
        ("long name", {"overlay": overlay(product_name="x" * 51)}, "overlay.product_name"),
        ("three lines", {"overlay": overlay(product_name="a\nb\nc")}, "overlay.product_name"),
        ("control char", {"overlay": overlay(cta="Buy\tnow")}, "overlay.cta"),
        ("long cta", {"overlay": overlay(cta="y" * 31)}, "overlay.cta"),
        ("no glyph", {"overlay": overlay(product_name="ༀ Tibetan")}, "overlay.product_name"),
        ("font", {"overlay": overlay(font="comic-sans")}, "overlay.font"),
        ("color", {"overlay": overlay(color="yellow")}, "overlay.color"),
        ("format unspecified", {"formats": [pb.OUTPUT_FORMAT_UNSPECIFIED]}, "formats[0]"),
        ("format repeated", {"formats": [LANDSCAPE, SQUARE, LANDSCAPE]}, "formats[2]"),
        ("genre", {"music": pb.Music(enabled=True)}, "music.genre"),
        (
            "music model",
            {"music": pb.Music(enabled=True, genre=pb.MUSIC_GENRE_CHILL, model="suno")},
            "music.model",
        ),
    ]


async def test_every_bad_field_is_refused_by_name(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, clip_files: dict[str, Path]
) -> None:
    clips = put_clips(store, "s3", [clip_files["short"]])
    for name, change, field in _mutations(clips):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await compose(compositor, request(clips, **({"session_id": "s3"} | change)))
            pytest.fail(f"{name}: accepted")
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, name
        assert (err.value.details() or "").startswith(f"{field}:"), (name, err.value.details())
    with pytest.raises(grpc.aio.AioRpcError) as err:
        bad_font = pb.TextOverlay(product_name="A", cta="B", font="x")
        await compose(compositor, request(clips, session_id="s3", overlay=bad_font))
    assert "inter" in (err.value.details() or ""), "the message lists the valid font ids"

    missing = [clips[0], common_pb2.AssetRef(uri="asset://sessions/s3/clips/nope.mp4")]
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await compose(compositor, request(missing, session_id="s3"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND

    not_video = store.path_of("sessions/s3/clips/text.mp4")
    not_video.write_text("not a video")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        text = [common_pb2.AssetRef(uri="asset://sessions/s3/clips/text.mp4")]
        await compose(compositor, request(text, session_id="s3"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert (err.value.details() or "").startswith("clips[0]:")


async def test_cancelled_call_leaves_no_ffmpeg_behind(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, clip_files: dict[str, Path]
) -> None:
    clips = put_clips(store, "s4", [clip_files["slow"], clip_files["hd"]])
    call = compositor.Compose(request(clips, session_id="s4", formats=[LANDSCAPE, PORTRAIT, SQUARE]))
    async for event in call:
        if event.progress.message == "Stitching clips..." and event.progress.fraction > 0.0:
            break  # FFmpeg has reported progress: it is running
    assert _ffmpeg_children()
    call.cancel()
    for _ in range(50):
        if not _ffmpeg_children():
            break
        await asyncio.sleep(0.1)
    assert not _ffmpeg_children(), "cancelling the call killed its FFmpeg"
    assert not store.path_of("sessions/s4/final/final-1-16x9.mp4").exists()


def _ffmpeg_children() -> list[int]:
    import os

    me = str(os.getpid())
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            cmd = (proc / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if proc.name.isdigit() and stat.split(") ")[1].split()[1] == me and b"ffmpeg" in cmd:
            pids.append(int(proc.name))
    return pids


async def test_transition_longer_than_half_a_clip_still_times_right(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, clip_files: dict[str, Path]
) -> None:
    """A 1 s clip with 0.6 s cross-fades: its two transitions overlap (the chained-xfade path)."""
    clips = put_clips(store, "s5", [clip_files["short"]])
    _, result = await compose(compositor, request(clips, session_id="s5", transition_s=0.6))
    info = probe(video_path(store, result.videos[0].asset))
    assert abs(info.duration_s - (1.0 + 1.0 + 1.0 - 2 * 0.6)) <= 0.1
    assert (info.width, info.height, info.fps) == (1920, 1080, 30.0)
