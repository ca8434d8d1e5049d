"""Faults under the launcher (`python -m stack`, real processes): one journey survives kill -9 of an
agent in every stage and of the gateway itself, and nothing is bought or booked twice.

- image_gen killed after the first image: the stage fails naming it, the launcher restarts it, a
  retry completes the stage with the delivered image kept;
- the gateway killed after the first clip: restarted by the launcher, it takes the stage's job up
  again by itself (JetStream redelivers it) and completes it, reusing the delivered clip;
- the compositor killed mid-render: a retry renders the final.
Then every item has one asset, one stored file and one ledger row (via NATS), the costs endpoint
sums to the session's total, and neither the Replicate token nor the JWT secret appears in any log
line of any process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psutil
import websockets

from services.common.media import probe
from stack.spawn import LaunchedStack, Ports
from tests.gateway_support import events_until_terminal, socket_url
from tests.integration.test_stack_launcher import child_of, fresh_database, requires_mesh

__all__ = ["fresh_database"]

REPLICATE_TOKEN = f"r8_{secrets.token_hex(18)}"
JWT_SECRET = f"jwt-{secrets.token_urlsafe(32)}"


class Journey:
    def __init__(self, stack: LaunchedStack, client: httpx.AsyncClient, home: Path) -> None:
        assert stack.process is not None and stack.url is not None
        self.stack = stack
        self.launcher = psutil.Process(stack.process.pid)
        self.client = client
        self.ws_base = stack.url.replace("http", "ws")
        self.home = home
        self.token = ""
        self.sid = ""

    @property
    def h(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def session(self) -> dict[str, Any]:
        r = await self.client.get(f"/api/sessions/{self.sid}", headers=self.h)
        assert r.status_code == 200, r.text
        return r.json()

    async def kill(self, module: str) -> int:
        """kill -9 the launcher's child running `module`; returns the log index to wait from."""
        mark = len(self.stack.lines)
        child_of(self.launcher, module).kill()
        return mark

    async def restarted(self, name: str, mark: int) -> None:
        await asyncio.to_thread(self.stack.wait_for, rf"{name} is ready again after restart", 90, mark)

    async def stage(
        self,
        path: str,
        body: dict[str, Any],
        *,
        kill_when: Callable[[dict[str, Any]], bool] | None = None,
        kill: Callable[[], Awaitable[None]] | None = None,
    ) -> list[dict[str, Any]]:
        """POST a stage; with `kill_when`, run `kill` at the first event it matches. Returns the events
        up to the terminal one (or up to the kill, when the kill takes the gateway down)."""
        url = await socket_url(self.client, self.token, self.sid)
        events: list[dict[str, Any]] = []
        async with websockets.connect(url) as ws:
            await ws.recv()
            r = await self.client.post(path, headers=self.h, json=body)
            assert r.status_code == 202, r.text
            if kill_when is not None and kill is not None:
                while not kill_when(event := json.loads(await asyncio.wait_for(ws.recv(), 120))):
                    events.append(event)
                events.append(event)
                await kill()
            with contextlib.suppress(websockets.ConnectionClosed):  # the gateway itself went away
                events += await events_until_terminal(ws)
        return events

    async def retry(self) -> dict[str, Any]:
        url = await socket_url(self.client, self.token, self.sid)
        async with websockets.connect(url) as ws:
            await ws.recv()
            r = await self.client.post(f"/api/sessions/{self.sid}/retry", headers=self.h)
            assert r.status_code == 202, r.text
            done = (await events_until_terminal(ws))[-1]
        assert done["type"] == "complete", done["message"]
        return done


def message_starts(prefix: str) -> Callable[[dict[str, Any]], bool]:
    return lambda e: str(e.get("message", "")).startswith(prefix)


async def until(check: Callable[[], Awaitable[bool]], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.3)


