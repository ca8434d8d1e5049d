"""Agents authenticate the gateway: a call needs a token the gateway signed for the request's
session, keys outside that session are refused, replays answer only the same request, and
reflection can be switched off. Real agents served on loopback."""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import grpc
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from grpc_health.v1 import health_pb2
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from PIL import Image

from adreel.v1 import common_pb2, image_gen_pb2, image_gen_pb2_grpc, video_gen_pb2, video_gen_pb2_grpc
from services.common.agent_auth import AUDIENCE, TokenSigner, load_private
from services.common.config import AgentSettings
from services.common.server import Agent, AgentServer
from services.common.storage import LocalStore
from services.image_gen.server import build as build_image_gen
from services.video_gen.server import build as build_video_gen
from tests.agents import health_status, running_agent

SERVING = health_pb2.HealthCheckResponse.SERVING


def clip_request(session_id: str, image_uri: str) -> video_gen_pb2.GenerateClipsRequest:
    plan = common_pb2.ScenePlan(camera_movement=common_pb2.CAMERA_MOVEMENT_ZOOM_IN, motion_intensity=0.5)
    job = video_gen_pb2.ClipJob(item_id="clip_1", image=common_pb2.AssetRef(uri=image_uri), plan=plan, seed=1)
    return video_gen_pb2.GenerateClipsRequest(session_id=session_id, jobs=[job], duration_s=2.0)


async def code_of(call: object) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        async for _ in call:  # type: ignore[attr-defined]
            pass
    return err.value.code()


def bearer(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


async def test_calls_need_the_gateways_token_for_their_own_session(storage_dir: Path) -> None:
    store = LocalStore(storage_dir)
    Image.new("RGB", (320, 240), (200, 80, 40)).save(storage_dir / "a.png")
    await store.put_file("sessions/victim/images/a.png", storage_dir / "a.png", "image/png")
    agent, settings = build_video_gen()
    async with running_agent(agent, settings) as (server, authed):
        stub = video_gen_pb2_grpc.VideoGenServiceStub(authed)
        # Another session's image, asked for under the caller's own session: refused, by field.
        with pytest.raises(grpc.aio.AioRpcError) as err:
            async for _ in stub.GenerateClips(
                clip_request("attacker", "asset://sessions/victim/images/a.png")
            ):
                pass
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert (err.value.details() or "").startswith("jobs[0].image.uri: outside this session")

        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as raw:
            bare = video_gen_pb2_grpc.VideoGenServiceStub(raw)
            own = clip_request("victim", "asset://sessions/victim/images/a.png")
            # No token, a token of another key, an expired one, one for another session.
            assert await code_of(bare.GenerateClips(own)) == grpc.StatusCode.UNAUTHENTICATED
            forged = TokenSigner(base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode())
            call = bare.GenerateClips(own, metadata=bearer(forged.token("victim", 1)))
            assert await code_of(call) == grpc.StatusCode.UNAUTHENTICATED
            now = int(time.time())
            signing = os.environ["ADREEL_AGENT_SIGNING_KEY"]
            signer = TokenSigner(signing)
            expired = jwt.encode(
                {"aud": AUDIENCE, "sid": "victim", "uid": 1, "iat": now - 600, "exp": now - 300},
                load_private(signing),
                "EdDSA",
            )
            call = bare.GenerateClips(own, metadata=bearer(expired))
            assert await code_of(call) == grpc.StatusCode.UNAUTHENTICATED
            call = bare.GenerateClips(own, metadata=bearer(signer.token("attacker", 1)))
            assert await code_of(call) == grpc.StatusCode.PERMISSION_DENIED
            # Health stays open to probes, with no token.
            assert await health_status(raw) == SERVING
        # The session's own image, with its token: rendered.
        clips = [
            e
            async for e in stub.GenerateClips(clip_request("victim", "asset://sessions/victim/images/a.png"))
        ]
        assert any(e.WhichOneof("event") == "clip" for e in clips)


async def test_a_replay_answers_only_the_same_request(storage_dir: Path) -> None:
    agent, settings = build_image_gen()
    async with running_agent(agent, settings) as (_, channel):
        stub = image_gen_pb2_grpc.ImageGenServiceStub(channel)

        async def image(prompt: str) -> image_gen_pb2.ImageResult:
            job = image_gen_pb2.ImageJob(
                item_id="img_1",
                prompt=common_pb2.ImagePrompt(prompt=prompt, view=common_pb2.VIEW_FRONT, seed=3),
            )
            product = common_pb2.ProductSpec(text="a watch", category="watch")
            request = image_gen_pb2.GenerateImagesRequest(session_id="s1", product=product, jobs=[job])
            (result,) = [
                e.image async for e in stub.GenerateImages(request, timeout=60) if e.HasField("image")
            ]
            return result

        first = await image("a gold watch on marble")
        assert not first.replayed
        assert (await image("a gold watch on marble")).replayed
        # Same item id, other content: made anew, not answered with the first picture.
        assert not (await image("a steel watch on slate")).replayed


async def test_no_key_no_start_and_reflection_can_be_off() -> None:
    probe = Agent(name="probe", services=["adreel.v1.ProbeService"], register=lambda s: None)
    with pytest.raises(RuntimeError, match="ADREEL_AGENT_VERIFY_KEY"):
        AgentServer(probe, AgentSettings(port=0, agent_verify_key=None))
    server = AgentServer(probe, AgentSettings(port=0, grpc_reflection=False))
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            stub = reflection_pb2_grpc.ServerReflectionStub(channel)
            replies = stub.ServerReflectionInfo(
                iter([reflection_pb2.ServerReflectionRequest(list_services="")])
            )
            with pytest.raises(grpc.aio.AioRpcError) as err:
                async for _ in replies:
                    pass
            assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED
    finally:
        await server.stop(0)
