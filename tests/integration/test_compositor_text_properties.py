"""Property: over Unicode categories, scripts, emoji sequences and boundary lengths, for both drawn
text fields, the compositor refuses exactly what the shared contract refuses (plus, by name, what no
bundled font can draw), and every request it accepts ends in a complete MP4 of the planned length.

The real compositor code path (parse_request, the clips, the text images, one FFmpeg run), on a 1 s
clip, in every format. Examples are few (a render each); CI keeps the suite fast.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from adreel.v1 import compositor_pb2 as pb
from services.common.contract import CTA, PRODUCT_NAME, TextRefused
from services.common.errors import InvalidArgument
from services.common.media import probe
from services.common.storage import LocalStore
from services.compositor.config import Settings
from services.compositor.providers import make_provider
from services.compositor.render import Composer
from services.compositor.validation import parse_request
from tests.compositing import make_clip, put_clips, request, video_path
from tests.text_strategies import TEXT

FORMATS = [pb.OUTPUT_FORMAT_LANDSCAPE_16_9, pb.OUTPUT_FORMAT_PORTRAIT_9_16, pb.OUTPUT_FORMAT_SQUARE_1_1]


@pytest.fixture(scope="module")
def composer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Composer, LocalStore, list[object]]:
    root = tmp_path_factory.mktemp("props")
    store = LocalStore(root / "storage")
    clip = make_clip(root / "clip.mp4", "640x360", 30, 1.0)
    clips = put_clips(store, "props", [clip])
    cfg = Settings(storage_dir=store.root, engine="local", x264_preset="ultrafast")
    return Composer(store, cfg, make_provider(cfg)), store, list(clips)


def _contract_accepts(name: str, cta: str) -> bool:
    try:
        PRODUCT_NAME.clean(name)
        CTA.clean(cta)
    except TextRefused:
        return False
    return True


async def _render(composer: Composer, req: pb.ComposeRequest) -> pb.ComposeResult:
    spec = parse_request(req)
    async with AsyncExitStack() as stack:
        clips = await composer.open_clips(spec, stack)
        tl = composer.timeline(spec, clips)
        return await composer.render(spec, clips, tl, lambda *_, **__: None)


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(name=TEXT, cta=TEXT, fmt=st.sampled_from(FORMATS), font=st.sampled_from(["inter", "bebas-neue"]))
def test_every_accepted_text_renders_and_every_refusal_is_named(
    composer: tuple[Composer, LocalStore, list[object]], name: str, cta: str, fmt: int, font: str
) -> None:
    comp, store, clips = composer
    overlay = pb.TextOverlay(product_name=name, cta=cta, font=font, color="#ffcc00")
    req = request(clips, session_id="props", intro_s=0.5, outro_s=0.5, transition_s=0.2, overlay=overlay)
    req.formats[:] = [fmt]
    contract_ok = _contract_accepts(name, cta)
    try:
        parse_request(req)
    except InvalidArgument as exc:
        assert exc.field in ("overlay.product_name", "overlay.cta"), exc.message
        # The agent refuses no more than the contract, except a character no bundled font draws.
        assert not contract_ok or "no bundled font can draw U+" in exc.message, exc.message
        event("refused")
        return
    event("rendered")
    assert contract_ok, "the compositor accepted what the gateway's contract refuses"
    result = asyncio.run(_render(comp, req))
    info = probe(video_path(store, result.videos[0].asset))
    assert info.has_video and abs(info.duration_s - (0.5 + 1.0 + 0.5 - 2 * 0.2)) <= 0.1
