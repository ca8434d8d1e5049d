"""The gateway's edge and the agents' inputs under attack: forged tokens, traversal, brute force,
floods, foreign origins, oversized bodies, and URLs where storage references belong (SSRF)."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import httpx
import jwt
import pytest
import websockets

from adreel.v1 import common_pb2, compositor_pb2, compositor_pb2_grpc, video_gen_pb2, video_gen_pb2_grpc
from gateway.api.shared_windows import SharedWindow
from gateway.core.config import Settings, to_asyncpg_url
from gateway.db.engine import make_engine, make_sessionmaker
from services.compositor.server import build as build_compositor
from services.video_gen.server import build as build_video_gen
from tests.agents import running_agent
from tests.gateway_support import agentless_settings, bearer, gateway_database, login, running_gateway

__all__ = ["gateway_database"]

ORIGIN = "https://app.adreel.example"


@dataclass
class Edge:
    client: httpx.AsyncClient
    base: str
    settings: Settings
    storage: Path


@pytest.fixture
async def edge(gateway_database: str, storage_dir: Path, tmp_path: Path) -> AsyncIterator[Edge]:
    # No agents: a started stage fails in the background, the route answers 202.
    settings = agentless_settings(
        gateway_database,
        storage_dir,
        tmp_path / "state",
        web_origins=[ORIGIN],
        max_body_bytes=4096,
        login_max_failures=3,
        generation_max_starts=2,
        agent_retry_wait_s=0.01,
        agent_ready_timeout_s=0.05,
    )
    async with running_gateway(settings) as base, httpx.AsyncClient(base_url=base, timeout=30) as client:
        yield Edge(client, base, settings, storage_dir)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def test_expired_forged_and_unsigned_tokens_are_refused(edge: Edge) -> None:
    token = await login(edge.client)
    good = await edge.client.get("/api/sessions", headers=bearer(token))
    assert good.status_code == 200, good.text
    sub = str(jwt.decode(token, options={"verify_signature": False})["sub"])
    now = int(time.time())
    key = edge.settings.jwt_key
    claims = {"sub": sub, "typ": "access", "iat": now}
    bad = {
        "expired": jwt.encode({**claims, "exp": now - 5}, key, "HS256"),
        "forged": jwt.encode({**claims, "exp": now + 600}, "not-the-server-key-" * 3, "HS256"),
        "alg_none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({**claims, 'exp': now + 600})}.",
        "no_expiry": jwt.encode(claims, key, "HS256"),
        "media_as_access": jwt.encode({"sid": "x", "typ": "media", "exp": now + 600}, key, "HS256"),
        "tampered": token[: token.index(".") + 1]
        + _b64({**claims, "sub": "1", "exp": now + 600})
        + token[token.rindex(".") :],
    }
    for name, forged in bad.items():
        r = await edge.client.get("/api/sessions", headers=bearer(forged))
        assert r.status_code == 401, f"{name}: {r.status_code} {r.text}"
        assert r.headers["www-authenticate"] == "Bearer"
    sid = (await edge.client.post("/api/sessions/create", headers=bearer(token))).json()["session_id"]
    ws_base = edge.base.replace("http", "ws")
    for name in ("expired", "forged", "alg_none"):
        async with websockets.connect(f"{ws_base}/ws/{sid}?token={bad[name]}") as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401, name
    r = await edge.client.get(f"/media/sessions/{sid}/images/a.png", params={"token": bad["forged"]})
    assert r.status_code == 401


async def _raw_get(base: str, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """GET with the request target sent byte for byte (HTTP clients normalise `..` away)."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    lines = [f"GET {target} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    response = await reader.read()
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_media_route_refuses_path_traversal(edge: Edge) -> None:
    token = await login(edge.client)
    sid = (await edge.client.post("/api/sessions/create", headers=bearer(token))).json()["session_id"]
    own = edge.storage / "sessions" / sid / "images" / "a.png"
    own.parent.mkdir(parents=True)
    own.write_bytes(b"\x89PNG own image")
    canary = b"CANARY-outside-the-store"
    (edge.storage.parent / "canary.txt").write_bytes(canary)
    (edge.storage / "canary.txt").write_bytes(canary)  # in the store, but not a session's
    h = bearer(token)
    status, body = await _raw_get(edge.base, f"/media/sessions/{sid}/images/a.png", h)
    assert (status, body) == (200, b"\x89PNG own image")
    attacks = [
        f"/media/sessions/{sid}/../../canary.txt",
        f"/media/sessions/{sid}/images/../../../../canary.txt",
        f"/media/sessions/{sid}/%2e%2e/%2e%2e/canary.txt",
        f"/media/sessions/{sid}/..%2f..%2f..%2fcanary.txt",
        f"/media/sessions/{sid}/images/..%5c..%5c..%5ccanary.txt",
        f"/media/sessions/{sid}/%252e%252e/%252e%252e/canary.txt",
        "/media/canary.txt",
        "/media//etc/passwd",
        "/media/%2fetc%2fpasswd",
        f"/media/sessions/{sid}/images/a.png%00.txt",
    ]
    for target in attacks:
        status, body = await _raw_get(edge.base, target, h)
        assert status in (400, 404), f"{target}: {status}"
        assert canary not in body and b"root:" not in body, target


