"""Text safety and text rendering, checked by the frames' pixels: hostile strings draw literally,
every script is shaped and drawn (per-cluster fallback across the bundled Noto fonts), colour emoji
keep their colour, Arabic runs right to left, and what no bundled font can draw is refused by field."""

from __future__ import annotations

from pathlib import Path

import grpc
import numpy as np
import pytest
from PIL import Image

from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.ffmpeg import run_ffmpeg
from services.common.media import probe
from services.common.storage import LocalStore
from services.compositor.filtergraph import (
    ChainPlan,
    ClipInput,
    Encoder,
    OutputPlan,
    RenderPlan,
    TextItem,
    build_args,
)
from services.compositor.fonts import FONTS
from services.compositor.layout import FORMATS, fit_block
from services.compositor.text_image import Style, render
from services.compositor.timeline import Timeline
from tests.compositing import compose, make_clip, put_clips, request, video_path
from tests.video_analysis import color_share, frame_at

CYAN = (0, 255, 255)
FMT = FORMATS[pb.OUTPUT_FORMAT_LANDSCAPE_16_9]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "clip.mp4", "1024x576", 6, 1.0)


# (product_name, cta, the fallback font the notes must name, or None). All drawn literally.
DRAWN = [
    ('It\'s "50%": {x} \\ %{pts}', "%{pts} %{n}", None),
    ("Run\nFaster", "Buy;[now],go", None),
    ("Glow 😀", "Shop 👩🏽‍🚀 🇯🇵", "Noto Color Emoji"),
    ("عطر الورد", "اشتر الآن", "Noto Sans Arabic"),
    ("新しい香り", "今すぐ購入", "Noto Sans CJK"),
    ("नमस्ते שלום", "สั่งซื้อ", "Noto Sans Devanagari"),
]


@pytest.mark.parametrize("case", DRAWN, ids=["syntax", "newline", "emoji", "arabic", "japanese", "mixed"])
async def test_hostile_and_unicode_text_renders_literally(
    compositor: pb_grpc.CompositorServiceStub,
    store: LocalStore,
    clip: Path,
    case: tuple[str, str, str | None],
) -> None:
    name, cta, fallback = case
    clips = put_clips(store, "t1", [clip])
    overlay = pb.TextOverlay(product_name=name, cta=cta, font="bebas-neue", color="#00ffff")
    req = request(clips, session_id="t1", intro_s=0.5, outro_s=1.5, transition_s=0.0, overlay=overlay)
    _, result = await compose(compositor, req)
    path = video_path(store, result.videos[0].asset)
    info = probe(path)
    assert (info.width, info.height) == (1920, 1080) and abs(info.duration_s - 3.0) <= 0.1
    if fallback:
        assert fallback in result.fallback_reason
    else:
        assert result.fallback_reason == ""
    # The outro (1.5 s - 3.0 s) shows the CTA once faded in. "%{pts}" is drawn as six characters on
    # every frame; were it expanded, it would count time and the frames would differ.
    early, late = frame_at(path, 2.2), frame_at(path, 2.9)
    band = slice(int(0.45 * 1080), int(0.75 * 1080))
    assert color_share(late[band], CYAN) > 0.003, "the CTA is drawn in the chosen colour"
    assert np.abs(early[band].astype(int) - late[band].astype(int)).mean() < 1.0


@pytest.mark.parametrize(
    "case",
    [
        (
            "overlay.product_name",
            pb.TextOverlay(product_name="ༀ", cta="Buy", font="inter", color="#fff"),
            "U+0F00",
        ),
        (
            "overlay.cta",
            pb.TextOverlay(product_name="Ok", cta="Ꭰ go", font="inter", color="#ffffff"),
            "U+13A0",
        ),
        (
            "overlay.cta",
            pb.TextOverlay(product_name="Ok", cta="a\x00b", font="inter", color="#ffffff"),
            "U+0000",
        ),
    ],
)
async def test_text_no_bundled_font_can_draw_is_refused_by_field(
    compositor: pb_grpc.CompositorServiceStub,
    store: LocalStore,
    clip: Path,
    case: tuple[str, pb.TextOverlay, str],
) -> None:
    field, overlay, named = case
    clips = put_clips(store, "t2", [clip])
    overlay.color = "#ffffff"
    for call in ("Compose", "CheckCompose"):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            req = request(clips, session_id="t2", overlay=overlay)
            if call == "Compose":
                await compose(compositor, req)
            else:
                await compositor.CheckCompose(pb.CheckComposeRequest(request=req))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert (err.value.details() or "").startswith(f"{field}:")
        assert named in (err.value.details() or "")


