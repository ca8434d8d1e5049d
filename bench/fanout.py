"""Gateway fan-out and overhead, with fixed-latency engines behind real gRPC servers.

1. Fan-out: an ImageGenService whose every image takes exactly L seconds (all jobs at once, as a
   cloud engine would); 6 images through the gateway (POST /api/generate-images -> the WebSocket's
   terminal event) should finish in <= 1.25 L.
2. Overhead: the same with zero-latency engines; the stage's wall time is pure orchestration
   (health check, DB writes, WebSocket events) and its p50 should be <= 50 ms.

`python -m bench.fanout [--latency 2.0] [--runs 15]`; uses DATABASE_URL or an embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import websockets

from bench import engines
from services.common.config import AgentSettings
from services.common.server import Agent
from services.common.storage import LocalStore
from tests.agents import running_agent
from tests.gateway_support import gateway_settings, login, running_gateway, scratch_database


def fixed_agents(store: LocalStore, latency_s: float) -> tuple[Agent, Agent]:
    agents = engines.fixed_agents(store, latency_s)
    return agents["prompt_parser"], agents["image_gen"]


async def image_stage_seconds(client: httpx.AsyncClient, ws_base: str, token: str, num_images: int) -> float:
    """POST /api/generate-images on a fresh session -> its terminal WebSocket event, in seconds."""
    h = {"Authorization": f"Bearer {token}"}
    sid = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
    ticket = (await client.post("/api/ws-ticket", headers=h, json={"session_id": sid})).json()["ticket"]
    async with websockets.connect(f"{ws_base}/ws/{sid}?ticket={ticket}") as ws:
        await ws.recv()  # the snapshot
        start = time.perf_counter()
        body = {"session_id": sid, "product_prompt": "pink tennis shoes", "num_images": num_images}
        r = await client.post("/api/generate-images", headers=h, json=body)
        r.raise_for_status()
        while True:
            event = json.loads(await ws.recv())
            if event["type"] in ("complete", "failed"):
                elapsed = time.perf_counter() - start
                if event["type"] == "failed":
                    raise RuntimeError(event["message"])
                assert len(event["data"]["images"]) == num_images
                return elapsed


async def measure(database_url: str, latency_s: float, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="adreel-bench-") as tmp:
        store = LocalStore(Path(tmp) / "storage")
        results: dict[str, float] = {}
        for label, latency in (("fanout", latency_s), ("overhead", 0.0)):
            parser, images = fixed_agents(store, latency)
            agent_settings = AgentSettings(storage_dir=store.root)
            async with AsyncExitStack() as stack:
                ps, _ = await stack.enter_async_context(running_agent(parser, agent_settings))
                gs, _ = await stack.enter_async_context(running_agent(images, agent_settings))
                settings = gateway_settings(
                    database_url,
                    store.root,
                    Path(tmp) / "state",
                    prompt_parser_addr=f"127.0.0.1:{ps.port}",
                    image_gen_addr=f"127.0.0.1:{gs.port}",
                    budget_usd=200,
                    # One user starts every stage of the run; the per-user limit is not what is measured.
                    generation_max_starts=10_000,
                )
                base = await stack.enter_async_context(running_gateway(settings))
                client = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=60))
                token = await login(client)
                ws_base = base.replace("http", "ws")
                await image_stage_seconds(client, ws_base, token, 6)  # warm-up (connections, JIT caches)
                if label == "fanout":
                    times = [await image_stage_seconds(client, ws_base, token, 6) for _ in range(3)]
                    results["fanout_s"] = statistics.median(times)
                    results["fanout_ratio"] = results["fanout_s"] / latency
                else:
                    times = [await image_stage_seconds(client, ws_base, token, 6) for _ in range(runs)]
                    results["overhead_p50_ms"] = statistics.median(times) * 1000
                    results["overhead_max_ms"] = max(times) * 1000
        return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency", type=float, default=2.0, help="seconds per image of the slow engine")
    parser.add_argument("--runs", type=int, default=15, help="zero-latency runs for the overhead p50")
    args = parser.parse_args()
    with scratch_database() as url:
        r = asyncio.run(measure(url, args.latency, args.runs))
    ok_fan, ok_over = r["fanout_ratio"] <= 1.25, r["overhead_p50_ms"] <= 50
    verdict = {True: "PASS", False: "FAIL"}
    print(
        f"fan-out: 6 images at L={args.latency:.2f}s took {r['fanout_s']:.3f}s = {r['fanout_ratio']:.3f} L"
        f" (goal <= 1.25 L) {verdict[ok_fan]}"
    )
    print(
        f"overhead: image stage with zero-latency engines p50 {r['overhead_p50_ms']:.1f} ms, max"
        f" {r['overhead_max_ms']:.1f} ms over {args.runs} runs (goal p50 <= 50 ms) {verdict[ok_over]}"
    )
    if not (ok_fan and ok_over):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
