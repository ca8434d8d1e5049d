"""image_gen over real gRPC on loopback: streamed results, stored PNGs, replay, failures, validation."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import numpy as np
import pytest
import pytest_asyncio
from grpc_health.v1 import health_pb2
from PIL import Image

from adreel.v1 import common_pb2, image_gen_pb2, image_gen_pb2_grpc
from services.common.errors import ProviderUnavailable
from services.common.storage import LocalStore, key_from_uri
from services.image_gen.config import Settings
from services.image_gen.providers import GeneratedImage, ImageRequest, Provider
from services.image_gen.providers.local import LocalProvider
from services.image_gen.server import SERVICE, build
from tests.agents import health_status, running_agent

pytestmark = pytest.mark.asyncio(loop_scope="module")

PINK, WHITE = "#ff69b4", "#ffffff"
VIEWS = [
    common_pb2.VIEW_FRONT,
    common_pb2.VIEW_SIDE,
    common_pb2.VIEW_BACK,
    common_pb2.VIEW_TOP,
    common_pb2.VIEW_DETAIL,
    common_pb2.VIEW_LIFESTYLE,
]


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(engine="local", storage_dir=tmp_path_factory.mktemp("storage"), max_concurrency=2)


@pytest.fixture(scope="module")
def store(settings: Settings) -> LocalStore:
    return LocalStore(settings.storage_dir)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def provider(settings: Settings) -> AsyncIterator[LocalProvider]:
    """One worker pool for the module: the agents below share it (starting workers costs ~1 s)."""
    engine = LocalProvider(settings)
    yield engine
    await engine.close()


class _Shared:
    """The module's provider without its lifecycle, so one agent stopping does not stop the pool."""

    name = "local"

    def __init__(self, inner: Provider, fail_item: str = "") -> None:
        self.inner = inner
        self.fail_item = fail_item

    async def start(self) -> None:
        await self.inner.start()

    async def generate(self, request: ImageRequest, out_dir: Path) -> GeneratedImage:
        if request.item_id == self.fail_item:
            raise ProviderUnavailable("renderer crashed on this item")
        return await self.inner.generate(request, out_dir)

    async def close(self) -> None:
        pass


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stub(
    settings: Settings, provider: LocalProvider
) -> AsyncIterator[image_gen_pb2_grpc.ImageGenServiceStub]:
    agent, _ = build(settings, provider=_Shared(provider))
    async with running_agent(agent, settings) as (_, channel):
        assert await health_status(channel) == health_pb2.HealthCheckResponse.SERVING
        assert await health_status(channel, SERVICE) == health_pb2.HealthCheckResponse.SERVING
        yield image_gen_pb2_grpc.ImageGenServiceStub(channel)


def request(
    session: str,
    views: list[int],
    seed: int = 7,
    palette: tuple[str, ...] = (PINK, WHITE),
    category: str = "footwear",
) -> image_gen_pb2.GenerateImagesRequest:
    return image_gen_pb2.GenerateImagesRequest(
        session_id=session,
        product=common_pb2.ProductSpec(text="pink sneakers", category=category, palette=list(palette)),
        jobs=[
            image_gen_pb2.ImageJob(
                item_id=f"img-{common_pb2.View.Name(v).lower()}",
                prompt=common_pb2.ImagePrompt(view=v, prompt="studio shot of pink sneakers", seed=seed),
            )
            for v in views
        ],
    )


async def collect(
    stub: image_gen_pb2_grpc.ImageGenServiceStub,
    req: image_gen_pb2.GenerateImagesRequest,
) -> list[image_gen_pb2.GenerateImagesResponse]:
    return [event async for event in stub.GenerateImages(req, timeout=120)]


def images(events: list[image_gen_pb2.GenerateImagesResponse]) -> dict[str, image_gen_pb2.ImageResult]:
    return {e.image.item_id: e.image for e in events if e.WhichOneof("event") == "image"}


def pixels(store: LocalStore, result: image_gen_pb2.ImageResult) -> np.ndarray:
    data = store.path_of(key_from_uri(result.asset.uri)).read_bytes()
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "PNG"
        return np.asarray(im.convert("RGB"), dtype=np.int32)


def share_near(img: np.ndarray, colour: str, tolerance: int = 60) -> float:
    """Fraction of the middle of the frame (where the product stands) within `tolerance` of `colour`.

    Shading spreads a surface over many values, so this counts pixels near the colour rather than
    taking one exact mode; the backdrop is always a different, muted tone.
    """
    h, w, _ = img.shape
    centre = img[h // 5 : h * 4 // 5, w // 5 : w * 4 // 5]
    return float((np.abs(centre - hex_rgb(colour)).max(axis=-1) < tolerance).mean())


def hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])


async def test_six_views_stream_six_stored_pngs_in_the_product_colour(
    stub: image_gen_pb2_grpc.ImageGenServiceStub, store: LocalStore
) -> None:
    events = await collect(stub, request("s-views", VIEWS))
    kinds = [e.WhichOneof("event") for e in events]
    assert kinds.count("image") == 6 and "failure" not in kinds
    progress = [e.progress for e in events if e.WhichOneof("event") == "progress"]
    assert progress[0].fraction == 0 and progress[-1].fraction == pytest.approx(1.0)
    assert [p.done for p in progress] == sorted(p.done for p in progress)

    results = images(events)
    frames = {}
    for view in VIEWS:
        r = results[f"img-{common_pb2.View.Name(view).lower()}"]
        assert r.view == view and r.seed == 7 and not r.replayed
        assert r.asset.uri == f"asset://sessions/s-views/images/{r.item_id}.png"
        assert (r.asset.width, r.asset.height, r.asset.content_type) == (1024, 1024, "image/png")
        assert r.cost.provider == "local" and r.cost.model == "local/pillow-studio" and r.cost.usd_micros >= 0
        assert r.cost.seconds > 0
        img = pixels(store, r)
        assert img.shape == (1024, 1024, 3)
        assert img.std() > 20  # a picture, not a flat fill
        # The product in every view is the palette's primary colour.
        assert share_near(img, PINK) > 0.06, view
        frames[view] = img
    # Every view is a different picture.
    for i, a in enumerate(VIEWS):
        for b in VIEWS[i + 1 :]:
            assert np.abs(frames[a] - frames[b]).mean() > 8, (a, b)


