"""Several finals from one Compose call (variants): each probed with PyAV, pixels and audio checked."""

from __future__ import annotations

from pathlib import Path

import grpc
import numpy as np
import pytest

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.media import probe
from services.common.storage import LocalStore
from services.compositor.providers.local import LocalMusic
from tests.compositing import LANDSCAPE, PORTRAIT, SQUARE, compose, make_clip, put_clips, request, video_path
from tests.video_analysis import audio_samples, color_share, frame_at

YELLOW, GREEN, CYAN, BLUE = (255, 204, 0), (64, 255, 96), (0, 229, 255), (16, 48, 192)
SIZES = {LANDSCAPE: (1920, 1080), PORTRAIT: (1080, 1920), SQUARE: (1080, 1080)}


@pytest.fixture(scope="module")
def clip_pair(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("variant-clips")
    return [make_clip(d / "a.mp4", "1024x576", 6, 1.5), make_clip(d / "b.mp4", "640x360", 30, 1.0)]


def overlay(color: str, cta: str = "Shop now", font: str = "inter") -> pb.TextOverlay:
    return pb.TextOverlay(product_name="Aurora Runner", cta=cta, font=font, color=color)


def cta_band(path: Path, t: float) -> np.ndarray:
    frame = frame_at(path, t)
    h = frame.shape[0]
    return frame[int(0.3 * h) : int(0.7 * h)]


async def test_four_variants_in_one_call(
    compositor: pb_grpc.CompositorServiceStub,
    store: LocalStore,
    clip_pair: list[Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    genres: list[str] = []
    make_music = LocalMusic.make_music

    async def counting(self: LocalMusic, req):  # type: ignore[no-untyped-def]
        genres.append(req.genre)
        return await make_music(self, req)

    monkeypatch.setattr(LocalMusic, "make_music", counting)
    clips = put_clips(store, "v1", clip_pair)
    variants = [
        pb.ComposeVariant(variant_id="wide", format=LANDSCAPE),  # the request's overlay and music
        # Same format and card tone as "wide": shares its clip chain; other CTA, font, colour; silent.
        pb.ComposeVariant(
            variant_id="wide-green",
            format=LANDSCAPE,
            overlay=overlay("#40ff60", cta="Buy today", font="bebas-neue"),
            music=pb.Music(enabled=False),
        ),
        pb.ComposeVariant(
            variant_id="tall",
            format=PORTRAIT,
            overlay=overlay("#00e5ff"),
            music=pb.Music(enabled=True, genre=pb.MUSIC_GENRE_CHILL),
        ),
        # Dark text: its cards are light, so it gets a chain of its own.
        pb.ComposeVariant(variant_id="square", format=SQUARE, overlay=overlay("#1030c0")),
    ]
    req = request(
        clips,
        session_id="v1",
        item_id="final-v",
        intro_s=0.5,
        outro_s=0.8,
        transition_s=0.3,
        music=pb.Music(enabled=True, genre=pb.MUSIC_GENRE_UPBEAT),
        formats=[SQUARE],  # ignored when variants are named
        variants=variants,
    )
    _, result = await compose(compositor, req)
    assert sorted(genres) == ["chill", "upbeat"], "one track per distinct music, shared by its variants"

    ids = ["wide", "wide-green", "tall", "square"]
    assert [v.variant_id for v in result.videos] == ids
    assert [v.format for v in result.videos] == [LANDSCAPE, LANDSCAPE, PORTRAIT, SQUARE]
    paths = {v.variant_id: video_path(store, v.asset) for v in result.videos}
    expected = 0.5 + 1.5 + 1.0 + 0.8 - 3 * 0.3
    for video in result.videos:
        assert video.asset.uri == f"asset://sessions/v1/final/final-v-{video.variant_id}.mp4"
        info = probe(paths[video.variant_id])
        assert (info.width, info.height) == SIZES[video.format]
        assert (info.fps, info.video_codec, info.pix_fmt) == (30.0, "h264", "yuv420p")
        assert abs(info.duration_s - expected) <= 0.1
        assert info.has_audio == (video.variant_id != "wide-green"), video.variant_id
        assert video.asset.width == info.width and video.asset.bytes == paths[video.variant_id].stat().st_size

    # Each variant's CTA in its own colour, and not in its sibling's.
    end = expected - 0.1
    for vid, own, other in (("wide", YELLOW, GREEN), ("wide-green", GREEN, YELLOW), ("tall", CYAN, YELLOW)):
        band = cta_band(paths[vid], end)
        assert color_share(band, own) > 0.005, vid
        assert color_share(band, other) < color_share(band, own) / 5, vid
    assert color_share(cta_band(paths["square"], end), BLUE, tol=50) > 0.005
    # Dark text sits on a light card; light text on a dark one.
    assert cta_band(paths["square"], end)[:, :100].mean() > 150
    assert cta_band(paths["wide"], end)[:, :100].mean() < 100

    # The two 16:9 variants share one clip chain: away from the texts their pictures match.
    mid = 0.5 + 0.9
    top = slice(0, 500)
    diff = np.abs(frame_at(paths["wide"], mid)[top].astype(int) - frame_at(paths["wide-green"], mid)[top])
    assert diff.mean() < 3.0

    # Music: the same upbeat track in "wide" and "square", the chill one in "tall".
    wide, square, tall = (audio_samples(paths[v]) for v in ("wide", "square", "tall"))
    n = min(wide.shape[1], square.shape[1], tall.shape[1])
    assert np.sqrt(np.mean(wide**2)) > 0.01 and np.sqrt(np.mean(tall**2)) > 0.01
    assert np.abs(wide[:, :n] - square[:, :n]).max() < 1e-3
    assert np.abs(wide[:, :n] - tall[:, :n]).mean() > 0.01
    assert result.music.uri == "asset://sessions/v1/audio/final-v.wav"
    assert result.music_cost.model == "local/numpy-synth"
    assert result.cost.usd_micros >= result.music_cost.usd_micros > 0

    # Replayed whole, with variant ids, nothing re-rendered.
    mtime = paths["tall"].stat().st_mtime_ns
    progress, again = await compose(compositor, req)
    assert again.replayed and not progress and again.cost == result.cost
    assert [(v.variant_id, v.asset.uri) for v in again.videos] == [
        (v.variant_id, v.asset.uri) for v in result.videos
    ]
    assert paths["tall"].stat().st_mtime_ns == mtime and len(genres) == 2


def _variant_mutations() -> list[tuple[str, list[pb.ComposeVariant], str]]:
    def v(variant_id: str = "a", fmt: int = LANDSCAPE, **kw: object) -> pb.ComposeVariant:
        return pb.ComposeVariant(variant_id=variant_id, format=fmt, **kw)  # type: ignore[arg-type]

    white, blank_cta = overlay("#ffffff"), overlay("#fff000", cta=" ")
    seven = [v(f"v{i}", overlay=overlay(f"#00000{i}")) for i in range(7)]
    return [
        ("bad id", [v("a/b")], "variants[0].variant_id"),
        ("empty id", [v(), v("", SQUARE)], "variants[1].variant_id"),
        ("repeated id", [v(), v("a", SQUARE)], "variants[1].variant_id"),
        ("no format", [v(fmt=pb.OUTPUT_FORMAT_UNSPECIFIED)], "variants[0].format"),
        ("seven", seven, "variants"),
        ("empty cta", [v(), v("b", SQUARE), v("c", PORTRAIT, overlay=blank_cta)], "variants[2].overlay.cta"),
        ("font", [v(overlay=overlay("#ffffff", font="comic"))], "variants[0].overlay.font"),
        ("color", [v(overlay=overlay("white"))], "variants[0].overlay.color"),
        ("no glyph", [v(overlay=overlay("#ffffff", cta="ༀ"))], "variants[0].overlay.cta"),
        ("genre", [v(music=pb.Music(enabled=True))], "variants[0].music.genre"),
        ("same video", [v("a", SQUARE, overlay=white), v("b", SQUARE, overlay=white)], "variants[1]"),
    ]  # fmt: skip


async def test_bad_variants_are_refused_by_name(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, clip_pair: list[Path]
) -> None:
    clips = put_clips(store, "v2", clip_pair[1:])
    for name, variants, field in _variant_mutations():
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await compose(compositor, request(clips, session_id="v2", variants=variants))
            pytest.fail(f"{name}: accepted")
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, name
        assert (err.value.details() or "").startswith(f"{field}:"), (name, err.value.details())
    missing = [common_pb2.AssetRef(uri="asset://sessions/v2/clips/nope.mp4")]
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await compose(
            compositor,
            request(missing, session_id="v2", variants=[pb.ComposeVariant(variant_id="a", format=SQUARE)]),
        )
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
