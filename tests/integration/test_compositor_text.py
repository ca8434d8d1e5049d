"""Text safety and text rendering: hostile strings draw literally (or are refused by field), glyphs
fall back to DejaVu Sans, and the overlay really changes the picture in the chosen colour."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import numpy as np
import pytest

from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.ffmpeg import run_ffmpeg
from services.common.media import probe
from services.common.storage import LocalStore
from services.compositor.config import Settings
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
from services.compositor.layout import FORMATS
from services.compositor.server import build
from services.compositor.timeline import Timeline
from tests.agents import running_agent
from tests.integration.test_compositor import (
    color_share,
    compose,
    frame_at,
    make_clip,
    put_clips,
    request,
    video_path,
)

CYAN = (0, 255, 255)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clips") / "clip.mp4", "1024x576", 6, 1.0)


@pytest.fixture
async def compositor(storage_dir: Path) -> AsyncIterator[pb_grpc.CompositorServiceStub]:
    agent, settings = build(Settings(storage_dir=storage_dir, engine="local", x264_preset="ultrafast"))
    async with running_agent(agent, settings) as (_, channel):
        yield pb_grpc.CompositorServiceStub(channel)


# (product_name, cta, expected fallback font or None). All drawn: literal text, not filtergraph syntax.
DRAWN = [
    ('It\'s "50%": {x} \\ %{pts}', "%{pts} %{n}", None),
    ("Run\nFaster", "Buy;[now],go", None),
    ("Glow 😀", "Shop ★ now", "dejavu-sans"),
    ("عطر الورد", "اشتر الآن", "dejavu-sans"),
]


@pytest.mark.parametrize("case", DRAWN, ids=["syntax", "newline", "emoji", "arabic"])
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
        assert "DejaVu Sans" in result.fallback_reason
    else:
        assert result.fallback_reason == ""
    # The outro (1.5 s - 3.0 s) shows the CTA once faded in. With expansion off, "%{pts}" is the
    # same six characters on every frame; expanded, it would count time and the frames would differ.
    early, late = frame_at(path, 2.2), frame_at(path, 2.9)
    band = slice(int(0.45 * 1080), int(0.75 * 1080))
    assert color_share(late[band], CYAN) > 0.005, "the CTA is drawn in the chosen colour"
    assert np.abs(early[band].astype(int) - late[band].astype(int)).mean() < 1.0


@pytest.mark.parametrize(
    ("field", "overlay"),
    [
        (
            "overlay.product_name",
            pb.TextOverlay(product_name="香水", cta="Buy", font="inter", color="#ffffff"),
        ),
        ("overlay.cta", pb.TextOverlay(product_name="Rocket", cta="Go 🚀", font="inter", color="#ffffff")),
        ("overlay.cta", pb.TextOverlay(product_name="Ok", cta="a\x00b", font="inter", color="#ffffff")),
    ],
)
async def test_text_no_bundled_font_can_draw_is_refused_by_field(
    compositor: pb_grpc.CompositorServiceStub,
    store: LocalStore,
    clip: Path,
    field: str,
    overlay: pb.TextOverlay,
) -> None:
    clips = put_clips(store, "t2", [clip])
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await compose(compositor, request(clips, session_id="t2", overlay=overlay))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert (err.value.details() or "").startswith(f"{field}:")
    assert "U+" in (err.value.details() or "")


async def test_overlay_changes_the_frame_in_its_colour(tmp_path: Path, clip: Path) -> None:
    """The same timeline rendered with and without texts: only the text region differs."""
    odd_dir = tmp_path / "it's: [a], b; c\\d %e"  # the graph must survive any path we give it
    odd_dir.mkdir()
    text_file = odd_dir / "name.txt"
    text_file.write_text("AURORA")
    fmt = FORMATS[pb.OUTPUT_FORMAT_LANDSCAPE_16_9]
    tl = Timeline(0.5, (1.0,), 0.5, 0.0)
    card = odd_dir / "card.png"
    from PIL import Image

    Image.new("RGB", (fmt.width, fmt.height), (40, 40, 40)).save(card)
    window = tl.clip_text()
    item = TextItem(text_file, FONTS["roboto"].path, 80, fmt.clip_name, window)

    async def render(texts: tuple[TextItem, ...], out: Path) -> Path:
        plan = RenderPlan(
            clips=(ClipInput(clip, 1024, 576),),
            timeline=tl,
            chains=(ChainPlan(fmt, card, card, (OutputPlan(texts, "00ffff", None, out),)),),
            music=(),
            encoder=Encoder(preset="ultrafast"),
        )
        await run_ffmpeg(build_args(plan))
        return out

    with_text = frame_at(await render((item,), odd_dir / "with.mp4"), 1.0)
    without = frame_at(await render((), odd_dir / "without.mp4"), 1.0)
    text_rows = slice(int(0.85 * 1080) - 60, int(0.85 * 1080) + 60)
    diff = np.abs(with_text.astype(int) - without.astype(int)).mean(axis=-1)
    assert diff[text_rows, 600:1320].mean() > 20, "the text region changed"
    assert diff[:700].mean() < 1.5, "above the lower third nothing changed"
    assert color_share(with_text[text_rows, 600:1320], CYAN) > 0.03
    assert color_share(without[text_rows, 600:1320], CYAN) < 0.001
