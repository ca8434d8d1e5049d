"""Cuts on the beat, measured in the rendered MP4: the compositor over real gRPC and FFmpeg.

The clips are still images of distinct colours whose lengths sit on no beat grid; the cuts are
found from frame differences (a hard cut is one large jump, a cross-fade a run of them whose centre
is the cut) and every one must be within a frame of a beat of the music: the synthesiser's (its
bpm, beat 0 at the ad's start) or an uploaded track's (clicks at a known tempo and phase).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import grpc
import numpy as np
import pytest

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.ffmpeg import ffmpeg_exe
from services.common.media import probe
from services.common.storage import LocalStore
from services.compositor.synth import STYLES
from services.compositor.timeline import FPS, Timeline
from tests.compositing import compose, put_clips, request, video_path
from tests.integration.test_gateway_music import TONE_HZ, peak_hz, tone_with_clicks, wav_bytes
from tests.video_analysis import audio_samples, gray_frames

FRAME = 1.0 / FPS
CLIP_S = (2.37, 1.9, 2.73)
COLOURS = ("0x1030c0", "0xf0e020", "0xc02030")


@pytest.fixture(scope="module")
def colour_clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("colour-clips")
    out = []
    for i, (seconds, colour) in enumerate(zip(CLIP_S, COLOURS, strict=True)):
        path = d / f"c{i}.mp4"
        args = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"]
        args += ["-i", f"color=c={colour}:s=640x360:r=24:d={seconds}", "-c:v", "libx264"]
        args += ["-preset", "ultrafast", "-pix_fmt", "yuv420p", str(path)]
        subprocess.run(args, check=True)
        out.append(path)
    return out


def planned(clips: list[Path], transition_s: float) -> Timeline:
    """The timeline as asked for: the clips' own (probed) lengths, intro 1 s, outro 1.2 s."""
    return Timeline(1.0, tuple(probe(c).duration_s for c in clips), 1.2, transition_s)


def measured_cuts(path: Path, transition_s: float) -> list[float]:
    """The cuts of a rendered ad, in seconds: from the mean frame difference (every 8th pixel)."""
    frames = gray_frames(path, (slice(None, None, 8), slice(None, None, 8)))
    diff = np.abs(np.diff(frames, axis=0)).mean(axis=(1, 2))  # diff[i-1]: frame i against i-1
    if transition_s == 0:
        return [(i + 1) / FPS for i in np.flatnonzero(diff > 12.0)]
    # A cross-fade: a run of frames that each change a little; its centre is the cut.
    moving = np.flatnonzero(diff > 0.6)
    runs = np.split(moving, np.flatnonzero(np.diff(moving) > 1) + 1)
    cuts = []
    for run in runs:
        if len(run) >= round(transition_s * FPS) - 1:  # a text fading is shorter, or fainter
            weights = diff[run]
            cuts.append(float(((run + 1) * weights).sum() / weights.sum() - 0.5) / FPS)
    return cuts


def off_beat(t: float, bpm: float, first_s: float = 0.0) -> float:
    period = 60.0 / bpm
    d = (t - first_s) % period
    return min(d, period - d)


@pytest.mark.parametrize(
    ("genre", "music_genre", "transition_s"),
    [("upbeat", pb.MUSIC_GENRE_UPBEAT, 0.0), ("chill", pb.MUSIC_GENRE_CHILL, 0.5)],
)
async def test_every_cut_lands_within_a_frame_of_a_beat(  # noqa: PLR0917 - parametrised
    compositor: pb_grpc.CompositorServiceStub,
    store: LocalStore,
    colour_clips: list[Path],
    genre: str,
    music_genre: int,
    transition_s: float,
) -> None:
    bpm = STYLES[genre].bpm
    asked = planned(colour_clips, transition_s)
    assert max(off_beat(t, bpm) for t in asked.cut_times) > 3 * FRAME, "the clips sit off the beat"
    clips = put_clips(store, "s1", colour_clips)
    req = request(
        clips,
        intro_s=1.0,
        outro_s=1.2,
        transition_s=transition_s,
        music=pb.Music(enabled=True, genre=music_genre),
        formats=[pb.OUTPUT_FORMAT_SQUARE_1_1],
    )
    _, result = await compose(compositor, req)
    path = video_path(store, result.videos[0].asset)

    cuts = measured_cuts(path, transition_s)
    assert len(cuts) == len(CLIP_S) + 1, cuts
    for t in cuts:
        assert off_beat(t, bpm) <= FRAME + 1e-6, f"cut at {t:.3f} s is {off_beat(t, bpm):.3f} s off the beat"
    assert result.music_bpm == pytest.approx(bpm)
    assert list(result.cut_times_s) == pytest.approx(cuts, abs=FRAME)
    # The ad keeps its length; the audio plays for all of it.
    assert result.videos[0].asset.duration_s == pytest.approx(asked.duration_s, abs=FRAME)
    audio = audio_samples(path)
    assert audio.shape[1] / 48_000 == pytest.approx(asked.duration_s, abs=0.07)  # AAC frames: 21 ms