async def test_login_is_rate_limited_per_ip_and_email(edge: Edge) -> None:
    c = edge.client
    accounts = {f"victim{i}@example.com": "right-password" for i in range(3)}  # 14 characters
    for email, password in accounts.items():
        r = await c.post("/api/auth/register", json={"email": email, "password": password})
        assert r.status_code == 201
    a, b, third = list(accounts)
    for _ in range(3):
        assert (
            await c.post("/api/auth/login", json={"email": a, "password": "guess-123"})
        ).status_code == 401
    # The right password no longer helps this IP + email until the window passes.
    r = await c.post("/api/auth/login", json={"email": a, "password": "right-password"})
    assert r.status_code == 429 and "too many failed logins" in r.json()["detail"]
    assert 1 <= int(r.headers["retry-after"]) <= edge.settings.login_window_s
    # Another account from the same IP still logs in, and a success clears nothing it should not.
    assert (
        await c.post("/api/auth/login", json={"email": b, "password": "right-password"})
    ).status_code == 200
    for _ in range(3):
        assert (
            await c.post("/api/auth/login", json={"email": b, "password": "guess-456"})
        ).status_code == 401
    # Failures at other accounts from this IP never close a third one to its right password.
    r = await c.post("/api/auth/login", json={"email": third, "password": "right-password"})
    assert r.status_code == 200


async def test_a_window_is_shared_by_every_replica(gateway_database: str) -> None:
    """Two engines stand for two gateway replicas: they count against one window, atomically."""
    engines = [make_engine(to_asyncpg_url(gateway_database)) for _ in range(2)]
    a, b = (make_sessionmaker(e) for e in engines)
    try:
        window = SharedWindow(f"test-{secrets.token_hex(4)}", 2, 0.5)
        assert (await window.reserve(a, "k"))[0] == 0
        assert (await window.reserve(a, "k"))[0] == 0
        wait, _ = await window.reserve(b, "k")  # the other replica sees both hits
        assert 0 < wait <= 0.5
        assert (await window.reserve(b, "other"))[0] == 0
        await asyncio.sleep(0.55)
        assert (await window.reserve(b, "k"))[0] == 0  # the first hits left the window
        # 20 concurrent checks from both replicas against a limit of 5: exactly 5 pass.
        burst = SharedWindow(f"test-{secrets.token_hex(4)}", 5, 30.0)
        results = await asyncio.gather(*(burst.reserve((a, b)[n % 2], "u") for n in range(20)))
        assert sum(1 for wait, _ in results if wait == 0) == 5
        hit = next(h for wait, h in results if wait == 0)
        await burst.undo(a, hit)  # a taken-back hit frees its place
        assert (await burst.reserve(b, "u"))[0] == 0 and await burst.count(a, "u") == 5
    finally:
        for e in engines:
            await e.dispose()


async def test_generation_is_rate_limited_per_user(edge: Edge) -> None:
    c = edge.client

    async def start(token: str) -> httpx.Response:
        sid = (await c.post("/api/sessions/create", headers=bearer(token))).json()["session_id"]
        body = {"session_id": sid, "product_prompt": "red leather handbag", "num_images": 4}
        return await c.post("/api/generate-images", headers=bearer(token), json=body)

    greedy, other = await login(c), await login(c)
    assert [(await start(greedy)).status_code for _ in range(2)] == [202, 202]
    refused = await start(greedy)
    assert refused.status_code == 429 and "per user" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    assert (await start(other)).status_code == 202  # the limit is per user, not global