async def test_palette_drives_the_product_colour(
    stub: image_gen_pb2_grpc.ImageGenServiceStub, store: LocalStore
) -> None:
    blue = "#2255cc"
    result = images(await collect(stub, request("s-blue", [common_pb2.VIEW_SIDE], palette=(blue, WHITE))))
    img = pixels(store, result["img-view_side"])
    assert share_near(img, blue) > 0.06
    assert share_near(img, PINK) < 0.005


async def test_same_seed_same_bytes_other_seed_other_image(
    stub: image_gen_pb2_grpc.ImageGenServiceStub, store: LocalStore
) -> None:
    views = [common_pb2.VIEW_FRONT]
    a = images(await collect(stub, request("s-seed-a", views, seed=11)))["img-view_front"]
    b = images(await collect(stub, request("s-seed-b", views, seed=11)))["img-view_front"]
    c = images(await collect(stub, request("s-seed-c", views, seed=12)))["img-view_front"]
    assert a.asset.sha256 == b.asset.sha256
    assert (
        store.path_of(key_from_uri(a.asset.uri)).read_bytes()
        == store.path_of(key_from_uri(b.asset.uri)).read_bytes()
    )
    assert a.asset.sha256 != c.asset.sha256
    assert np.abs(pixels(store, a) - pixels(store, c)).mean() > 1


async def test_repeated_request_replays_without_rendering_again(
    stub: image_gen_pb2_grpc.ImageGenServiceStub, store: LocalStore
) -> None:
    req = request("s-replay", [common_pb2.VIEW_TOP, common_pb2.VIEW_BACK])
    first = images(await collect(stub, req))
    paths = {k: store.path_of(key_from_uri(r.asset.uri)) for k, r in first.items()}
    mtimes = {k: p.stat().st_mtime_ns for k, p in paths.items()}
    again = images(await collect(stub, req))
    assert set(again) == set(first)
    for item_id, r in again.items():
        assert r.replayed and not first[item_id].replayed
        assert r.cost == first[item_id].cost
        assert r.asset == first[item_id].asset
        assert paths[item_id].stat().st_mtime_ns == mtimes[item_id]


async def test_one_failing_item_is_reported_while_the_others_complete(
    settings: Settings, provider: LocalProvider
) -> None:
    agent, _ = build(settings, provider=_Shared(provider, fail_item="img-view_side"))
    async with running_agent(agent, settings) as (_, channel):
        stub = image_gen_pb2_grpc.ImageGenServiceStub(channel)
        events = await collect(
            stub, request("s-fail", [common_pb2.VIEW_FRONT, common_pb2.VIEW_SIDE, common_pb2.VIEW_TOP])
        )
    failures = [e.failure for e in events if e.WhichOneof("event") == "failure"]
    assert [(f.item_id, f.code, f.retryable) for f in failures] == [("img-view_side", "UNAVAILABLE", True)]
    assert "crashed" in failures[0].message
    assert set(images(events)) == {"img-view_front", "img-view_top"}
    assert events[-1].progress.done == 3


def _bad(mutate: str) -> image_gen_pb2.GenerateImagesRequest:
    req = request("s-bad", [common_pb2.VIEW_FRONT, common_pb2.VIEW_SIDE])
    if mutate == "session":
        req.session_id = "../etc"
    elif mutate == "no-jobs":
        del req.jobs[:]
    elif mutate == "too-many":
        for i in range(7):
            req.jobs.add(item_id=f"x{i}", prompt=common_pb2.ImagePrompt(view=1, prompt="p"))
    elif mutate == "dup":
        req.jobs[1].item_id = req.jobs[0].item_id
    elif mutate == "empty-prompt":
        req.jobs[1].prompt.prompt = "   "
    elif mutate == "long-prompt":
        req.jobs[1].prompt.prompt = "x" * 2001
    elif mutate == "no-view":
        req.jobs[1].prompt.view = common_pb2.VIEW_UNSPECIFIED
    elif mutate == "category":
        req.product.category = "spaceship"
    elif mutate == "palette":
        req.product.palette[1] = "white"
    return req


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        ("session", "session_id:"),
        ("no-jobs", "jobs:"),
        ("too-many", "jobs:"),
        ("dup", "jobs[1].item_id:"),
        ("empty-prompt", "jobs[1].prompt.prompt: must not be blank"),
        ("long-prompt", "jobs[1].prompt.prompt:"),
        ("no-view", "jobs[1].prompt.view:"),
        ("category", "product.category:"),
        ("palette", "product.palette[1]:"),
    ],
)
async def test_bad_requests_are_invalid_argument_naming_the_field(
    stub: image_gen_pb2_grpc.ImageGenServiceStub, store: LocalStore, mutate: str, field: str
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await collect(stub, _bad(mutate))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert (err.value.details() or "").startswith(field), err.value.details()
    assert not (Path(store.root) / "sessions" / "s-bad").exists()
