"""Load: whole journeys (images -> clips -> final) of many sessions at once through the gateway, with
fixed-latency engines (bench/engines.py) behind real gRPC, so the gateway is what is measured.

`python -m bench.load [--concurrent 50] [--sessions 200] [--latency 0.5]` runs the sessions in waves
of `--concurrent`, each with its own user and one WebSocket open from creation to the final video.
Goals (a 2-core machine): zero errors; no lost WebSocket event (every event the gateway published
for a session after the socket's snapshot arrives on it); p95 event delay (publish -> received)
<= 100 ms; the gateway's RSS flat over all sessions (slope after the first wave, in MB per 100
sessions, <= 2). The gateway runs in a process of its own (its RSS is sampled) that records what it
published; the engines and the clients share this one. Uses DATABASE_URL or an embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import secrets
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import websockets

from bench.engines import running_engines
from services.common.storage import LocalStore
from stack.embedded import free_port
from tests.gateway_support import scratch_database

GOAL_P95_MS = 100.0
GOAL_SLOPE_MB_PER_100 = 2.0


def _serve_gateway(fields: dict[str, Any], port: int, published_path: str) -> None:
    """The gateway process: uvicorn + the app, recording the seq of every event it publishes."""
    import uvicorn

    from gateway.app import create_app
    from gateway.core.config import Settings
    from gateway.progress import ProgressHub

    published: dict[str, list[int]] = defaultdict(list)
    publish = ProgressHub.publish

    def recording(self: ProgressHub, session_id: str, **kw: Any) -> Any:
        event = publish(self, session_id, **kw)
        published[session_id].append(event.seq)
        return event

    ProgressHub.publish = recording  # type: ignore[method-assign]
    app = create_app(Settings(**fields))
    # uvicorn re-raises the SIGTERM that stopped it: make that an exit, so `finally` runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.run(
            app, host="127.0.0.1", port=port, log_level="warning", ws="websockets-sansio", proxy_headers=False
        )
    finally:
        Path(published_path).write_text(json.dumps(published))


@dataclass
class SessionRun:
    sid: str = ""
    received: list[int] = field(default_factory=list)  # seqs after the snapshot
    snapshot_seq: int = 0
    delays_ms: list[float] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0


async def journey(client: httpx.AsyncClient, ws_base: str) -> SessionRun:
    run = SessionRun()
    start = time.perf_counter()
    try:
        email = f"load-{secrets.token_hex(6)}@example.com"
        r = await client.post("/api/auth/register", json={"email": email, "password": "load-pass"})
        r.raise_for_status()
        token = r.json()["session_token"]
        h = {"Authorization": f"Bearer {token}"}
        r = await client.post("/api/sessions/create", headers=h)
        r.raise_for_status()
        run.sid = r.json()["session_id"]
        r = await client.post("/api/ws-ticket", headers=h, json={"session_id": run.sid})
        r.raise_for_status()
        url = f"{ws_base}/ws/{run.sid}?ticket={r.json()['ticket']}"
        async with websockets.connect(url, max_queue=None) as ws:
            run.snapshot_seq = json.loads(await ws.recv())["seq"]

            async def stage(path: str, body: dict[str, Any]) -> dict[str, Any]:
                r = await client.post(path, headers=h, json=body)
                if r.status_code != 202:
                    raise RuntimeError(f"{path}: {r.status_code} {r.text}")
                while True:
                    raw = await asyncio.wait_for(ws.recv(), 60)
                    now = time.time()
                    event = json.loads(raw)
                    if event["type"] == "heartbeat":
                        continue
                    run.received.append(event["seq"])
                    run.delays_ms.append(
                        (now - datetime.fromisoformat(event["timestamp"]).timestamp()) * 1000
                    )
                    if event["type"] == "failed":
                        raise RuntimeError(f"{path}: failed: {event['message']}")
                    if event["type"] == "complete":
                        return event

            body = {"session_id": run.sid, "product_prompt": "walnut desk lamp", "num_images": 4}
            images = [i["id"] for i in (await stage("/api/generate-images", body))["data"]["images"]]
            r = await client.post(
                "/api/save-approved-images",
                headers=h,
                json={"session_id": run.sid, "approved_image_ids": images[:2]},
            )
            r.raise_for_status()
            body = {"session_id": run.sid, "video_prompt": "slow turn on a desk", "clip_duration": 2.0}
            clips = [c["id"] for c in (await stage("/api/generate-clips", body))["data"]["clips"]]
            r = await client.post(
                "/api/save-approved-clips",
                headers=h,
                json={"session_id": run.sid, "approved_clip_ids": clips, "clip_order": clips},
            )
            r.raise_for_status()
            body = {
                "session_id": run.sid,
                "text_overlay": {"product_name": "Lumen", "cta": "Shop", "font": "Inter", "color": "#FFFFFF"},
                "audio": {"enabled": False, "genre": "chill"},
            }
            final = await stage("/api/compose-final-video", body)
            if final["session_stage"] != "complete":
                raise RuntimeError(f"final stage is {final['session_stage']}")
    except Exception as exc:  # counted and reported, the other sessions go on
        run.error = f"{type(exc).__name__}: {exc}"
    run.seconds = time.perf_counter() - start
    return run


@dataclass
class Report:
    runs: list[SessionRun]
    rss_mb: list[tuple[int, float]]  # (sessions done, gateway RSS MB) after each wave
    samples: list[tuple[int, float]]  # the same every 0.25 s, from the end of the first wave on
    lost: int
    published: int
    wall_s: float

    @property
    def errors(self) -> list[str]:
        return [r.error for r in self.runs if r.error]

    @property
    def p95_ms(self) -> float:
        delays = sorted(d for r in self.runs for d in r.delays_ms)
        return statistics.quantiles(delays, n=20)[-1] if len(delays) > 1 else 0.0

    @property
    def slope_mb_per_100(self) -> float:
        """Least-squares slope of RSS over sessions done, from every sample after the first wave (which
        warms caches, pools and imports): a leak shows as a steady slope, allocator noise does not."""
        xs = [p[0] for p in self.samples]
        if len(set(xs)) < 2:
            return 0.0
        return statistics.linear_regression(xs, [p[1] for p in self.samples]).slope * 100


async def run_load(database_url: str, concurrent: int, sessions: int, latency_s: float) -> Report:
    with tempfile.TemporaryDirectory(prefix="adreel-load-") as tmp:
        store = LocalStore(Path(tmp) / "storage")
        async with running_engines(store, latency_s) as engines:
            port = free_port()
            fields = {
                "database_url": database_url,
                "storage_dir": str(store.root),
                "state_dir": str(Path(tmp) / "state"),
                "jwt_secret": secrets.token_urlsafe(32),
                "bcrypt_rounds": 4,
                **engines.addrs,
            }
            published_path = Path(tmp) / "published.json"
            ctx = multiprocessing.get_context("spawn")
            gateway = ctx.Process(target=_serve_gateway, args=(fields, port, str(published_path)))
            gateway.start()
            base = f"http://127.0.0.1:{port}"
            limits = httpx.Limits(max_connections=concurrent * 2, max_keepalive_connections=concurrent * 2)
            async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if (await client.get("/health")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                    if time.monotonic() > deadline:
                        raise RuntimeError("the gateway did not start")
                    await asyncio.sleep(0.2)
                rss = psutil.Process(gateway.pid)
                runs: list[SessionRun] = []
                points: list[tuple[int, float]] = []
                samples: list[tuple[int, float]] = []
                finished = 0

                async def counted() -> SessionRun:
                    nonlocal finished
                    run = await journey(client, base.replace("http", "ws"))
                    finished += 1
                    return run

                async def sample() -> None:  # RSS every 0.25 s against the sessions finished by then
                    while True:
                        samples.append((finished, rss.memory_info().rss / 1e6))
                        await asyncio.sleep(0.25)

                sampler = asyncio.create_task(sample())
                start = time.perf_counter()
                while len(runs) < sessions:
                    n = min(concurrent, sessions - len(runs))
                    runs += await asyncio.gather(*(counted() for _ in range(n)))
                    points.append((len(runs), rss.memory_info().rss / 1e6))
                    done = runs[-n:]
                    print(
                        f"  wave: {len(runs):4d} sessions, {sum(1 for r in done if r.error)} errors,"
                        f" median journey {statistics.median(r.seconds for r in done):.2f} s,"
                        f" gateway RSS {points[-1][1]:.1f} MB",
                        flush=True,
                    )
                wall = time.perf_counter() - start
                sampler.cancel()
            gateway.terminate()
            gateway.join(30)
            published = json.loads(published_path.read_text()) if published_path.exists() else {}
    lost = 0
    total = 0
    for r in runs:
        after = [s for s in published.get(r.sid, []) if s > r.snapshot_seq]
        total += len(after)
        lost += len(set(after) - set(r.received))
    if not published:
        raise RuntimeError("the gateway recorded no events (did it stop cleanly?)")
    return Report(runs, points, [p for p in samples if p[0] >= concurrent], lost, total, wall)


def main() -> None:
    cli = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    cli.add_argument("--concurrent", type=int, default=50, help="sessions at once (one wave)")
    cli.add_argument("--sessions", type=int, default=200, help="sessions in all")
    cli.add_argument("--latency", type=float, default=0.5, help="seconds per item of every engine")
    args = cli.parse_args()
    with scratch_database() as url:
        r = asyncio.run(run_load(url, args.concurrent, args.sessions, args.latency))
    ok = {
        "errors": not r.errors,
        "lost": r.lost == 0,
        "p95": r.p95_ms <= GOAL_P95_MS,
        "memory": r.slope_mb_per_100 <= GOAL_SLOPE_MB_PER_100,
    }
    verdict = {True: "PASS", False: "FAIL"}
    n = len(r.runs)
    waves = f"in waves of {args.concurrent}"
    print(f"sessions: {n} {waves}, {r.wall_s:.1f} s, engine latency {args.latency:.2f} s/item")
    print(f"errors: {len(r.errors)} of {n} {verdict[ok['errors']]}")
    for e in r.errors[:5]:
        print(f"  {e}")
    print(
        f"WebSocket events: {r.published} published after the snapshots, {r.lost} lost {verdict[ok['lost']]}"
    )
    delays = [d for run in r.runs for d in run.delays_ms]
    print(
        f"event delay: p50 {statistics.median(delays):.1f} ms, p95 {r.p95_ms:.1f} ms,"
        f" max {max(delays):.1f} ms (goal p95 <= {GOAL_P95_MS:.0f} ms) {verdict[ok['p95']]}"
    )
    journeys = sorted(run.seconds for run in r.runs)
    p95_journey = statistics.quantiles(journeys, n=20)[-1]
    print(f"journey: p50 {statistics.median(journeys):.2f} s, p95 {p95_journey:.2f} s")
    curve = ", ".join(f"{s}: {mb:.1f}" for s, mb in r.rss_mb)
    print(
        f"gateway RSS (sessions: MB) {curve}; slope after the first wave {r.slope_mb_per_100:+.2f} MB per 100"
        f" sessions ({len(r.samples)} samples, goal <= {GOAL_SLOPE_MB_PER_100:.0f}) {verdict[ok['memory']]}"
    )
    if not all(ok.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