async def test_cors_only_for_the_configured_origin(edge: Edge) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    ok = await edge.client.options("/api/sessions/create", headers={"Origin": ORIGIN, **preflight})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ORIGIN
    for evil in ("https://evil.example", "http://localhost:3000", "null", ORIGIN + ".evil.example"):
        r = await edge.client.options("/api/sessions/create", headers={"Origin": evil, **preflight})
        assert r.status_code == 400 and "access-control-allow-origin" not in r.headers, evil
        r = await edge.client.get("/health", headers={"Origin": evil})
        assert "access-control-allow-origin" not in r.headers, evil
    # The limits' own answers carry CORS headers, so the web app can read them.
    r = await edge.client.post("/api/auth/login", content=b"x" * 5000, headers={"Origin": ORIGIN})
    assert r.status_code == 413 and r.headers["access-control-allow-origin"] == ORIGIN


async def test_request_body_size_limits(edge: Edge) -> None:
    c = edge.client
    token = await login(c)
    sid = (await c.post("/api/sessions/create", headers=bearer(token))).json()["session_id"]
    big = {"session_id": sid, "product_prompt": "x" * 5000, "num_images": 4}
    r = await c.post("/api/generate-images", headers=bearer(token), json=big)
    assert r.status_code == 413 and "at most 4096 bytes" in r.json()["detail"]

    async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        yield b'{"email": "a@b.c", "password": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}'

    r = await c.post("/api/auth/login", content=chunked(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    small = {"session_id": sid, "product_prompt": "x" * 150, "num_images": 4}
    assert (await c.post("/api/generate-images", headers=bearer(token), json=small)).status_code == 202
    # Photo uploads have their own, larger limit: 40 kB reaches the route (which judges the file).
    files = {"files": ("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * 40_000, "image/png")}
    r = await c.post(f"/api/sessions/{sid}/images", headers=bearer(token), files=files)
    assert r.status_code not in (413, 500), r.text
    assert "request body" not in r.text


# ---------------------------------------------------------------- agents: storage references only

FOREIGN = [
    "http://169.254.169.254/latest/meta-data/iam/",
    "https://example.com/clip.mp4",
    "file:///etc/passwd",
    "s3://someone-elses-bucket/clip.mp4",
    "asset://../../etc/passwd",
    "asset:///etc/passwd",
    "asset://sessions/s/../../../etc/passwd",
    "//example.com/x.mp4",
]


@pytest.mark.parametrize("agent", ["video_gen", "compositor"])
async def test_agents_accept_only_storage_references(agent: str, storage_dir: Path) -> None:
    if agent == "video_gen":
        a, s = build_video_gen()
    else:
        a, s = build_compositor()
    async with running_agent(a, s) as (_, channel):
        for uri in FOREIGN:
            ref = common_pb2.AssetRef(uri=uri, content_type="video/mp4")
            with pytest.raises(grpc.aio.AioRpcError) as err:
                if agent == "video_gen":
                    await _clip_call(channel, ref)
                else:
                    await _compose_call(channel, ref)
            assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, (uri, err.value.details())
            field = "jobs[0].image.uri" if agent == "video_gen" else "clips[0].uri"
            assert (err.value.details() or "").startswith(f"{field}:"), (uri, err.value.details())


async def _clip_call(channel: grpc.aio.Channel, ref: common_pb2.AssetRef) -> None:
    stub = video_gen_pb2_grpc.VideoGenServiceStub(channel)
    plan = common_pb2.ScenePlan(
        camera_movement=common_pb2.CAMERA_MOVEMENT_ZOOM_IN, motion_intensity=0.5, scene_prompt="turn"
    )
    job = video_gen_pb2.ClipJob(item_id="c1", image=ref, plan=plan, seed=1)
    request = video_gen_pb2.GenerateClipsRequest(session_id="ssrf", jobs=[job], duration_s=2.0)
    async for _ in stub.GenerateClips(request, timeout=30):
        pass


async def _compose_call(channel: grpc.aio.Channel, ref: common_pb2.AssetRef) -> None:
    stub = compositor_pb2_grpc.CompositorServiceStub(channel)
    request = compositor_pb2.ComposeRequest(
        session_id="ssrf",
        item_id="final-1",
        clips=[ref],
        intro_s=1.0,
        outro_s=1.0,
        overlay=compositor_pb2.TextOverlay(product_name="A", cta="B", font="inter", color="#ffffff"),
        music=compositor_pb2.Music(enabled=False),
    )
    async for _ in stub.Compose(request, timeout=30):
        pass