@requires_mesh
async def test_journey_survives_kill_9_of_agents_and_gateway(fresh_database: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    stack = LaunchedStack(
        {
            **Ports().env(),
            "DATABASE_URL": fresh_database,
            "ADREEL_HOME": str(home),
            "ADREEL_RESTART_BACKOFF_S": "0.2",
            # One render at a time in every agent, so each kill lands between two delivered items.
            "ADREEL_MAX_CONCURRENCY": "1",
            # A token only to show that no secret reaches a log; the engines stay offline.
            "REPLICATE_API_TOKEN": REPLICATE_TOKEN,
            "ADREEL_ENGINE": "local",
            "ADREEL_JWT_SECRET": JWT_SECRET,
            # A killed gateway's stage job comes back to the restarted one after this.
            "ADREEL_STAGE_ACK_WAIT_S": "3",
        }
    )
    try:
        url = await asyncio.to_thread(stack.start)
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            j = Journey(stack, client, home)
            r = await client.post(
                "/api/auth/register", json={"email": "faults@example.com", "password": "faults-1"}
            )
            j.token = r.json()["session_token"]
            signature = j.token.rsplit(".", 1)[1]
            j.sid = (await client.post("/api/sessions/create", headers=j.h)).json()["session_id"]

            # 1. image_gen dies after the first image.
            async def kill_images() -> None:
                mark = await j.kill("services.image_gen")
                j.image_mark = mark  # type: ignore[attr-defined]

            body = {"session_id": j.sid, "product_prompt": "amber glass perfume bottle", "num_images": 4}
            events = await j.stage(
                "/api/generate-images", body, kill_when=message_starts("Image 1 of 4 ready"), kill=kill_images
            )
            assert events[-1]["type"] == "failed" and "image_gen" in events[-1]["message"]
            kept = [i["id"] for i in (await j.session())["generated_images"]]
            assert 1 <= len(kept) < 4
            await j.restarted("image_gen", j.image_mark)  # type: ignore[attr-defined]
            done = await j.retry()
            images = [i["id"] for i in done["data"]["images"]]
            assert len(images) == len(set(images)) == 4 and images[: len(kept)] == kept

            # 2. The gateway dies after the first clip.
            r = await client.post(
                "/api/save-approved-images",
                headers=j.h,
                json={"session_id": j.sid, "approved_image_ids": images[:2]},
            )
            assert r.status_code == 200, r.text
            gateway_mark = 0

            async def kill_gateway() -> None:
                nonlocal gateway_mark
                gateway_mark = await j.kill("gateway")

            body = {"session_id": j.sid, "video_prompt": "slow turn on a marble table", "clip_duration": 2.0}
            await j.stage(
                "/api/generate-clips", body, kill_when=message_starts("Clip 1 of 2 ready"), kill=kill_gateway
            )
            await j.restarted("gateway", gateway_mark)
            # The stage is a job on JetStream: the restarted gateway takes it up again by itself
            # (after AckWait) and finishes it from its plan; no retry, and the delivered clip kept.
            resumed = await j.session()
            assert resumed["stage"] in ("clip_generation", "clip_selection"), resumed["error"]
            delivered = [c["id"] for c in resumed["generated_clips"]]
            assert len(delivered) >= 1
            for _ in range(1200):
                done_session = await j.session()
                if done_session["stage"] != "clip_generation":
                    break
                await asyncio.sleep(0.1)
            assert done_session["stage"] == "clip_selection", done_session["error"]
            clips = [c["id"] for c in done_session["generated_clips"]]
            assert len(clips) == len(set(clips)) == 2 and clips[: len(delivered)] == delivered

            # 3. The compositor dies mid-render.
            r = await client.post(
                "/api/save-approved-clips",
                headers=j.h,
                json={"session_id": j.sid, "approved_clip_ids": clips, "clip_order": clips},
            )
            assert r.status_code == 200, r.text
            compositor_mark = 0

            async def kill_compositor() -> None:
                nonlocal compositor_mark
                compositor_mark = await j.kill("services.compositor")

            body = {
                "session_id": j.sid,
                "text_overlay": {
                    "product_name": "Ambra",
                    "cta": "Shop now",
                    "font": "Inter",
                    "color": "#FFD700",
                },
                "audio": {"enabled": False, "genre": "chill"},
                "intro_duration": 0.5,
                "outro_duration": 0.5,
            }
            events = await j.stage(
                "/api/compose-final-video", body, kill_when=lambda e: e["progress"] > 90, kill=kill_compositor
            )
            assert events[-1]["type"] == "failed" and "compositor" in events[-1]["message"]
            await j.restarted("compositor", compositor_mark)
            done = await j.retry()
            assert done["session_stage"] == "complete"

            # Every item exactly once: assets, stored files, ledger rows; the costs add up.
            db = await asyncpg.connect(fresh_database)
            try:
                assets = await db.fetch("SELECT id, asset_type, uri FROM assets WHERE session_id = $1", j.sid)
                by_type = {
                    t: sorted(r["id"] for r in assets if r["asset_type"] == t) for t in ("image", "video")
                }
                assert by_type == {"image": sorted(images), "video": sorted(clips)}
                (final,) = [r for r in assets if r["asset_type"] == "final_video"]

                async def ledger_complete() -> bool:
                    n = await db.fetchval(
                        "SELECT count(*) FROM generation_costs WHERE session_id = $1", j.sid
                    )
                    return n >= 9  # 2 prompt_parser calls + 4 images + 2 clips + 1 compose

                await until(ledger_complete, 30, "the ledger to book the journey")
                await asyncio.sleep(1.0)  # a duplicate would arrive right behind
                rows = await db.fetch(
                    "SELECT agent_name, item_id, cost_micros FROM generation_costs"
                    " WHERE session_id = $1 AND success",
                    j.sid,
                )
                total = await db.fetchval("SELECT total_cost_micros FROM sessions WHERE id = $1", j.sid)
            finally:
                await db.close()
            items = [r["item_id"] for r in rows if r["item_id"]]
            assert sorted(items) == sorted([*images, *clips, final["id"]]), "one ledger row per item"
            assert len(rows) == 9 and sum(r["cost_micros"] for r in rows) == total > 0
            costs = (await client.get(f"/api/sessions/{j.sid}/costs", headers=j.h)).json()
            calls = {line["agent"]: line["calls"] for line in costs["breakdown"]}
            assert calls == {"prompt_parser": 2, "image_gen": 4, "video_gen": 2, "compositor": 1}
            assert costs["total_cost"] == round(total / 1e6, 6)
            storage = home / "storage" / "sessions" / j.sid
            assert len(list((storage / "images").glob("*.png"))) == 4
            assert len(list((storage / "clips").glob("*.mp4"))) == 2
            video = probe(home / "storage" / final["uri"].removeprefix("asset://"))
            assert (video.width, video.height, round(video.fps)) == (1920, 1080, 30)
    finally:
        await asyncio.to_thread(stack.stop, 60)
    log = "\n".join(stack.lines)
    restarts = re.findall(r"(\w+) exited with signal SIGKILL", log)
    assert sorted(restarts) == ["compositor", "gateway", "image_gen"]
    assert REPLICATE_TOKEN not in log and JWT_SECRET not in log
    assert REPLICATE_TOKEN[3:20] not in log and JWT_SECRET[4:24] not in log  # nor a part of either
    # Nor the user's bearer token (no URL carries it), nor a WebSocket ticket.
    assert signature not in log and "ticket=[redacted]" in log