def _text_png(path: Path, text: str, color: tuple[int, int, int] = (255, 255, 255)) -> tuple[Path, int, int]:
    """The lower-third text as the compositor draws it, and where it goes (centred at y 0.85)."""
    slot = FMT.clip_name
    block = fit_block(text, FONTS["inter"], slot, FMT, boxed=False)
    image = render(block, Style(color, (0, 0, 0), shadow_alpha=0.0), boxed=False)
    image.save(path)
    return (
        path,
        (FMT.width - image.width) // 2 // 2 * 2,
        round(FMT.height * slot.y_center - image.height / 2) // 2 * 2,
    )


async def _frame(clip: Path, texts: tuple[TextItem, ...], work: Path, name: str) -> np.ndarray:
    """Frame 1.0 s of a 2 s timeline (a grey card, the clip, a grey card) with these texts."""
    tl = Timeline(0.5, (1.0,), 0.5, 0.0)
    card = work / "card.png"
    Image.new("RGB", (FMT.width, FMT.height), (40, 40, 40)).save(card)
    out = work / f"{name}.mp4"
    plan = RenderPlan(
        clips=(ClipInput(clip, 1024, 576),),
        timeline=tl,
        chains=(ChainPlan(FMT, card, card, (OutputPlan(texts, None, out),)),),
        music=(),
        encoder=Encoder(preset="ultrafast"),
    )
    await run_ffmpeg(build_args(plan))
    return frame_at(out, 1.0)


@pytest.mark.parametrize("text", ["新しい香り", "عطر الورد", "🚀🎉👍"], ids=["cjk", "arabic", "emoji"])
async def test_scripts_are_drawn_where_the_text_goes(tmp_path: Path, clip: Path, text: str) -> None:
    """The same timeline with and without the text: only the text's region differs, and by a lot."""
    odd_dir = tmp_path / "it's: [a], b; c\\d %e"  # the graph must survive any path we give it
    odd_dir.mkdir()
    png, x, y = _text_png(odd_dir / "text.png", text)
    with Image.open(png) as im:
        w, h = im.size
    window = Timeline(0.5, (1.0,), 0.5, 0.0).clip_text()
    with_text = await _frame(clip, (TextItem(png, x, y, window),), odd_dir, "with")
    without = await _frame(clip, (), odd_dir, "without")
    diff = np.abs(with_text.astype(int) - without.astype(int)).mean(axis=-1)
    assert diff[y : y + h, x : x + w].mean() > 8, "the text region changed"
    outside = diff.copy()
    outside[max(0, y - 4) : y + h + 4, max(0, x - 4) : x + w + 4] = 0
    assert outside.mean() < 0.3, "nothing changed outside it"


async def test_colour_emoji_keep_their_colour_and_arabic_runs_right_to_left(
    tmp_path: Path, clip: Path
) -> None:
    """White Arabic, then a rocket. Right to left, the text's first letters are at the right and
    the rocket (the last character) at the left; the rocket is in colour, the letters are white."""
    png, x, y = _text_png(tmp_path / "text.png", "عطر الورد 🚀")
    with Image.open(png) as im:
        w, h = im.size
    window = Timeline(0.5, (1.0,), 0.5, 0.0).clip_text()
    frame = await _frame(clip, (TextItem(png, x, y, window),), tmp_path, "rtl")
    without = await _frame(clip, (), tmp_path, "plain")
    region = frame[y : y + h, x : x + w].astype(int)
    changed = np.abs(region - without[y : y + h, x : x + w].astype(int)).mean(axis=-1) > 40
    saturation = region.max(axis=-1) - region.min(axis=-1)
    coloured = changed & (saturation > 90)
    white = changed & (region.min(axis=-1) > 200)
    assert coloured.sum() > 300, "the emoji is drawn in colour"
    assert white.sum() > 300, "the letters are drawn in the text's colour"
    cols = np.arange(w)[None, :].repeat(h, axis=0)
    assert cols[coloured].mean() < w * 0.3 < w * 0.5 < cols[white].mean(), "Arabic first, at the right"
