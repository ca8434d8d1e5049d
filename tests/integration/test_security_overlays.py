"""Hypothesis-driven overlay texts through the compositor agent (real gRPC, real FFmpeg): every
string ends as a correct video with the text drawn, or as INVALID_ARGUMENT naming the field; never
an FFmpeg error, never an option or filter smuggled into the command, never a stray file."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.media import probe
from services.common.storage import LocalStore
from services.compositor.config import Settings
from services.compositor.server import build
from tests.agents import running_agent
from tests.compositing import make_clip, put_clips, request
from tests.video_analysis import color_share, frame_at

CYAN = (0, 255, 255)
# Pieces of FFmpeg's option, filtergraph and drawtext syntax, and of shells, to splice into texts.
HOSTILE = [
    "'",
    '"',
    "\\",
    ":",
    ";",
    ",",
    "[",
    "]",
    "=",
    "%",
    "{",
    "}",
    "%{pts}",
    "%{n}",
    "%{eif:1:d}",
    "\\:",
    "\\'",
    "-y",
    " -i /etc/passwd",
    " -f null -",
    "[0:v]",
    "drawtext=text=x",
    "textfile=/etc/passwd",
    ":fontfile=/etc/passwd",
    "movie=/etc/passwd",
    "$(id)",
    "`id`",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\u200b",
    "é",
    "ß",
    "Ω",
    "😀",
    "★",
    "香",
    "ا",
    "ñ",
    "\ufeff",
    "\ud7ff",
    "\U0010fffd",
]
# Latin and its syntax characters: what the bundled fonts draw, so about half the examples render.
drawable = st.characters(max_codepoint=0x24F, exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"))
# Drawable texts full of syntax (mostly rendered), and anything at all (mostly refused).
latin_st = st.lists(st.sampled_from(HOSTILE[:24]) | st.text(drawable, max_size=4), min_size=1, max_size=5)
any_st = st.one_of(
    st.lists(st.sampled_from(HOSTILE) | st.text(max_size=4), min_size=1, max_size=8).map("".join),
    st.text(min_size=1, max_size=60),
)
texts_st = st.one_of(st.tuples(latin_st.map("".join), latin_st.map("".join)), st.tuples(any_st, any_st))


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("clip") / "clip.mp4", "320x180", 6, 1.0)


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    # Hypothesis drives a synchronous test: the agent lives in a loop of the module's own.
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="module")
def compositor(
    loop: asyncio.AbstractEventLoop, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[pb_grpc.CompositorServiceStub, LocalStore]]:
    root = tmp_path_factory.mktemp("store")
    agent, agent_settings = build(Settings(storage_dir=root, engine="local", x264_preset="ultrafast"))
    cm = running_agent(agent, agent_settings)
    _, channel = loop.run_until_complete(cm.__aenter__())
    yield pb_grpc.CompositorServiceStub(channel), LocalStore(root)
    loop.run_until_complete(cm.__aexit__(None, None, None))


def files_under(root: Path) -> set[Path]:
    """Every file of the store but the agent's replay records (results/)."""
    return {p for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] != "results"}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(texts=texts_st)
def test_any_overlay_text_renders_or_is_refused_by_field(
    compositor: tuple[pb_grpc.CompositorServiceStub, LocalStore],
    loop: asyncio.AbstractEventLoop,
    clip: Path,
    texts: tuple[str, str],
) -> None:
    stub, store = compositor
    name, cta = texts
    clips = put_clips(store, "fuzz", [clip])
    before = files_under(store.root)
    overlay = pb.TextOverlay(product_name=name, cta=cta, font="bebas-neue", color="#00ffff")
    # A new item id per example: the agent replays a known id instead of rendering it again.
    item_id = f"final-{uuid.uuid4().hex[:12]}"
    req = request(
        clips,
        session_id="fuzz",
        item_id=item_id,
        intro_s=0.5,
        outro_s=1.0,
        transition_s=0.0,
        overlay=overlay,
    )

    async def call() -> list[pb.ComposeResponse]:
        return [event async for event in stub.Compose(req, timeout=120)]

    try:
        events = loop.run_until_complete(call())
    except grpc.aio.AioRpcError as err:
        details = err.details() or ""
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, f"{err.code()}: {details}"
        assert details.startswith(("overlay.product_name: ", "overlay.cta: ")), details
        assert "ffmpeg" not in details.lower()
        assert files_under(store.root) == before  # refused before anything was written
        event("refused")
        return
    event("rendered")
    failures = [e.failure for e in events if e.WhichOneof("event") == "failure"]
    assert not failures, failures
    (result,) = [e.result for e in events if e.WhichOneof("event") == "result"]
    (video,) = result.videos
    path = store.path_of(video.asset.uri.removeprefix("asset://"))
    info = probe(path)
    assert (info.width, info.height, round(info.fps)) == (1920, 1080, 30)
    assert abs(info.duration_s - 2.5) <= 0.1
    # Only the final was added to the store: no file named by an injected option.
    assert files_under(store.root) - before == {path}
    if any(c.isascii() and c.isalnum() for c in name + cta):  # surely visible: drawn in cyan
        assert color_share(frame_at(path, 2.4), CYAN) > 0
    path.unlink()  # keep the store small across examples


@pytest.mark.parametrize(
    ("name", "cta"),
    [("Run %{pts} -y", "Buy:[now];x=1"), ('It\'s\\ "50%"', "movie=/etc/passwd")],
)
def test_hostile_text_is_drawn_in_the_chosen_colour(
    compositor: tuple[pb_grpc.CompositorServiceStub, LocalStore],
    loop: asyncio.AbstractEventLoop,
    clip: Path,
    name: str,
    cta: str,
) -> None:
    stub, store = compositor
    clips = put_clips(store, "lit", [clip])
    overlay = pb.TextOverlay(product_name=name, cta=cta, font="bebas-neue", color="#00ffff")
    req = request(clips, session_id="lit", intro_s=0.5, outro_s=1.0, transition_s=0.0, overlay=overlay)

    async def call() -> pb.ComposeResult:
        events = [event async for event in stub.Compose(req, timeout=120)]
        return next(e.result for e in events if e.WhichOneof("event") == "result")

    result = loop.run_until_complete(call())
    path = store.path_of(result.videos[0].asset.uri.removeprefix("asset://"))
    outro = frame_at(path, 2.4)
    assert color_share(outro, CYAN) > 0.002
    assert np.abs(outro.astype(int) - frame_at(path, 2.3).astype(int)).mean() < 1.0
