"""Scale-out on loopback: two real image_gen replicas behind the gateway's one round_robin channel.

Each replica writes to its own storage folder, so the PNGs in a folder are exactly the images that
replica rendered. A 6-image stage (default items_per_call) must be served by both; once one replica
is stopped, the next stage must complete entirely on the survivor.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import grpc
import httpx
import numpy as np
from PIL import Image

from adreel.v1 import common_pb2, image_gen_pb2, image_gen_pb2_grpc
from services.common.batch import ItemDone, Reporter, run_batch
from services.common.config import AgentSettings
from services.common.server import Agent
from services.image_gen.config import Settings as ImageGenSettings
from services.image_gen.server import build as build_image_gen
from services.prompt_parser.server import build as build_prompt_parser
from tests.agents import running_agent
from tests.gateway_support import gateway_database, gateway_settings, login, running_gateway

__all__ = ["gateway_database"]


def rendered(storage: Path, session_id: str) -> list[Path]:
    return sorted((storage / "sessions" / session_id / "images").glob("*.png"))


async def generate_six(client: httpx.AsyncClient, token: str) -> dict:
    h = {"Authorization": f"Bearer {token}"}
    sid = (await client.post("/api/sessions/create", headers=h, json={})).json()["session_id"]
    body = {"session_id": sid, "product_prompt": "red ceramic coffee mug with a matte glaze", "num_images": 6}
    assert (await client.post("/api/generate-images", headers=h, json=body)).status_code == 202
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
        if session["stage"] in ("image_selection", "failed"):
            return session
        await asyncio.sleep(0.1)
    raise TimeoutError(f"session {sid} still in {session['stage']}")


class PeakCounter(image_gen_pb2_grpc.ImageGenServiceServicer):
    """Items that take 50 ms each; remembers how many ever ran at once in this server."""

    def __init__(self) -> None:
        self.running = self.peak = 0

    async def GenerateImages(
        self, request: image_gen_pb2.GenerateImagesRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[image_gen_pb2.GenerateImagesResponse]:
        async def work(index: int, report: Reporter) -> int:
            self.running += 1
            self.peak = max(self.peak, self.running)
            await asyncio.sleep(0.05)
            self.running -= 1
            return index

        async for event in run_batch(len(request.jobs), work, concurrency=8):
            if isinstance(event, ItemDone):
                yield image_gen_pb2.GenerateImagesResponse(progress=common_pb2.Progress(done=1))


async def test_a_replica_bounds_the_items_of_all_its_calls_together() -> None:
    """items_per_call=1 turns a stage into many calls; the agent's max_concurrency still holds."""
    servicer = PeakCounter()
    agent = Agent(
        name="image_gen",
        services=["adreel.v1.ImageGenService"],
        register=lambda server: image_gen_pb2_grpc.add_ImageGenServiceServicer_to_server(servicer, server),
    )
    async with running_agent(agent, AgentSettings(max_concurrency=2)) as (_, channel):
        stub = image_gen_pb2_grpc.ImageGenServiceStub(channel)
        request = image_gen_pb2.GenerateImagesRequest(jobs=[image_gen_pb2.ImageJob(item_id="i")])

        async def call(req: image_gen_pb2.GenerateImagesRequest) -> int:
            return len([e async for e in stub.GenerateImages(req, timeout=10)])

        assert await asyncio.gather(*(call(request) for _ in range(6))) == [1] * 6
        assert servicer.peak == 2
        servicer.peak = 0
        six = image_gen_pb2.GenerateImagesRequest(jobs=[image_gen_pb2.ImageJob(item_id="i")] * 6)
        assert await call(six) == 6 and servicer.peak == 2
    # Outside a server only the call's own bound applies.
    local = PeakCounter()
    assert len([e async for e in local.GenerateImages(six, None)]) == 6  # type: ignore[arg-type]
    assert local.peak == 6


async def test_round_robin_spreads_a_stage_and_fails_over(
    gateway_database: str, storage_dir: Path, tmp_path: Path
) -> None:
    stores = [tmp_path / "replica-a", tmp_path / "replica-b"]
    async with AsyncExitStack() as stack:
        parser, parser_settings = build_prompt_parser()
        parser_server, _ = await stack.enter_async_context(running_agent(parser, parser_settings))
        replicas = []
        for store in stores:
            store.mkdir()
            # One render at a time per replica: what a replica takes is what round_robin sent it.
            agent, settings = build_image_gen(
                ImageGenSettings(storage_dir=store, engine="local", max_concurrency=1, image_size=256)
            )
            replica = AsyncExitStack()
            server, _ = await replica.enter_async_context(running_agent(agent, settings))
            stack.push_async_callback(replica.aclose)
            replicas.append((server, replica))
        settings = gateway_settings(
            gateway_database,
            storage_dir,
            tmp_path / "state",
            prompt_parser_addr=f"127.0.0.1:{parser_server.port}",
            image_gen_addr=",".join(f"127.0.0.1:{server.port}" for server, _ in replicas),
        )
        assert settings.items_per_call == 1  # the default is what spreads a stage
        base = await stack.enter_async_context(running_gateway(settings))
        client = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=30))
        token = await login(client)

        first = await generate_six(client, token)
        assert first["stage"] == "image_selection", first.get("error")
        per_replica = [len(rendered(store, first["id"])) for store in stores]
        assert sum(per_replica) == 6 and min(per_replica) >= 1, per_replica
        # What the gateway recorded is exactly what the replicas rendered: real pictures.
        recorded = {i["id"] for i in first["generated_images"]}
        assert recorded == {p.stem for store in stores for p in rendered(store, first["id"])}
        for store in stores:
            picture = Image.open(rendered(store, first["id"])[0]).convert("RGB")
            pixels = np.asarray(picture, dtype=np.float32)
            assert pixels.shape[:2] == (256, 256) and pixels.std() > 10

        # A starts draining (NOT_SERVING, as on SIGTERM) but still listens: the channel's health
        # watch takes it out of the rotation, so B serves the whole next stage.
        await replicas[0][0].health.enter_graceful_shutdown()
        draining = await generate_six(client, token)
        assert draining["stage"] == "image_selection", draining.get("error")
        assert [len(rendered(store, draining["id"])) for store in stores] == [0, 6]

        # A stopped for good: still every image on B, none lost.
        await replicas[0][1].aclose()
        stopped = await generate_six(client, token)
        assert stopped["stage"] == "image_selection", stopped.get("error")
        assert [len(rendered(store, stopped["id"])) for store in stores] == [0, 6]
        assert len(stopped["generated_images"]) == 6
        print(f"first stage per replica: {per_replica}; draining A: [0, 6]; stopped A: [0, 6]")
