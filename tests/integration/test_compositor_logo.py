"""A brand logo in the chosen corner, drawn in the same FFmpeg run (real compositor on loopback)."""

from __future__ import annotations

import io
from pathlib import Path

import grpc
import pytest
from PIL import Image, ImageDraw

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.storage import LocalStore
from tests.compositing import compose, make_clip, put_clips, request, video_path
from tests.video_analysis import color_share, frame_at

MAGENTA = (230, 20, 200)


def logo_bytes(fmt: str = "PNG") -> bytes:
    """A magenta disc on a transparent ground (the clip is grey: the colour is the logo's alone)."""
    im = Image.new("RGBA", (300, 150), (0, 0, 0, 0))
    ImageDraw.Draw(im).ellipse((10, 10, 290, 140), fill=(*MAGENTA, 255))
    buf = io.BytesIO()
    im.save(buf, fmt)
    return buf.getvalue()


async def test_logo_sits_in_the_chosen_corner_of_every_format(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, tmp_path: Path
) -> None:
    clips = put_clips(store, "lg", [make_clip(tmp_path / "c.mp4", "1024x576", 30, 1.0)])
    await store.put_bytes("sessions/lg/brand/logo.png", logo_bytes(), "image/png")
    logo = pb.BrandLogo(
        image=common_pb2.AssetRef(uri="asset://sessions/lg/brand/logo.png"),
        corner=pb.LOGO_CORNER_BOTTOM_RIGHT,
    )
    req = request(
        clips,
        session_id="lg",
        intro_s=0.5,
        outro_s=0.5,
        transition_s=0.0,
        logo=logo,
        formats=[pb.OUTPUT_FORMAT_LANDSCAPE_16_9, pb.OUTPUT_FORMAT_PORTRAIT_9_16],
    )
    _, result = await compose(compositor, req)
    for video in result.videos:
        path = video_path(store, video.asset)
        for t in (0.2, 1.0, 1.8):  # intro card, clip, outro card
            frame = frame_at(path, t)
            h, w = frame.shape[:2]
            quarter = (slice(h - h // 4, h), slice(w - w // 4, w))
            assert color_share(frame[quarter], MAGENTA) > 0.03, (video.format, t)
            for other in ((slice(0, h // 4), slice(0, w // 4)), (slice(h - h // 4, h), slice(0, w // 4))):
                assert color_share(frame[other], MAGENTA) < 0.001, (video.format, t)


async def test_bad_logo_is_refused_by_field(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, tmp_path: Path
) -> None:
    clips = put_clips(store, "lb", [make_clip(tmp_path / "c.mp4", "1024x576", 30, 1.0)])
    await store.put_bytes("sessions/lb/brand/logo.png", b"not an image at all", "image/png")
    uri = "asset://sessions/lb/brand/logo.png"
    cases = [
        (pb.BrandLogo(image=common_pb2.AssetRef(uri=uri)), "logo.corner"),
        (pb.BrandLogo(image=common_pb2.AssetRef(uri="http://x/y.png"), corner=1), "logo.image.uri"),
    ]
    for logo, field in cases:  # refused before any work
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await compose(compositor, request(clips, session_id="lb", logo=logo))
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and err.value.details().startswith(field)
    # Undecodable bytes are found when the logo is read: the item fails, naming the field.
    logo = pb.BrandLogo(image=common_pb2.AssetRef(uri=uri), corner=pb.LOGO_CORNER_TOP_LEFT)
    events = [e async for e in compositor.Compose(request(clips, session_id="lb", logo=logo), timeout=60)]
    failure = next(e.failure for e in events if e.WhichOneof("event") == "failure")
    assert failure.code == "INVALID_ARGUMENT" and failure.message.startswith("logo.image:")
