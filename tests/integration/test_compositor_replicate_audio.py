"""The compositor on its replicate engine over real gRPC and FFmpeg, against the fake Replicate server
(real schemas, real audio): it lists Kokoro's voices before the offline one; one call's music comes
from Stable Audio 2.5 unless an output asks for MusicGen; the voiceover is Kokoro speaking the
request's script in its voice and speed, with speech in the voice's window of the final's audio and
its cost in the call's; when Kokoro fails the offline voice speaks and the result says why."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest

from adreel.v1 import compositor_pb2 as pb
from adreel.v1 import compositor_pb2_grpc as pb_grpc
from services.common.storage import LocalStore
from services.compositor.config import Settings
from services.compositor.server import build
from tests.agents import running_agent
from tests.fakes import replicate_models as M
from tests.fakes.replicate_server import DEFAULT_TOKEN, FakeReplicate, llm_replies, running_fake
from tests.integration.test_compositor import audio_samples, compose, make_clip, put_clips, request
from tests.integration.test_compositor_voiceover import _word_times

SCRIPT = "Meet Aurora Runner. Light and fast. Shop now!"
LANDSCAPE = pb.OUTPUT_FORMAT_LANDSCAPE_16_9
UPBEAT = pb.MUSIC_GENRE_UPBEAT


@pytest.fixture
def fake() -> Iterator[FakeReplicate]:
    # Its own, not test_replicate_media_providers' (that module imports the video engines).
    with running_fake() as server:
        M.install_all(server, llm_replies(["{}"]))
        yield server


@pytest.fixture
async def compositor(
    fake: FakeReplicate, storage_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[pb_grpc.CompositorServiceStub]:
    monkeypatch.setenv("REPLICATE_BASE_URL", fake.base_url)
    monkeypatch.setenv("ADREEL_REPLICATE_POLL_INTERVAL_S", "0.02")
    settings = Settings(
        storage_dir=storage_dir,
        engine="replicate",
        replicate_api_token=DEFAULT_TOKEN,
        x264_preset="ultrafast",
    )
    agent, settings = build(settings)
    async with running_agent(agent, settings) as (_, channel):
        yield pb_grpc.CompositorServiceStub(channel)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("clips")
    return [make_clip(d / f"c{i}.mp4", "640x360", 30, 2.5) for i in range(2)]


def level_db(audio: np.ndarray, a: float, b: float) -> float:
    part = audio[int(a * 48000) : int(b * 48000)]
    return float(20 * np.log10(np.sqrt((part**2).mean()) + 1e-9))


async def test_voices_music_models_and_the_voice_of_one_call(
    compositor: pb_grpc.CompositorServiceStub, fake: FakeReplicate, store: LocalStore, clips: list[Path]
) -> None:
    voices = (await compositor.ListVoices(pb.ListVoicesRequest(), timeout=10)).voices
    assert voices[0].id == "af_bella" and voices[0].online
    assert {"am_adam", "bf_emma"} <= {v.id for v in voices} and (voices[-1].id, voices[-1].online) == (
        "joe",
        False,
    )

    req = request(
        put_clips(store, "ra", clips),
        session_id="ra",
        music=pb.Music(enabled=True, genre=UPBEAT),  # no model named: the commercial one
        variants=[
            pb.ComposeVariant(variant_id="default", format=LANDSCAPE),
            pb.ComposeVariant(
                variant_id="opted",
                format=LANDSCAPE,
                music=pb.Music(enabled=True, genre=UPBEAT, model="musicgen"),
            ),
            pb.ComposeVariant(variant_id="voice", format=LANDSCAPE, music=pb.Music(enabled=False)),
        ],
        voiceover=pb.Voiceover(script=SCRIPT, voice="am_adam", speed=1.1),
        captions=pb.CAPTION_STYLE_PHRASE,
    )
    _, result = await compose(compositor, req)

    # One track per model asked for, each by its own model; the voice by Kokoro as asked.
    assert len(fake.calls(M.STABLE_AUDIO)) == 1 and len(fake.calls(M.MUSICGEN)) == 1
    (spoken,) = fake.calls(M.KOKORO)
    assert spoken.input == {"text": SCRIPT, "voice": "am_adam", "speed": 1.1}
    assert result.fallback_reason == ""
    assert (result.voice_cost.model, result.voice_cost.usd_micros) == (M.KOKORO, 270)
    # Both tracks ($0.20 + 30 A100 s) and the voice are in the call's cost, above our own CPU.
    assert result.cost.usd_micros > 200_000 + 42_000 + 270

    # Speech where the captions say the words are: the voice-only final is silent before them.
    words = _word_times(store.path_of(result.captions_vtt.uri.removeprefix("asset://")).read_text())
    assert [w for w, _ in words] == SCRIPT.split()
    by_id = {v.variant_id: v for v in result.videos}
    alone = audio_samples(store.path_of(by_id["voice"].asset.uri.removeprefix("asset://"))).T
    first, last = words[0][1], words[-1][1]
    assert level_db(alone, first, last) > -35 > -60 > level_db(alone, 0.0, max(0.05, first - 0.2))
    with_music = audio_samples(store.path_of(by_id["default"].asset.uri.removeprefix("asset://"))).T
    assert level_db(with_music, 0.5, first) > -45  # the Stable Audio bed under the cards


async def test_kokoro_failing_leaves_the_offline_voice(
    compositor: pb_grpc.CompositorServiceStub, fake: FakeReplicate, store: LocalStore, clips: list[Path]
) -> None:
    fake.throttle(M.KOKORO, times=100, retry_after=0, status=500)
    req = request(
        put_clips(store, "rb", clips[:1]),
        session_id="rb",
        voiceover=pb.Voiceover(script="Aurora Runner. Shop now!", voice="bf_emma"),
    )
    _, result = await compose(compositor, req)
    assert "voice: jaaari/kokoro-82m" in result.fallback_reason and "offline voice" in result.fallback_reason
    assert 0.5 < result.voiceover_s < 3.0 and result.voice_cost.usd_micros == 0  # refused: not billed
    audio = audio_samples(store.path_of(result.videos[0].asset.uri.removeprefix("asset://"))).T
    assert level_db(audio, 0.5, 0.5 + result.voiceover_s) > -35


async def test_a_rerender_reuses_the_paid_voice_and_music_and_a_fallback_is_asked_again(
    compositor: pb_grpc.CompositorServiceStub, fake: FakeReplicate, store: LocalStore, clips: list[Path]
) -> None:
    clip_refs = put_clips(store, "rc", clips[:1])

    def render(item_id: str, cta: str, script: str) -> pb.ComposeRequest:
        req = request(
            clip_refs,
            session_id="rc",
            item_id=item_id,
            music=pb.Music(enabled=True, genre=UPBEAT),
            voiceover=pb.Voiceover(script=script, voice="am_adam"),
        )
        req.overlay.cta = cta
        return req

    _, first = await compose(compositor, render("final-1", "Shop now", "Aurora Runner. Shop now!"))
    assert first.voice_cost.usd_micros > 0 and first.music_cost.usd_micros > 0
    # The CTA fixed, rendered again: the same script and music come from the session, unbilled.
    _, again = await compose(compositor, render("final-2", "Buy today", "Aurora Runner. Shop now!"))
    assert len(fake.calls(M.KOKORO)) == 1 and len(fake.calls(M.STABLE_AUDIO)) == 1
    assert (again.voice_cost.model, again.voice_cost.usd_micros) == (M.KOKORO, 0)
    assert (again.music_cost.model, again.music_cost.usd_micros) == (M.STABLE_AUDIO, 0)
    assert abs(again.voiceover_s - first.voiceover_s) < 0.01, "the same take"
    audio = audio_samples(store.path_of(again.videos[0].asset.uri.removeprefix("asset://"))).T
    assert level_db(audio, 0.5, 0.5 + again.voiceover_s) > -35, "and it is in the new final"

    # A take the offline voice spoke because Kokoro failed is not kept: the next render asks Kokoro.
    fake.throttle(M.KOKORO, times=100, retry_after=0, status=500)
    _, fell_back = await compose(compositor, render("final-3", "Buy today", "Aurora Runner. Buy today!"))
    assert "offline voice" in fell_back.fallback_reason
    fake.unthrottle(M.KOKORO)
    _, recovered = await compose(compositor, render("final-4", "Buy today", "Aurora Runner. Buy today!"))
    assert recovered.fallback_reason == "" and recovered.voice_cost.usd_micros > 0


async def test_a_preview_plays_free_and_then_the_sessions_own_paid_takes(
    compositor: pb_grpc.CompositorServiceStub, fake: FakeReplicate, store: LocalStore, clips: list[Path]
) -> None:
    clip_refs = put_clips(store, "rd", clips[:1])

    def render(item_id: str, *, preview: bool) -> pb.ComposeRequest:
        return request(
            clip_refs,
            session_id="rd",
            item_id=item_id,
            music=pb.Music(enabled=True, genre=UPBEAT),
            voiceover=pb.Voiceover(script="Aurora Runner. Shop now!", voice="am_adam"),
            captions=pb.CAPTION_STYLE_HIGHLIGHT,
            preview=preview,
        )

    # Before any final: the offline voice and synthesiser stand in for Kokoro and Stable Audio, say
    # so, and cost nothing.
    _, sketch = await compose(compositor, render("preview-1", preview=True))
    assert not fake.calls(M.KOKORO) and not fake.calls(M.STABLE_AUDIO)
    assert "offline voice" in sketch.fallback_reason and sketch.voiceover_s > 0.5
    assert "music: the free preview plays the offline synthesiser" in sketch.fallback_reason
    assert (sketch.cost.usd_micros, sketch.voice_cost.usd_micros) == (0, 0)
    audio = audio_samples(store.path_of(sketch.videos[0].asset.uri.removeprefix("asset://"))).T
    assert level_db(audio, 0.5, 0.5 + sketch.voiceover_s) > -35, "the stand-in voice is heard"

    # The stand-ins were not kept: the final asks both engines, and the next preview plays those
    # paid takes, on their own beat.
    _, final = await compose(compositor, render("final-1", preview=False))
    assert len(fake.calls(M.KOKORO)) == 1 and final.voice_cost.usd_micros > 0
    assert len(fake.calls(M.STABLE_AUDIO)) == 1 and final.music_cost.usd_micros > 0
    _, again = await compose(compositor, render("preview-2", preview=True))
    assert len(fake.calls(M.KOKORO)) == 1 and len(fake.calls(M.STABLE_AUDIO)) == 1
    assert again.fallback_reason == "" and again.music_bpm == final.music_bpm
    assert abs(again.voiceover_s - final.voiceover_s) < 0.01, "Kokoro's own take"
    assert again.cost.usd_micros == 0
