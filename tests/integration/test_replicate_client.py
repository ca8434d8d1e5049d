"""ReplicateRunner with the real `replicate` client against the local Replicate API fake: success,
pinned versions, LLM chunks, 429/503 retries honouring Retry-After, progress from logs, cancellation
and deadlines (the prediction is cancelled on the provider), refusals, output-file checks, costs,
and the token staying out of logs and off file downloads."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import replicate
from PIL import Image

from services.common.replicate_client import (
    ModelRef,
    OutputFiles,
    ReplicateRefused,
    ReplicateRunner,
    ReplicateSettings,
    ReplicateUnavailable,
)
from services.common.storage import LocalStore
from tests.fakes.replicate_server import (
    DEFAULT_TOKEN,
    FakePrediction,
    FakeReplicate,
    ModelFailure,
    llm_replies,
    running_fake,
)

FLUX = "black-forest-labs/flux-1.1-pro"
SDXL = "stability-ai/sdxl"
SDXL_VERSION = "7762fd07cf82c948538e41f63f77d685e02b063e37e496e96eefd46c929f9bdc"
LLAMA = "meta/meta-llama-3-70b-instruct"


def png_bytes(w: int = 64, h: int = 48, rgb: tuple[int, int, int] = (10, 200, 30)) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.full((h, w, 3), rgb, np.uint8)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def fake() -> Iterator[FakeReplicate]:
    with running_fake() as server:
        yield server


@pytest.fixture
async def runner(fake: FakeReplicate, store: LocalStore) -> ReplicateRunner:
    settings = ReplicateSettings(poll_interval_s=0.05, attempts=3, timeout_s=20)
    r = ReplicateRunner(DEFAULT_TOKEN, store, settings, base_url=fake.base_url)
    yield r
    await r.aclose()


def image_model(fake: FakeReplicate, name: str = FLUX, *, rgb: tuple[int, int, int] = (10, 200, 30)) -> None:
    async def handler(p: FakePrediction) -> str:
        await asyncio.sleep(0.05)
        return p.file(png_bytes(rgb=rgb), "output.png", "image/png")

    fake.add_model(
        name,
        handler,
        schema={
            "properties": {"prompt": {"type": "string"}, "seed": {"type": "integer"}},
            "required": ["prompt"],
        },
    )


async def test_official_model_output_is_stored_and_priced(
    fake: FakeReplicate, runner: ReplicateRunner, store: LocalStore, storage_dir: Path
) -> None:
    image_model(fake)
    result = await runner.run(
        ModelRef(FLUX),
        {"prompt": "a red sneaker", "seed": 7},
        outputs=OutputFiles("sessions/s1/images/i1", ("image/",)),
    )
    (asset,) = result.assets
    assert asset.uri == "asset://sessions/s1/images/i1.png"
    assert (asset.width, asset.height, asset.content_type) == (64, 48, "image/png")
    with Image.open(storage_dir / "sessions/s1/images/i1.png") as im:
        assert np.asarray(im.convert("RGB"))[10, 10].tolist() == [10, 200, 30]
    # Flux 1.1 Pro bills $0.04 per image, whatever the GPU time.
    assert (result.cost.usd_micros, result.cost.provider, result.cost.model) == (40_000, "replicate", FLUX)
    create = fake.creates(FLUX)[0]
    assert create.path == f"/v1/models/{FLUX}/predictions"
    assert create.headers["authorization"] == f"Bearer {DEFAULT_TOKEN}"
    assert create.body == {"input": {"prompt": "a red sneaker", "seed": 7}}
    # The output file is fetched without our token: it goes to the delivery host.
    download = next(r for r in fake.requests if r.path.startswith("/delivery/"))
    assert "authorization" not in download.headers


async def test_pinned_version_is_billed_by_gpu_seconds(fake: FakeReplicate, runner: ReplicateRunner) -> None:
    async def handler(p: FakePrediction) -> list[str]:
        p.metrics["predict_time"] = 8.0  # what Replicate reports; billing follows it, not our clock
        return [p.file(png_bytes(), "out-0.png", "image/png")]

    fake.add_model(SDXL, handler, version=SDXL_VERSION)
    result = await runner.run(
        ModelRef(SDXL, SDXL_VERSION),
        {"prompt": "x"},
        outputs=OutputFiles("sessions/s1/images/i2", ("image/",), limit=1),
    )
    assert fake.creates(SDXL)[0].body["version"] == SDXL_VERSION
    assert fake.creates(SDXL)[0].path == "/v1/predictions"
    assert result.cost.usd_micros == 7_800  # 8 s x $0.000975 (L40S)
    assert result.cost.seconds == 8.0
    # A community model cannot be run by name alone, as on Replicate.
    with pytest.raises(ReplicateRefused, match="not an official model"):
        await runner.run(ModelRef(SDXL), {"prompt": "x"})


async def test_language_model_chunks_and_token_pricing(fake: FakeReplicate, runner: ReplicateRunner) -> None:
    fake.add_model(LLAMA, llm_replies(['{"category": "footwear", "colors": ["red"]}'], tokens_in=1000))
    result = await runner.run(ModelRef(LLAMA), {"prompt": "parse", "max_tokens": 512})
    assert isinstance(result.output, list) and len(result.output) > 1
    assert result.text == '{"category": "footwear", "colors": ["red"]}'
    # 1000 input tokens at $0.65/M + n output tokens at $2.75/M, rounded to micros.
    expected = round(1000 * 0.65 + len(result.output) * 2.75)
    assert result.cost.usd_micros == expected


async def test_429_then_success_honours_retry_after(fake: FakeReplicate, runner: ReplicateRunner) -> None:
    image_model(fake)
    fake.throttle(FLUX, times=1, retry_after=1)
    t0 = time.monotonic()
    result = await runner.run(ModelRef(FLUX), {"prompt": "x"}, outputs=OutputFiles("s/a", ("image/",)))
    assert time.monotonic() - t0 >= 1.0  # waited what the server asked, not the default backoff
    assert [r.path for r in fake.creates(FLUX)] == [f"/v1/models/{FLUX}/predictions"] * 2
    assert len(fake.calls(FLUX)) == 1 and result.assets


async def test_5xx_is_retried_and_persistent_throttling_gives_up(
    fake: FakeReplicate, runner: ReplicateRunner
) -> None:
    image_model(fake)
    fake.throttle(FLUX, times=1, retry_after=0, status=503)
    assert (await runner.run(ModelRef(FLUX), {"prompt": "x"}, outputs=OutputFiles("s/b", ("image/",)))).assets
    fake.throttle(FLUX, times=5, retry_after=0.1)
    with pytest.raises(ReplicateUnavailable, match="rate limiting") as err:
        await runner.run(ModelRef(FLUX), {"prompt": "x"})
    assert err.value.cost.usd_micros == 0  # nothing ran, nothing billed
    assert len(fake.creates(FLUX)) == 2 + 3  # 503+success, then three refused tries


async def test_slow_prediction_reports_progress_from_logs(
    fake: FakeReplicate, runner: ReplicateRunner
) -> None:
    async def handler(p: FakePrediction) -> str:
        for step in range(1, 6):
            await asyncio.sleep(0.12)
            p.progress(step, 5)
        return p.file(png_bytes(), "out.png", "image/png")

    fake.add_model("acme/slow", handler, start_delay_s=0.1)
    seen: list[tuple[float, str]] = []
    await runner.run(
        ModelRef("acme/slow"),
        {},
        outputs=OutputFiles("s/slow", ("image/",)),
        on_progress=lambda f, m: seen.append((f, m)),
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions)
    assert {0.2, 0.4, 0.6, 0.8}.issubset(set(fractions)) or len(set(fractions)) >= 4
    assert fractions[-1] == 1.0 and "5/5" in seen[-1][1]
    assert seen[0][1] in ("starting", "processing")


async def test_cancelling_the_caller_cancels_the_prediction(
    fake: FakeReplicate, runner: ReplicateRunner
) -> None:
    started = asyncio.Event()

    async def handler(p: FakePrediction) -> str:
        p.log("warming up")
        await asyncio.sleep(3600)
        return "never"

    fake.add_model("acme/forever", handler)
    task = asyncio.create_task(
        runner.run(ModelRef("acme/forever"), {}, on_progress=lambda f, m: started.set())
    )
    await asyncio.wait_for(started.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (pred,) = fake.calls("acme/forever")
    assert pred.status == "canceled"
    assert any(r.path == f"/v1/predictions/{pred.id}/cancel" for r in fake.requests)


async def test_deadline_cancels_and_reports_unavailable(fake: FakeReplicate, runner: ReplicateRunner) -> None:
    async def handler(p: FakePrediction) -> str:
        await asyncio.sleep(3600)
        return "never"

    fake.add_model("acme/stuck", handler)
    t0 = time.monotonic()
    with pytest.raises(ReplicateUnavailable, match=r"did not finish within 0\.5 s") as err:
        await runner.run(ModelRef("acme/stuck"), {}, timeout_s=0.5)
    assert time.monotonic() - t0 < 3
    (pred,) = fake.calls("acme/stuck")
    assert pred.status == "canceled" and err.value.prediction_id == pred.id


async def test_model_failures_refusals_and_invalid_input(
    fake: FakeReplicate, runner: ReplicateRunner
) -> None:
    async def nsfw(p: FakePrediction) -> str:
        raise ModelFailure("NSFW content detected. Try running it again, or try a different prompt.")

    async def crash(p: FakePrediction) -> str:
        p.metrics["predict_time"] = 10.0
        raise ModelFailure("CUDA out of memory")

    fake.add_model(FLUX, nsfw)
    fake.add_model("stability-ai/stable-video-diffusion", crash, version="3f0457e4")
    with pytest.raises(ReplicateRefused, match="NSFW") as refused:
        await runner.run(ModelRef(FLUX), {"prompt": "x"}, outputs=OutputFiles("s/n", ("image/",)))
    assert refused.value.cost.usd_micros == 0  # per-image model: no image, no charge
    with pytest.raises(ReplicateUnavailable, match="CUDA out of memory") as failed:
        await runner.run(ModelRef("stability-ai/stable-video-diffusion", "3f0457e4"), {})
    assert failed.value.cost.usd_micros == 14_000  # GPU time is billed even for a failure

    image_model(fake, "acme/strict")
    with pytest.raises(ReplicateRefused, match=r"input.seed: Invalid type") as bad:
        await runner.run(ModelRef("acme/strict"), {"prompt": "x", "seed": "seven"})
    assert "rejected the input" in str(bad.value)


@pytest.mark.parametrize(
    ("payload", "ctype", "problem"),
    [
        (b"<html>login</html>", "text/html", "expected image/"),
        (b"\x89PNG\r\n\x1a\n not really", "image/png", "not a readable image/png"),
        (b"\x00" * (1024 * 1024 + 10), "image/png", "larger than 1 MB"),
    ],
)
async def test_output_files_are_checked(
    fake: FakeReplicate, store: LocalStore, payload: bytes, ctype: str, problem: str
) -> None:
    async def handler(p: FakePrediction) -> str:
        return p.file(payload, "out.png", ctype)

    fake.add_model(FLUX, handler)
    settings = ReplicateSettings(poll_interval_s=0.05, max_download_mb=1)
    runner = ReplicateRunner(DEFAULT_TOKEN, store, settings, base_url=fake.base_url)
    try:
        with pytest.raises(ReplicateUnavailable, match=problem) as err:
            await runner.run(ModelRef(FLUX), {"prompt": "x"}, outputs=OutputFiles("s/bad", ("image/",)))
        assert err.value.cost.usd_micros == 40_000  # the provider billed the image we refused
        assert not await store.exists("s/bad.png")
    finally:
        await runner.aclose()


async def test_non_http_output_urls_are_refused(fake: FakeReplicate, runner: ReplicateRunner) -> None:
    async def handler(p: FakePrediction) -> str:
        return "file:///etc/passwd"

    fake.add_model("acme/sneaky", handler)
    with pytest.raises(ReplicateUnavailable, match="only http"):
        await runner.run(ModelRef("acme/sneaky"), {}, outputs=OutputFiles("s/x", ("image/",)))


async def test_upload_input_file_and_prefer_wait(
    fake: FakeReplicate, store: LocalStore, tmp_path: Path
) -> None:
    async def echo(p: FakePrediction) -> str:
        data = p.read_input(p.input["input_image"])
        return p.file(data, "echo.png", "image/png")

    fake.add_model(
        "acme/echo",
        echo,
        schema={
            "properties": {"input_image": {"type": "string", "format": "uri"}},
            "required": ["input_image"],
        },
    )
    src = tmp_path / "in.png"
    src.write_bytes(png_bytes(rgb=(1, 2, 3)))
    settings = ReplicateSettings(poll_interval_s=0.05, wait_s=5)
    runner = ReplicateRunner(DEFAULT_TOKEN, store, settings, base_url=fake.base_url)
    try:
        url = await runner.upload(src, "image/png")
        assert url.startswith(fake.base_url + "/v1/files/")
        result = await runner.run(
            ModelRef("acme/echo"), {"input_image": url}, outputs=OutputFiles("s/echo", ("image/",))
        )
        assert (await store.get_bytes("s/echo.png")) == src.read_bytes()
        assert result.assets[0].sha256
        create = fake.creates("acme/echo")[0]
        assert create.headers["prefer"] == "wait=5"
        # With Prefer: wait the create call itself returned the finished prediction: no polling.
        assert not [r for r in fake.requests if r.method == "GET" and r.path.startswith("/v1/predictions/")]
    finally:
        await runner.aclose()


async def test_token_is_checked_and_never_logged(
    fake: FakeReplicate, store: LocalStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    good = ReplicateRunner(
        DEFAULT_TOKEN, store, ReplicateSettings(poll_interval_s=0.05), base_url=fake.base_url
    )
    bad = ReplicateRunner("r8_wrong_secret_value", store, base_url=fake.base_url)
    image_model(fake)
    fake.throttle(FLUX, times=1, retry_after=0)
    try:
        await good.check()
        await good.run(ModelRef(FLUX), {"prompt": "x"}, outputs=OutputFiles("s/t", ("image/",)))
        with pytest.raises(ReplicateUnavailable, match="refused the API token"):
            await bad.check()
        with pytest.raises(ReplicateUnavailable, match="refused the API token") as err:
            await bad.run(ModelRef(FLUX), {"prompt": "x"})
        assert "r8_wrong_secret_value" not in str(err.value)
    finally:
        await good.aclose()
        await bad.aclose()
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "retrying" in logged  # the throttled call was logged...
    assert DEFAULT_TOKEN not in logged and "r8_wrong_secret_value" not in logged  # ...without secrets


async def test_the_real_client_runs_against_the_fake(
    fake: FakeReplicate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """replicate.async_run / replicate.run with only REPLICATE_BASE_URL and REPLICATE_API_TOKEN set."""
    image_model(fake, rgb=(250, 0, 0))
    fake.add_model(LLAMA, llm_replies(["Hello from the fake llama"]))
    monkeypatch.setenv("REPLICATE_BASE_URL", fake.base_url)
    monkeypatch.setenv("REPLICATE_API_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("REPLICATE_POLL_INTERVAL", "0.05")
    client = replicate.Client()
    out = await client.async_run(FLUX, input={"prompt": "x"}, use_file_output=False)
    async with httpx.AsyncClient() as http:
        body = (await http.get(out)).content
    with Image.open(io.BytesIO(body)) as im:
        assert im.convert("RGB").getpixel((0, 0)) == (250, 0, 0)
    text = await asyncio.to_thread(lambda: "".join(replicate.Client().run(LLAMA, input={"prompt": "hi"})))
    assert text == "Hello from the fake llama"
    pred = await client.predictions.async_get(fake.calls(LLAMA)[0].id)
    assert pred.status == "succeeded" and pred.metrics["predict_time"] >= 0
