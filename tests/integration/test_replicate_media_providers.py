"""The media engines on Replicate, with the real client against the fake and the models' real input
schemas: Flux failing -> SDXL over gRPC, SVD and Kling clips re-timed to 1024x576 30 fps, MusicGen
decoded to stereo samples (and its failure falling back to the local synth)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from adreel.v1 import common_pb2, image_gen_pb2, image_gen_pb2_grpc
from services.common.media import probe
from services.common.replicate_client import ReplicateRunner, ReplicateSettings
from services.common.storage import LocalStore
from services.compositor.config import Settings as CompositorSettings
from services.compositor.providers import MusicRequest
from services.compositor.providers.replicate import ReplicateMusic
from services.image_gen import server as image_server
from services.image_gen.config import Settings as ImageSettings
from services.image_gen.providers.replicate import ReplicateImages
from services.video_gen.config import Settings as VideoSettings
from services.video_gen.providers import ClipRequest
from services.video_gen.providers.replicate import ReplicateClips, motion_bucket
from tests.agents import running_agent
from tests.fakes import replicate_models as M
from tests.fakes.replicate_server import DEFAULT_TOKEN, FakeReplicate, llm_replies, running_fake


@pytest.fixture
def fake() -> Iterator[FakeReplicate]:
    with running_fake() as server:
        M.install_all(server, llm_replies(["{}"]))
        yield server


def runner(fake: FakeReplicate, store: LocalStore) -> ReplicateRunner:
    return ReplicateRunner(
        DEFAULT_TOKEN, store, ReplicateSettings(poll_interval_s=0.02), base_url=fake.base_url
    )


async def test_flux_nsfw_falls_back_to_sdxl_per_item(
    fake: FakeReplicate, store: LocalStore, storage_dir: Path
) -> None:
    settings = ImageSettings(engine="replicate", image_size=256, replicate_api_token=DEFAULT_TOKEN)
    provider = ReplicateImages(settings, runner(fake, store))
    agent, settings = image_server.build(settings, provider=provider)
    jobs = [
        image_gen_pb2.ImageJob(
            item_id=f"img-{i}",
            prompt=common_pb2.ImagePrompt(
                view=common_pb2.VIEW_FRONT + i,
                prompt=f"studio shot {i}",
                negative_prompt="blurry",
                seed=77,
                guidance_scale=7.5,
            ),
        )
        for i in range(2)
    ]
    request = image_gen_pb2.GenerateImagesRequest(
        session_id="s1", product=common_pb2.ProductSpec(text="shoe", category="footwear"), jobs=jobs
    )
    async with running_agent(agent, settings) as (_, channel):
        stub = image_gen_pb2_grpc.ImageGenServiceStub(channel)
        ok = [e.image async for e in stub.GenerateImages(request, timeout=60) if e.HasField("image")]
        assert len(ok) == 2 and all(r.fallback_reason == "" for r in ok)
        assert {r.cost.usd_micros for r in ok} == {40_000} and ok[0].cost.model == M.FLUX
        fake.add_model(M.FLUX, M.flux(fail="NSFW content detected."), schema=M.SCHEMAS[M.FLUX])
        request.session_id = "s2"
        fell = [e.image async for e in stub.GenerateImages(request, timeout=60) if e.HasField("image")]
    assert len(fell) == 2
    for r in fell:
        assert "NSFW" in r.fallback_reason and M.SDXL in r.fallback_reason
        assert r.cost.model == M.SDXL and r.cost.usd_micros == 5_850  # 6 GPU s on an L40S; Flux billed 0
        with Image.open(storage_dir / r.asset.uri.removeprefix("asset://")) as im:
            assert im.size == (256, 256) and im.format == "PNG"
            assert np.asarray(im.convert("RGB"))[128, 128].tolist() == [30, 30, 200]  # the SDXL image
    seeds = {c.input["seed"] for c in fake.calls(M.FLUX) + fake.calls(M.SDXL)}
    assert seeds == {77}  # every image of a session shares the seed, whichever model made it


@pytest.mark.parametrize(("model", "priced"), [("", 56_000), ("kling", 250_000)])
async def test_clips_follow_the_contract(
    fake: FakeReplicate, store: LocalStore, tmp_path: Path, model: str, priced: int
) -> None:
    src = tmp_path / "still.png"
    src.write_bytes(M.png(512, 512, (20, 160, 60)))
    provider = ReplicateClips(VideoSettings(engine="replicate", x264_preset="ultrafast"), runner(fake, store))
    seen: list[float] = []
    try:
        clip = await provider.render(
            ClipRequest(
                src,
                "asset://s/x.png",
                common_pb2.CAMERA_MOVEMENT_ZOOM_IN,
                0.75,
                3.0,
                9,
                "The shoe turns slowly on wet rock",
                model,
            ),
            tmp_path / "clip.mp4",
            seen.append,
        )
    finally:
        await provider.close()
    info = probe(tmp_path / "clip.mp4")
    assert (info.width, info.height, round(info.fps), info.video_codec) == (1024, 576, 30, "h264")
    assert abs(info.duration_s - 3.0) < 0.1
    assert seen == sorted(seen) and seen[-1] > 0.9
    assert clip.cost.usd_micros == priced  # SVD: 40 GPU s on an A100; Kling: 5 s of video at $0.05
    if model == "":
        (call,) = fake.calls(M.SVD)
        assert call.input["motion_bucket_id"] == motion_bucket(0.75) == 160
        assert call.input["video_length"] == "14_frames_with_svd" and call.input["frames_per_second"] == 5
        assert "prompt" not in call.input  # SVD takes no text
    else:
        (call,) = fake.calls(M.KLING)
        assert call.input["prompt"] == "The shoe turns slowly on wet rock"


async def test_musicgen_track_and_fallback(fake: FakeReplicate, store: LocalStore) -> None:
    music = ReplicateMusic(CompositorSettings(engine="replicate"), runner(fake, store))
    request = MusicRequest("upbeat", 7.4, 5, "Aurora running shoes")
    try:
        track = await music.make_music(request)
        assert track.samples.shape == (8 * 32000, 2) and track.samples.dtype == np.float32
        assert track.rate == 32000 and 0.2 < float(np.abs(track.samples).max()) < 0.4
        assert track.fallback_reason == "" and track.cost.usd_micros == 42_000  # 30 GPU s, A100
        (call,) = fake.calls(M.MUSICGEN)
        assert call.input["duration"] == 8 and "Aurora running shoes" in call.input["prompt"]
        assert "upbeat" in call.input["prompt"]
        fake.throttle(M.MUSICGEN, times=100, retry_after=0, status=500)
        local = await music.make_music(request)
        assert "synthesised locally" in local.fallback_reason and local.samples.shape[1] == 2
    finally:
        await music.close()
