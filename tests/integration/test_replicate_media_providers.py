"""The media engines on Replicate, with the real client against the fake and the models' real input
schemas: Flux failing -> SDXL over gRPC, every image-to-video model given the shot (scene prompt,
camera words, the approved still as start frame) and its clip re-timed to 1024x576 30 fps, an unknown
video model refused over gRPC; music by Stable Audio 2.5 unless MusicGen is asked for, decoded to
stereo samples (a failure falling back to the local synth), and the script spoken by Kokoro in the
chosen voice and speed with measured word times (a failure falling back to the offline voice)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import grpc
import numpy as np
import pytest
from PIL import Image

from adreel.v1 import common_pb2, image_gen_pb2, image_gen_pb2_grpc, video_gen_pb2, video_gen_pb2_grpc
from services.common.media import probe
from services.common.replicate_client import ReplicateRunner, ReplicateSettings
from services.common.storage import LocalStore
from services.compositor.config import Settings as CompositorSettings
from services.compositor.providers import MusicRequest
from services.compositor.providers.replicate import ReplicateMusic, ReplicateVoice
from services.image_gen import server as image_server
from services.image_gen.config import Settings as ImageSettings
from services.image_gen.providers.replicate import ReplicateImages
from services.video_gen import server as video_server
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


SHOT = "The shoe turns slowly on wet rock"
# The field each model takes the start image in, and what one 3 s clip of it costs (pricing.py).
CLIP_MODELS = [
    ("", M.WAN, "image", 100_000),  # the default: $0.10 per 720p video
    ("kling-2.1", M.KLING, "start_image", 250_000),  # 5 s at $0.05
    ("seedance-lite", M.SEEDANCE_LITE, "image", 144_000),  # 4 s at $0.036
    ("seedance-pro", M.SEEDANCE_PRO, "image", 240_000),  # 4 s at $0.06
    ("veo-3.1-fast", M.VEO, "image", 400_000),  # 4 s at $0.10, silent
    ("svd", M.SVD, "input_image", 56_000),  # 40 GPU s on an A100
]


@pytest.mark.parametrize("case", CLIP_MODELS, ids=[c[1] for c in CLIP_MODELS])
async def test_clips_follow_the_shot(
    fake: FakeReplicate, store: LocalStore, tmp_path: Path, case: tuple[str, str, str, int]
) -> None:
    model, name, image_field, priced = case
    src = tmp_path / "still.png"
    src.write_bytes(M.png(512, 512, (20, 160, 60)))
    provider = ReplicateClips(VideoSettings(engine="replicate", x264_preset="ultrafast"), runner(fake, store))
    seen: list[float] = []
    request = ClipRequest(
        src, "asset://s/x.png", common_pb2.CAMERA_MOVEMENT_ZOOM_IN, 0.75, 3.0, 9, SHOT, model
    )
    try:
        clip = await provider.render(request, tmp_path / "clip.mp4", seen.append)
    finally:
        await provider.close()
    info = probe(tmp_path / "clip.mp4")
    assert (info.width, info.height, round(info.fps), info.video_codec) == (1024, 576, 30, "h264")
    assert abs(info.duration_s - 3.0) < 0.1
    assert seen == sorted(seen) and seen[-1] > 0.9
    assert clip.cost.usd_micros == priced and clip.cost.model == name
    (call,) = fake.calls(name)
    # The approved still, as uploaded, is the clip's first frame.
    assert fake.read_url(call.input[image_field]) == src.read_bytes()
    if model == "svd":
        assert call.input["motion_bucket_id"] == motion_bucket(0.75) == 160
        assert call.input["video_length"] == "14_frames_with_svd" and call.input["frames_per_second"] == 5
        assert "prompt" not in call.input  # SVD takes no text
    else:
        prompt = call.input["prompt"]
        assert prompt.startswith(SHOT + ".") and "zooms in" in prompt and "dynamic" in prompt, prompt


async def test_an_unknown_video_model_is_refused_and_each_job_gets_its_shot(
    fake: FakeReplicate, storage_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over gRPC: INVALID_ARGUMENT naming `model` before any work; then every job of a batch goes to
    the chosen model with its own scene prompt and camera words, and its own image."""
    monkeypatch.setenv("REPLICATE_API_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("REPLICATE_BASE_URL", fake.base_url)
    monkeypatch.setenv("ADREEL_REPLICATE_POLL_INTERVAL_S", "0.02")
    colours = {"a": (200, 30, 30), "b": (30, 30, 200)}
    moves = {"a": common_pb2.CAMERA_MOVEMENT_STATIC, "b": common_pb2.CAMERA_MOVEMENT_ORBIT}
    jobs = []
    for key, rgb in colours.items():
        key_path = f"sessions/s1/images/{key}.png"
        await LocalStore(storage_dir).put_bytes(key_path, M.png(320, 320, rgb), "image/png")
        shot = f"Shot {key} on a beach"
        plan = common_pb2.ScenePlan(
            item_id=key, scene_prompt=shot, camera_movement=moves[key], motion_intensity=0.1
        )
        image = common_pb2.AssetRef(uri=f"asset://{key_path}")
        jobs.append(video_gen_pb2.ClipJob(item_id=f"clip-{key}", image=image, plan=plan, seed=3))
    agent, settings = video_server.build(VideoSettings(engine="replicate", x264_preset="ultrafast"))
    async with running_agent(agent, settings) as (_, channel):
        stub = video_gen_pb2_grpc.VideoGenServiceStub(channel)
        request = video_gen_pb2.GenerateClipsRequest(session_id="s1", jobs=jobs, duration_s=2.5, model="sora")
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            [e async for e in stub.GenerateClips(request, timeout=60)]
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert refused.value.details().startswith("model: must be one of wan-2.2-fast, kling-2.1")
        assert not any(r.path.endswith("/predictions") for r in fake.requests)  # refused before any work
        request.model = "seedance-pro"
        events = [e async for e in stub.GenerateClips(request, timeout=120)]
    clips = [e.clip for e in events if e.HasField("clip")]
    assert len(clips) == 2 and {c.cost.model for c in clips} == {M.SEEDANCE_PRO}
    calls = {c.input["prompt"].removeprefix("Shot ")[0]: c for c in fake.calls(M.SEEDANCE_PRO)}
    assert sorted(calls) == ["a", "b"]
    for key, call in calls.items():
        assert call.input["prompt"].startswith(f"Shot {key} on a beach.") and "subtle" in call.input["prompt"]
        assert fake.read_url(call.input["image"]) == M.png(320, 320, colours[key])
        assert call.input["camera_fixed"] is (key == "a")
    assert "locked-off" in calls["a"].input["prompt"] and "orbits" in calls["b"].input["prompt"]


async def test_music_is_stable_audio_unless_musicgen_is_asked_for(
    fake: FakeReplicate, store: LocalStore
) -> None:
    music = ReplicateMusic(CompositorSettings(engine="replicate"), runner(fake, store))
    request = MusicRequest("upbeat", 7.4, 5, "Aurora running shoes")
    try:
        # By default the model whose outputs may be used commercially: an MP3, decoded to stereo.
        track = await music.make_music(request)
        assert track.rate == 44100 and track.samples.shape[1] == 2 and track.samples.dtype == np.float32
        assert (
            abs(track.samples.shape[0] / 44100 - 8.0) < 0.1 and 0.2 < float(np.abs(track.samples).max()) < 0.4
        )
        assert track.fallback_reason == "" and track.cost.usd_micros == 200_000  # $0.20 per track
        assert track.cost.model == M.STABLE_AUDIO and not fake.calls(M.MUSICGEN)
        (call,) = fake.calls(M.STABLE_AUDIO)
        assert call.input["duration"] == 8 and call.input["steps"] == 8 and call.input["seed"] == 5
        assert "Aurora running shoes" in call.input["prompt"] and "upbeat" in call.input["prompt"]

        # MusicGen only when a session opts in.
        track = await music.make_music(replace(request, model="musicgen"))
        assert track.samples.shape == (8 * 32000, 2) and track.rate == 32000
        assert track.fallback_reason == "" and track.cost.usd_micros == 42_000  # 30 GPU s, A100
        (call,) = fake.calls(M.MUSICGEN)
        assert call.input["duration"] == 8 and "Aurora running shoes" in call.input["prompt"]
        assert len(fake.calls(M.STABLE_AUDIO)) == 1

        fake.throttle(M.STABLE_AUDIO, times=100, retry_after=0, status=500)
        local = await music.make_music(request)
        assert (
            local.fallback_reason.startswith(M.STABLE_AUDIO)
            and "synthesised locally" in local.fallback_reason
        )
        assert local.samples.shape[1] == 2 and local.cost.provider == "local"  # refused: nothing billed
    finally:
        await music.close()


async def test_kokoro_speaks_the_script_in_the_chosen_voice_and_falls_back(
    fake: FakeReplicate, store: LocalStore
) -> None:
    music = ReplicateMusic(CompositorSettings(engine="replicate"), runner(fake, store))
    speaker = ReplicateVoice(music.runner)
    script = "Meet Aurora Runner.  Light and fast,\non every track. Shop now!"
    try:
        speech = await speaker.speak(script, "am_adam", 1.2)
        (call,) = fake.calls(M.KOKORO)
        assert call.input == {"text": " ".join(script.split()), "voice": "am_adam", "speed": 1.2}
        assert speech.rate == 24000 and speech.fallback_reason == ""
        assert speech.cost.model == M.KOKORO and speech.cost.usd_micros == 270  # 1.2 s on a T4
        # Timed as the offline voice is: every word, in order, inside the recording's speech.
        assert [w.text for w in speech.words] == script.split()
        assert 0 <= speech.words[0].start < speech.words[-1].end <= speech.duration_s + 0.01
        assert all(a.end <= b.start + 1e-3 for a, b in itertools.pairwise(speech.words))

        # The offline voice by name costs no prediction.
        offline = await speaker.speak(script, "joe", 1.0)
        assert offline.rate == 22050 and offline.cost.usd_micros == 0 and len(fake.calls(M.KOKORO)) == 1

        fake.throttle(M.KOKORO, times=100, retry_after=0, status=500)
        fell = await speaker.speak(script, "bf_emma", 1.0)
        assert fell.fallback_reason.startswith(M.KOKORO) and "offline voice" in fell.fallback_reason
        assert fell.rate == 22050 and [w.text for w in fell.words] == script.split()
    finally:
        await music.close()
