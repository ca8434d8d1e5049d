"""The final render's progress over real gRPC: FFmpeg's own frame counts, monotonic, with an ETA."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from adreel.v1 import common_pb2
from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.storage import LocalStore
from tests.compositing import make_clip, put_clips, request

# 1.0 intro + 4 x 2.5 s clips + 1.5 outro - 5 x 0.5 s cross-fades = 10 s, 300 frames.
TOTAL_FRAMES = 300


async def test_a_10_s_ad_streams_frame_counted_progress_with_eta(
    compositor: pb_grpc.CompositorServiceStub, store: LocalStore, tmp_path: Path
) -> None:
    files = [make_clip(tmp_path / f"c{i}.mp4", "640x360", 30, 2.5) for i in range(4)]
    req = request(
        put_clips(store, "p1", files),
        session_id="p1",
        outro_s=1.5,
        music=pb.Music(enabled=True, genre=pb.MUSIC_GENRE_CHILL),
    )
    events: list[tuple[float, common_pb2.Progress]] = []
    result = None
    async for event in compositor.Compose(req, timeout=120):
        kind = event.WhichOneof("event")
        assert kind != "failure", event.failure
        if kind == "progress":
            events.append((time.monotonic(), event.progress))
        else:
            result = event.result
    assert result is not None and result.videos
    assert abs(result.videos[0].asset.duration_s - 10.0) <= 0.1

    fractions = [p.fraction for _, p in events]
    assert fractions == sorted(fractions), "progress never goes back"
    assert fractions[-1] == 1.0

    # The product's substeps, in order.
    messages = list(dict.fromkeys(p.message for _, p in events))
    for earlier, later in (
        ("Generating music...", "Adding text overlays..."),
        ("Adding text overlays...", "Stitching clips..."),
    ):
        assert messages.index(earlier) < messages.index(later), messages

    # While FFmpeg encodes, every fraction is frames written / 300 and there are many of them.
    stitching = [(t, p) for t, p in events if p.message == "Stitching clips..."]
    for _, p in stitching:
        assert p.fraction * TOTAL_FRAMES == pytest.approx(round(p.fraction * TOTAL_FRAMES), abs=1e-6)
    inside = {p.fraction for _, p in stitching if 0 < p.fraction < 1}
    assert len(inside) >= 6, f"FFmpeg's frame counts reached the stream: {sorted(inside)}"

    # ETA: set while encoding, never negative, and about the time that really remained.
    etas = [(t, p) for t, p in stitching if p.HasField("eta_s")]
    assert len(etas) >= len(stitching) - 3
    assert all(p.eta_s >= 0 for _, p in etas)
    encoded_at = next(t for t, p in stitching if p.fraction == 1.0)
    t_mid, mid = min(etas, key=lambda e: abs(e[1].fraction - 0.5))
    remaining = encoded_at - t_mid
    assert remaining / 3 - 0.5 <= mid.eta_s <= 3 * remaining + 0.5, (mid.eta_s, remaining)
    assert next(p.eta_s for _, p in stitching if p.fraction == 1.0) == 0.0
    # Before FFmpeg runs nothing is known about the time left.
    assert not any(p.HasField("eta_s") for _, p in events if p.message == "Adding text overlays...")
