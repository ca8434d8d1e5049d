"""Voiceover and captions through the compositor agent over real gRPC and FFmpeg: the final's audio
carries speech in the word windows at -16 LUFS, the highlighted word moves at the word times, and
WebVTT/SRT files are stored beside the MP4."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import grpc
import numpy as np
import pytest

from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.ffmpeg import ffmpeg_exe
from services.common.storage import LocalStore
from services.compositor.captions import ACCENT, band
from services.compositor.fonts import FONTS
from services.compositor.layout import FORMATS
from services.compositor.loudness import integrated_lufs
from tests.compositing import compose, put_clips, request
from tests.video_analysis import audio_samples, color_share, frame_at

SCRIPT = "Meet Aurora Runner. Light and fast on every track. Shop now!"
STAMP = r"(\d\d):(\d\d):(\d\d)\.(\d\d\d)"


def _seconds(m: tuple[str, ...]) -> float:
    h, mi, s, ms = (int(x) for x in m)
    return h * 3600 + mi * 60 + s + ms / 1000


@pytest.fixture(scope="module")
def solid_clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    # Flat blue clips: nothing in them is the caption accent colour.
    d = tmp_path_factory.mktemp("vo")
    paths = []
    for i in range(3):
        path = d / f"c{i}.mp4"
        src = "color=c=0x2050a0:s=1024x576:r=30:d=2.5"
        subprocess.run(
            [ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", src, "-c:v", "libx264", "-preset",
             "ultrafast", "-pix_fmt", "yuv420p", str(path)],
            check=True,
        )  # fmt: skip
        paths.append(path)
    return paths


def _word_times(vtt: str) -> list[tuple[str, float]]:
    """(word, start) of every word, from the cue starts and the karaoke timestamps."""
    out = []
    for cue in vtt.strip().split("\n\n")[1:]:
        timing, body = cue.split("\n", 1)
        t = _seconds(re.match(STAMP, timing).groups())  # type: ignore[union-attr]
        for part in body.split(" "):
            word = part
            if m := re.match(r"<" + STAMP + r">(.*)", part):
                t, word = _seconds(m.groups()[:4]), m.group(5)
            out.append((word, t))
    return out


async def test_voiceover_with_highlighted_captions(
    compositor: pb_grpc.CompositorServiceStub, storage_dir: Path, solid_clips: list[Path]
) -> None:
    store = LocalStore(storage_dir)
    clips = put_clips(store, "s1", solid_clips)
    req = request(
        clips,
        music=pb.Music(enabled=True, genre=pb.MUSIC_GENRE_UPBEAT),
        voiceover=pb.Voiceover(script=SCRIPT),
        captions=pb.CAPTION_STYLE_HIGHLIGHT,
    )
    _, result = await compose(compositor, req)
    assert 2.0 < result.voiceover_s < 7.0
    mp4 = store.path_of(result.videos[0].asset.uri.removeprefix("asset://"))
    vtt = store.path_of(result.captions_vtt.uri.removeprefix("asset://")).read_text()
    srt = store.path_of(result.captions_srt.uri.removeprefix("asset://")).read_text()
    assert mp4.parent == store.path_of(result.captions_vtt.uri.removeprefix("asset://")).parent
    assert srt.startswith("1\n") and "Meet Aurora Runner." in srt
    words = _word_times(vtt)
    assert [w for w, _ in words] == SCRIPT.split()

    # Speech in the word windows: far louder than the music bed before the voice starts.
    audio = audio_samples(mp4).T.astype(np.float64)
    assert abs(integrated_lufs(audio, 48000) - (-16.0)) < 1.0
    first = words[0][1]

    def level(a: float, b: float) -> float:
        part = audio[int(a * 48000) : int(b * 48000)]
        return float(20 * np.log10(np.sqrt((part**2).mean()) + 1e-9))

    assert first > 0.3
    speaking = level(first, words[-1][1])
    assert speaking > -30, speaking

    # The highlighted (accent) word moves right at each word time within a page.
    b = band(FORMATS[pb.OUTPUT_FORMAT_LANDSCAPE_16_9], FONTS["inter"])

    def accent_x(t: float) -> float | None:
        region = frame_at(mp4, t)[b.y : b.y + b.height, b.x : b.x + b.width]
        hits = np.all(np.abs(region.astype(int) - np.array(ACCENT)) <= 40, axis=-1)
        return float(np.flatnonzero(hits.any(axis=0)).mean()) if hits.sum() > 30 else None

    assert accent_x(max(0.05, first - 0.25)) is None, "no caption before the first word"
    t0, t1, t2 = (t for _, t in words[:3])  # "Meet Aurora Runner." is one page
    x0, x1, x2 = accent_x(t0 + 0.07), accent_x(t1 + 0.07), accent_x(t2 + 0.07)
    assert x0 is not None and x1 is not None and x2 is not None, (x0, x1, x2)
    assert x0 < x1 < x2, (x0, x1, x2)
    # The name over the clips moved up: nothing of the name's colour in the bottom band.
    mid = frame_at(mp4, t1 + 0.07)
    assert color_share(mid[b.y : b.y + b.height], (255, 204, 0), tol=20) < 0.05


async def test_voiceover_refusals_name_their_field(
    compositor: pb_grpc.CompositorServiceStub, storage_dir: Path, solid_clips: list[Path]
) -> None:
    clips = put_clips(LocalStore(storage_dir), "s2", solid_clips[:1])
    cases = [
        ({"captions": pb.CAPTION_STYLE_PHRASE}, "captions"),
        ({"voiceover": pb.Voiceover(script="Hi there", speed=3.0)}, "voiceover.speed"),
        ({"voiceover": pb.Voiceover(script="Hi there", voice="nobody")}, "voiceover.voice"),
        # A Kokoro voice needs the replicate engine; this compositor runs the local one.
        ({"voiceover": pb.Voiceover(script="Hi there", voice="am_adam")}, "voiceover.voice"),
        ({"voiceover": pb.Voiceover(script="Hi\x1bthere")}, "voiceover.script"),
        ({"voiceover": pb.Voiceover(script=" ".join(["word"] * 60))}, "voiceover.script"),
    ]
    for over, field in cases:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await compose(compositor, request(clips, session_id="s2", **over))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, field
        assert (err.value.details() or "").startswith(f"{field}:"), err.value.details()
    voices = (await compositor.ListVoices(pb.ListVoicesRequest(), timeout=10)).voices
    assert [(v.id, v.online) for v in voices] == [("joe", False)]