async def test_without_music_the_cuts_stay_where_the_clips_end(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, colour_clips: list[Path]
) -> None:
    clips = put_clips(store, "s2", colour_clips)
    req = request(clips, session_id="s2", intro_s=1.0, outro_s=1.2, transition_s=0.0, preview=True)
    _, result = await compose(compositor, req)
    asked = planned(colour_clips, 0.0)
    assert list(result.cut_times_s) == pytest.approx(asked.cut_times, abs=1e-4)
    assert result.music_bpm == 0
    cuts = measured_cuts(video_path(store, result.videos[0].asset), 0.0)
    assert cuts == pytest.approx(asked.cut_times, abs=1e-6)


def put_track(store: LocalStore, key: str, data: bytes) -> common_pb2.AssetRef:
    dest = store.path_of(key)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return common_pb2.AssetRef(uri=f"asset://{key}")


async def test_an_uploaded_track_is_looped_on_its_beats_and_cut_on(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, colour_clips: list[Path]
) -> None:
    # 4.3 s of a 120 bpm click loop (first beat at 0.25 s) under a 660 Hz tone, for a 9.2 s ad.
    track = put_track(store, "sessions/s3/music/mus1.wav", wav_bytes(tone_with_clicks(4.3)))
    clips = put_clips(store, "s3", colour_clips)
    req = request(
        clips,
        session_id="s3",
        intro_s=1.0,
        outro_s=1.2,
        transition_s=0.0,
        music=pb.Music(enabled=True, upload=track),
        formats=[pb.OUTPUT_FORMAT_SQUARE_1_1],
    )
    _, result = await compose(compositor, req)
    path = video_path(store, result.videos[0].asset)
    assert result.music_bpm == pytest.approx(120, rel=0.005)
    cuts = measured_cuts(path, 0.0)
    assert len(cuts) == len(CLIP_S) + 1
    for t in cuts:
        assert off_beat(t, 120, 0.25) <= FRAME + 0.006, f"cut at {t:.3f} s is off the track's beat"

    audio = audio_samples(path).mean(axis=0)
    assert len(audio) / 48_000 == pytest.approx(planned(colour_clips, 0.0).duration_s, abs=0.07)
    for start in (1.0, 6.0):  # the track itself, and again after the loop's seam
        part = audio[int(start * 48_000) : int((start + 2.0) * 48_000)]
        assert peak_hz(part, 48_000) == pytest.approx(TONE_HZ, abs=2)
        assert np.sqrt(np.mean(part**2)) > 0.02, "audible, not faded away"
    assert result.music_cost.usd_micros == 0 and result.music_cost.model == "upload"


async def test_an_upload_outside_the_sessions_music_is_refused(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, colour_clips: list[Path]
) -> None:
    clips = put_clips(store, "s4", colour_clips)
    invalid, denied = grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED
    for uri, code, says in (
        ("asset://sessions/s4/clips/c0.mp4", invalid, "music.upload.uri: must be a track uploaded to this"),
        ("https://example.com/song.mp3", invalid, "music.upload.uri: must be an asset://"),
        # Another session's keys are refused by the agents' token check before the request is read.
        ("asset://sessions/other/music/m.wav", denied, "music.upload.uri: outside this session's storage"),
    ):
        req = request(
            clips, session_id="s4", music=pb.Music(enabled=True, upload=common_pb2.AssetRef(uri=uri))
        )
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await compose(compositor, req)
        assert err.value.code() == code
        assert (err.value.details() or "").startswith(says), err.value.details()
