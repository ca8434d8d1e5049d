"""video_gen building blocks without a server: source stills, the FFmpeg command, settings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from services.common.errors import InvalidArgument
from services.video_gen.camera import plan_move
from services.video_gen.clip_command import Encoding, clip_args, frame_count
from services.video_gen.config import Settings
from services.video_gen.light import band_x_expression, write_band
from services.video_gen.providers import make_provider
from services.video_gen.source_image import check_image, cover_crop


def test_cover_crop_fills_16_9_from_any_aspect(tmp_path: Path) -> None:
    # Portrait: blue top and bottom, a red middle; a cover crop keeps the middle only.
    im = Image.new("RGB", (300, 1000), "blue")
    im.paste((255, 0, 0), (0, 400, 300, 600))
    im.save(tmp_path / "tall.png")
    cover_crop(tmp_path / "tall.png", tmp_path / "out.png", (1280, 720))
    out = np.asarray(Image.open(tmp_path / "out.png"))
    assert out.shape == (720, 1280, 3)
    assert (out[..., 0] > 200).mean() > 0.99 and out[..., 2].max() < 60


def test_cover_crop_flattens_transparency_onto_white(tmp_path: Path) -> None:
    Image.new("RGBA", (1600, 900), (0, 0, 0, 0)).save(tmp_path / "clear.png")
    cover_crop(tmp_path / "clear.png", tmp_path / "out.png", (64, 36))
    assert np.asarray(Image.open(tmp_path / "out.png")).min() == 255


def test_check_image_refuses_what_is_not_a_usable_still(tmp_path: Path) -> None:
    Image.new("RGB", (40, 30)).save(tmp_path / "ok.jpg")
    assert check_image(tmp_path / "ok.jpg", "f") == (40, 30)
    Image.new("RGB", (40, 30)).save(tmp_path / "a.gif")
    Image.new("RGB", (8, 300)).save(tmp_path / "thin.png")
    # 60 MP in the header: refused before any pixel is decoded.
    Image.new("1", (10_000, 6_000)).save(tmp_path / "huge.png")
    (tmp_path / "junk.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    for name, problem in [
        ("a.gif", "must be PNG, JPEG or WebP"),
        ("thin.png", "is 8x300"),
        ("huge.png", "is 10000x6000"),
        ("junk.png", "is not a decodable image"),
    ]:
        with pytest.raises(InvalidArgument, match=problem) as refused:
            check_image(tmp_path / name, "jobs[3].image")
        assert refused.value.field == "jobs[3].image"


def test_clip_command_is_a_fixed_list_of_numbers_and_our_paths(tmp_path: Path) -> None:
    canvas, band, out = tmp_path / "canvas.png", tmp_path / "band.png", tmp_path / "clip.mp4"
    args = clip_args(canvas, band, out, move=plan_move(4, 0.5, 0), duration_s=3.0, encoding=Encoding())
    assert args[-1] == str(out) and str(canvas) in args and str(band) in args
    for flag, value in [("-frames:v", "90"), ("-c:v", "libx264"), ("-pix_fmt", "yuv420p"), ("-r", "30")]:
        assert args[args.index(flag) + 1] == value
    assert args[args.index("-movflags") + 1] == "+faststart"
    graph = args[args.index("-filter_complex") + 1]
    assert "perspective=" in graph and "eval=frame" in graph and "scale=1024:576" in graph
    assert frame_count(2.0) == 60 and frame_count(2.51) == 75 and frame_count(4.0) == 120


def test_light_band_is_soft_and_off_frame_at_both_ends(tmp_path: Path) -> None:
    write_band(tmp_path / "b.png", 576, seed=0)
    alpha = np.asarray(Image.open(tmp_path / "b.png"))[..., 3].astype(int)
    assert 20 <= alpha.max() <= 30 and alpha[:, 0].max() < 3  # a faint sheen with soft edges
    expr = band_x_expression(1024, 3.0)
    x_at = {t: eval(expr, {"__builtins__": {}}, {"t": t}) for t in (0.0, 1.5, 3.0)}
    assert x_at[0.0] <= -320 and -320 < x_at[1.5] < 1024 and x_at[3.0] >= 1024


def test_engine_follows_the_replicate_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("ADREEL_ENGINE", "ADREEL_VIDEO_GEN_ENGINE", "REPLICATE_API_TOKEN", "PORT", "ADREEL_PORT"):
        monkeypatch.delenv(name, raising=False)
    assert Settings().engine == "local" and Settings().port == 50053 and Settings().max_concurrency == 2
    monkeypatch.setenv("REPLICATE_API_TOKEN", "r8_x")
    assert Settings().engine == "replicate"
    assert Settings(engine="local").engine == "local"
    assert make_provider(Settings(engine="local")).name == "local"
    assert make_provider(Settings()).name == "replicate"
