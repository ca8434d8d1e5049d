"""Scale-out: whole journeys through 1 gateway and through 2 gateway replicas sharing the stage-job
queue and the progress bus on NATS JetStream, with fixed-latency engines (bench/engines.py) behind
real gRPC; and how long a killed replica's job takes to resume on the other.

`python -m bench.scale [--sessions 20] [--concurrent 10] [--latency 0.3] [--ack-wait 5]`

With 2 replicas every session's requests go to one replica and its WebSocket to the other, so each
event crosses replicas on its way to the browser. On a 2-core machine the gateways are not
CPU-bound with fixed-latency engines: the sessions-per-minute ratio shows whether the queue adds
waiting, not CPU scaling. Goals: event delay p95 <= 100 ms across replicas; a killed replica's job
resumed within 2x AckWait. Uses DATABASE_URL (else an embedded PostgreSQL) and NATS_URL (else an
embedded NATS).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import secrets
import statistics
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.engines import running_engines
from bench.load import SessionRun, _serve_gateway, journey
from services.common.storage import LocalStore
from stack.embedded import EmbeddedNats, free_port
from tests.gateway_support import plain_dsn, scratch_database, session_at

GOAL_P95_MS = 100.0


async def healthy(base: str) -> None:
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(base_url=base) as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get("/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{base} did not start")


def start_replicas(n: int, fields: dict[str, Any], tmp: Path) -> list[tuple[Any, str]]:
    ctx = multiprocessing.get_context("spawn")
    out = []
    for i in range(n):
        port = free_port()
        process = ctx.Process(target=_serve_gateway, args=(fields, port, str(tmp / f"published-{i}.json")))
        process.start()
        out.append((process, f"http://127.0.0.1:{port}"))
    return out


async def run_sessions(bases: list[str], sessions: int, concurrent: int) -> tuple[list[SessionRun], float]:
    limits = httpx.Limits(max_connections=concurrent * 2, max_keepalive_connections=concurrent * 2)
    async with AsyncExitStack() as exits:
        clients = [
            await exits.enter_async_context(httpx.AsyncClient(base_url=b, timeout=60, limits=limits))
            for b in bases
        ]
        runs: list[SessionRun] = []
        start = time.perf_counter()
        while len(runs) < sessions:
            n = min(concurrent, sessions - len(runs))
            # Requests to one replica, the socket on the next one (the same one when there is one).
            runs += await asyncio.gather(
                *(
                    journey(clients[k % len(bases)], bases[(k + 1) % len(bases)].replace("http", "ws"))
                    for k in range(len(runs), len(runs) + n)
                )
            )
        return runs, time.perf_counter() - start


async def resume_after_kill(bases: list[str], processes: list[Any], dsn: str) -> float:
    """Start a clip stage, kill -9 the replica that took it up, time until the other takes it."""
    async with httpx.AsyncClient(base_url=bases[0], timeout=60) as client:
        email = f"scale-{secrets.token_hex(6)}@example.com"
        token = (
            await client.post("/api/auth/register", json={"email": email, "password": "scale-pass-1"})
        ).json()["session_token"]
        h = {"Authorization": f"Bearer {token}"}
        sid = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
        body = {"session_id": sid, "product_prompt": "walnut desk lamp", "num_images": 4}
        await client.post("/api/generate-images", headers=h, json=body)
        session = await session_at(client, h, sid, "image_selection", tries=2400, pause_s=0.05)
        ids = [i["id"] for i in session["generated_images"]]
        await client.post(
            "/api/save-approved-images", headers=h, json={"session_id": sid, "approved_image_ids": ids}
        )
        body = {"session_id": sid, "video_prompt": "slow turn on a desk", "clip_duration": 2.0}
        await client.post("/api/generate-clips", headers=h, json=body)
    conn = await asyncpg.connect(dsn)
    try:
        claim = "SELECT claimed_by FROM sessions WHERE id = $1"
        worker = None
        for _ in range(3000):
            if worker := await conn.fetchval(claim, sid):
                break
            await asyncio.sleep(0.02)
        assert worker, "the clip stage was never taken up"
        victim_pid = int(worker.split(":")[1])
        victim = next(p for p in processes if p.pid == victim_pid)
        killed = time.monotonic()
        victim.kill()
        for _ in range(30_000):
            worker = await conn.fetchval(claim, sid)
            if worker and int(worker.split(":")[1]) != victim_pid:
                return time.monotonic() - killed
            await asyncio.sleep(0.02)
        raise RuntimeError("the job never resumed")
    finally:
        await conn.close()


async def bench(database_url: str, nats_url: str, args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="adreel-scale-") as tmp_dir:
        tmp = Path(tmp_dir)
        store = LocalStore(tmp / "storage")
        async with running_engines(store, args.latency) as engines:
            for replicas in (1, 2, "kill"):
                tag = secrets.token_hex(3).upper()
                fields = {
                    "database_url": database_url,
                    "storage_dir": str(store.root),
                    "state_dir": str(tmp / "state"),
                    "jwt_secret": secrets.token_urlsafe(32),
                    "bcrypt_rounds": 4,
                    "nats_url": nats_url,
                    "nats_stream": f"SCALE_COSTS_{tag}",
                    "nats_subject_prefix": f"scale{tag.lower()}",
                    "stage_jobs_stream": f"SCALE_JOBS_{tag}",
                    "progress_stream": f"SCALE_PROGRESS_{tag}",
                    "stage_ack_wait_s": args.ack_wait,
                    "max_running_stages_per_user": 4,
                    "generation_max_starts": 10_000,
                    **engines.addrs,
                }
                started = start_replicas(1 if replicas == 1 else 2, fields, tmp)
                try:
                    bases = [base for _, base in started]
                    await asyncio.gather(*(healthy(b) for b in bases))
                    if replicas == "kill":
                        results["resume_s"] = await resume_after_kill(
                            bases, [p for p, _ in started], plain_dsn(database_url)
                        )
                        continue
                    runs, wall = await run_sessions(bases, args.sessions, args.concurrent)
                    delays = sorted(d for r in runs for d in r.delays_ms)
                    results[replicas] = {
                        "errors": [r.error for r in runs if r.error],
                        "per_min": len(runs) / wall * 60,
                        "p95_ms": statistics.quantiles(delays, n=20)[-1] if len(delays) > 1 else 0.0,
                    }
                finally:
                    for process, _ in started:
                        if process.is_alive():
                            process.terminate()
                        process.join(30)
    return results


def main() -> None:
    cli = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    cli.add_argument("--sessions", type=int, default=20)
    cli.add_argument("--concurrent", type=int, default=10)
    cli.add_argument("--latency", type=float, default=0.3, help="seconds per item of every engine")
    cli.add_argument("--ack-wait", type=float, default=5.0, help="the stage jobs' AckWait, seconds")
    args = cli.parse_args()

    async def with_nats(url: str) -> dict[str, Any]:
        nats_url = os.environ.get("NATS_URL")
        if nats_url:
            return await bench(url, nats_url, args)
        server = EmbeddedNats(Path(tempfile.mkdtemp(prefix="adreel-scale-nats-")))
        try:
            return await bench(url, await server.start(), args)
        finally:
            await server.stop()

    with scratch_database() as url:
        r = asyncio.run(with_nats(url))
    one, two = r[1], r[2]
    verdict = {True: "PASS", False: "FAIL"}
    print(f"{args.sessions} whole journeys, {args.concurrent} at once, engines {args.latency:.2f} s/item")
    print(
        f"1 gateway:  {one['per_min']:.1f} sessions/min, event delay p95 {one['p95_ms']:.1f} ms,"
        f" errors {len(one['errors'])}"
    )
    print(
        f"2 gateways: {two['per_min']:.1f} sessions/min, event delay p95 {two['p95_ms']:.1f} ms"
        f" across replicas (goal <= {GOAL_P95_MS:.0f} ms) {verdict[two['p95_ms'] <= GOAL_P95_MS]},"
        f" errors {len(two['errors'])}"
    )
    print(f"ratio 2/1 gateways: {two['per_min'] / one['per_min']:.2f}x sessions per minute")
    ok = r["resume_s"] <= 2 * args.ack_wait
    print(
        f"kill -9 of the replica running a stage -> resumed on the other after {r['resume_s']:.1f} s"
        f" (AckWait {args.ack_wait:g} s, goal <= {2 * args.ack_wait:g} s) {verdict[ok]}"
    )
    for e in (one["errors"] + two["errors"])[:5]:
        print(f"  error: {e}")
    if one["errors"] or two["errors"] or two["p95_ms"] > GOAL_P95_MS or not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
