"""An agent killed mid-stage: the session fails naming the agent; retry completes the stage without
a duplicate asset or a second charge for what was already delivered."""

from __future__ import annotations

import json
import signal
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
import websockets

from stack.embedded import free_port
from tests.agents import spawn_agent, terminate, wait_serving
from tests.gateway_support import events_until_terminal, plain_dsn, socket_url, stage_events, start_stack


async def test_killed_agent_then_retry(gateway_database: str, storage_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    # One render at a time, so the kill lands between two delivered images.
    env = {"ADREEL_STORAGE_DIR": str(storage_dir), "ADREEL_MAX_CONCURRENCY": "1"}
    procs = [spawn_agent("image_gen", port, env)]
    try:
        await wait_serving(port)
        async with AsyncExitStack() as exits:
            stack = await start_stack(
                exits, gateway_database, storage_dir, tmp_path / "state", external={"image_gen": port}
            )
            client = stack.client
            r = await client.post(
                "/api/auth/register", json={"email": "kill@example.com", "password": "kill-pass"}
            )
            token = r.json()["session_token"]
            h = {"Authorization": f"Bearer {token}"}
            sid = (await client.post("/api/sessions/create", headers=h)).json()["session_id"]
            async with websockets.connect(await socket_url(client, token, sid)) as ws:
                await ws.recv()
                body = {
                    "session_id": sid,
                    "product_prompt": "luxury gold watch with leather strap",
                    "num_images": 6,
                }
                assert (await client.post("/api/generate-images", headers=h, json=body)).status_code == 202
                while not json.loads(await ws.recv())["message"].startswith("Image 1 of 6 ready"):
                    pass
                terminate(procs[0], signal.SIGKILL)
                failed = (await events_until_terminal(ws))[-1]
            assert failed["type"] == "failed" and "image_gen" in failed["message"]
            session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
            assert session["stage"] == "failed" and session["failed_stage"] == "image_generation"
            kept = [i["id"] for i in session["generated_images"]]
            assert 1 <= len(kept) < 6

            # A retry while the agent is still down fails again, with the same message, nothing lost.
            again = (await stage_events(client, token, sid, f"/api/sessions/{sid}/retry"))[-1]
            assert again["type"] == "failed" and "image_gen" in again["message"]

            procs.append(spawn_agent("image_gen", port, env))
            await wait_serving(port)
            done = (await stage_events(client, token, sid, f"/api/sessions/{sid}/retry"))[-1]
            assert done["type"] == "complete" and done["session_stage"] == "image_selection", done["message"]

            session = (await client.get(f"/api/sessions/{sid}", headers=h)).json()
            ids = [i["id"] for i in session["generated_images"]]
            assert len(ids) == len(set(ids)) == 6 and ids[: len(kept)] == kept
            conn = await asyncpg.connect(plain_dsn(gateway_database))
            try:
                assets = await conn.fetchval("SELECT count(*) FROM assets WHERE session_id = $1", sid)
                charged = await conn.fetch(
                    "SELECT item_id FROM generation_costs WHERE session_id = $1 AND agent_name = 'image_gen'"
                    " AND success",
                    sid,
                )
            finally:
                await conn.close()
            assert assets == 6
            assert sorted(r["item_id"] for r in charged) == sorted(ids)  # each image paid exactly once
    finally:
        for proc in procs:
            terminate(proc, signal.SIGKILL)
            proc.wait(10)
