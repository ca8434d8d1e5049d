"""Completion webhooks end to end: a real receiver on loopback verifies the Standard Webhooks
signatures; failed answers are retried with growing waits seen in the delivery log; the log
survives a gateway restart; private targets are refused (when set and again at delivery).

The agents are down, so a started stage fails: that `stage.failed` event is what gets delivered.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from gateway.core.config import Settings
from stack.embedded import free_port
from tests.gateway_support import gateway_database, gateway_settings, login, running_gateway, unused_addr
from tests.webhook_receiver import running_receiver

__all__ = ["gateway_database"]


def settings_for(database_url: str, tmp: Path, **overrides: Any) -> Settings:
    down = unused_addr()
    fields: dict[str, Any] = {
        "prompt_parser_addr": down,
        "image_gen_addr": down,
        "video_gen_addr": down,
        "compositor_addr": down,
        "agent_retry_wait_s": 0.05,
        "agent_ready_timeout_s": 0.1,
        "webhook_allow_private": True,
        "webhook_backoff_s": 0.3,
        "webhook_poll_s": 0.05,
        "webhook_timeout_s": 3.0,
    }
    # The same JWT secret across restarts, so tokens stay valid.
    return gateway_settings(
        database_url, tmp / "storage", tmp / "state", jwt_secret="x" * 40, **(fields | overrides)
    )


async def start_failing_stage(client: httpx.AsyncClient, h: dict[str, str], sid: str) -> None:
    body = {"session_id": sid, "product_prompt": "a blue ceramic mug", "num_images": 4}
    assert (await client.post("/api/generate-images", headers=h, json=body)).status_code == 202


async def deliveries_until(
    client: httpx.AsyncClient, h: dict[str, str], sid: str, done: Any, timeout_s: float = 20
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while True:
        log = (await client.get(f"/api/sessions/{sid}/webhook-deliveries", headers=h)).json()
        if done(log):
            return log
        assert time.monotonic() < deadline, log
        await asyncio.sleep(0.05)


async def test_signed_event_retried_with_backoff_until_delivered(
    gateway_database: str, tmp_path: Path
) -> None:
    async with (
        running_receiver(script=[500, 503]) as receiver,
        running_gateway(settings_for(gateway_database, tmp_path)) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as client,
    ):
        h = {"Authorization": f"Bearer {await login(client)}"}
        r = await client.post("/api/sessions/create", headers=h, json={"webhook_url": receiver.url})
        assert r.status_code == 201
        sid, secret = r.json()["session_id"], r.json()["webhook_secret"]
        assert secret.startswith("whsec_")
        shown = (await client.get(f"/api/sessions/{sid}/webhook", headers=h)).json()
        assert shown == {"url": receiver.url}  # the secret is never shown again

        await start_failing_stage(client, h, sid)
        got = await receiver.wait_for(3)
        assert [g.answered for g in got] == [500, 503, 200]
        assert {g.headers["webhook-id"] for g in got} == {got[0].headers["webhook-id"]}
        assert all(abs(int(g.headers["webhook-timestamp"]) - time.time()) < 60 for g in got)
        assert all(g.path == "/hooks/adreel" and g.headers["content-type"] == "application/json" for g in got)
        events = [g.verify(secret) for g in got]  # every attempt signed (raises when not)
        event = events[-1]
        assert event["type"] == "stage.failed" and event["timestamp"].endswith("Z")
        data = event["data"]
        assert data["session_id"] == sid and data["stage"] == "image_generation"
        assert data["session_stage"] == "failed" and data["retryable"] is True
        assert "image_gen" in data["error"] or "prompt_parser" in data["error"]
        # Exponential backoff: about 0.3 s, then about 0.6 s.
        first, second = got[1].at - got[0].at, got[2].at - got[1].at
        assert 0.28 <= first < 1.0 and second >= 0.55 and second > 1.5 * first, (first, second)

        log = await deliveries_until(client, h, sid, lambda d: d and d[0]["status"] == "delivered")
        assert len(log) == 1
        entry = log[0]
        assert entry["id"] == got[0].headers["webhook-id"] and entry["event_type"] == "stage.failed"
        assert entry["attempts"] == 3 and entry["last_status_code"] == 200 and entry["last_error"] is None
        assert [a["status_code"] for a in entry["attempt_log"]] == [500, 503, 200]
        assert entry["attempt_log"][0]["error"] == "HTTP 500" and entry["next_attempt_at"] is None
        assert entry["payload"] == events[-1] and entry["delivered_at"] is not None

        # A new URL issues a new secret; removing the webhook stops events.
        r = await client.put(f"/api/sessions/{sid}/webhook", headers=h, json={"url": receiver.url + "?v=2"})
        assert r.status_code == 200 and r.json()["secret"] not in (secret, None)
        assert (await client.delete(f"/api/sessions/{sid}/webhook", headers=h)).status_code == 204
        assert (await client.get(f"/api/sessions/{sid}/webhook", headers=h)).json() == {"url": None}
        other = {"Authorization": f"Bearer {await login(client)}"}
        assert (await client.get(f"/api/sessions/{sid}/webhook-deliveries", headers=other)).status_code == 404


async def test_log_survives_restart_and_private_targets_are_refused(
    gateway_database: str, tmp_path: Path
) -> None:
    port = free_port()
    hook = f"http://127.0.0.1:{port}/hook"
    # 1. Nobody listens yet: the event waits in the log, retried.
    async with (
        running_gateway(settings_for(gateway_database, tmp_path)) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as client,
    ):
        token = await login(client)
        h = {"Authorization": f"Bearer {token}"}
        r = await client.post("/api/sessions/create", headers=h, json={"webhook_url": hook})
        sid, secret = r.json()["session_id"], r.json()["webhook_secret"]
        await start_failing_stage(client, h, sid)
        log = await deliveries_until(client, h, sid, lambda d: d and d[0]["attempts"] >= 1)
        assert log[0]["status"] == "pending" and log[0]["next_attempt_at"] is not None
        assert "ConnectError" in log[0]["last_error"] and log[0]["last_status_code"] is None

    # 2. A restarted gateway delivers it once the receiver is up.
    async with (
        running_receiver(port=port) as receiver,
        running_gateway(settings_for(gateway_database, tmp_path)) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as client,
    ):
        (got,) = await receiver.wait_for(1)
        assert got.verify(secret)["data"]["session_id"] == sid
        log = await deliveries_until(client, h, sid, lambda d: d[0]["status"] == "delivered")
        assert log[0]["attempts"] >= 2 and log[0]["attempt_log"][-1]["status_code"] == 200
        assert log[0]["id"] == got.headers["webhook-id"]

    # 3. Private targets not allowed: refused when set, and again at delivery (DNS rebinding).
    strict = settings_for(gateway_database, tmp_path, webhook_allow_private=False)
    async with (
        running_receiver(port=port) as receiver,
        running_gateway(strict) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as client,
    ):
        r = await client.post("/api/sessions/create", headers=h, json={"webhook_url": hook})
        assert r.status_code == 422 and r.json()["detail"].startswith("webhook_url:")
        assert "loopback" in r.json()["detail"]
        for url, words in [
            ("http://localhost:8080/x", "loopback"),
            ("http://169.254.169.254/latest", "link-local"),
            ("http://10.0.0.7/x", "private"),
            ("https://user:pw@example.com/x", "credentials"),
            ("file:///etc/passwd", "http"),
        ]:
            r = await client.put(f"/api/sessions/{sid}/webhook", headers=h, json={"url": url})
            assert r.status_code == 422 and words in r.json()["detail"], (url, r.text)
        # The session still names the loopback URL set while it was allowed: a new event is refused.
        assert (await client.post(f"/api/sessions/{sid}/retry", headers=h)).status_code == 202
        log = await deliveries_until(client, h, sid, lambda d: len(d) == 2 and d[0]["status"] == "failed")
        refused = log[0]
        assert refused["attempts"] == 1 and "target refused" in refused["last_error"]
        assert "loopback" in refused["last_error"] and refused["next_attempt_at"] is None
        await asyncio.sleep(0.3)
        assert receiver.received == []
