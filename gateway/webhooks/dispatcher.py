"""Delivers logged webhook events in the background: signed POSTs, retried with exponential backoff.

Rows due for an attempt are claimed with FOR UPDATE SKIP LOCKED and leased (next_attempt_at moved
past the attempt's timeout), so several gateway replicas never send one attempt twice, and an
attempt cut short by a crash is simply taken again when its lease runs out.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import case, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.background import cancel_and_wait
from gateway.core.config import Settings
from gateway.db.models import Batch, Session
from gateway.webhooks.models import WebhookDelivery
from gateway.webhooks.sealing import SealError
from gateway.webhooks.signing import signed_headers
from gateway.webhooks.targets import TargetRefused, resolve_target

log = logging.getLogger(__name__)

BATCH = 16
USER_AGENT = "Adreel-Webhooks/1"


def backoff_s(settings: Settings, attempts: int) -> float:
    """Wait after the `attempts`-th failed attempt: base * 2^(n-1), capped, plus up to 10% jitter."""
    delay = min(settings.webhook_backoff_s * 2 ** (attempts - 1), settings.webhook_backoff_max_s)
    return delay * (1 + random.uniform(0, 0.1))


class WebhookDispatcher:
    def __init__(self, settings: Settings, db: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.db = db
        self._task: asyncio.Task[None] | None = None
        self._client = httpx.AsyncClient(
            timeout=settings.webhook_timeout_s,
            follow_redirects=False,  # a redirect could point anywhere, including inside
            trust_env=False,  # no proxy from the environment: the checked address is the one dialled
            headers={"user-agent": USER_AGENT},
        )

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="webhook-dispatcher")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        await self._client.aclose()

    async def _loop(self) -> None:
        while True:
            try:
                while await self.deliver_due():
                    pass
            except Exception:
                log.exception("webhook delivery pass failed")
            await asyncio.sleep(self.settings.webhook_poll_s)

    async def deliver_due(self) -> int:
        """One pass: claim due rows, attempt each (concurrently), record the outcomes."""
        now = datetime.now(UTC)
        lease = timedelta(seconds=self.settings.webhook_timeout_s + 30)
        async with self.db.begin() as db:
            # A batch's events go to the batch's webhook, a session's to the session's.
            url = case((WebhookDelivery.batch_id.is_not(None), Batch.webhook_url), else_=Session.webhook_url)
            secret = case(
                (WebhookDelivery.batch_id.is_not(None), Batch.webhook_secret), else_=Session.webhook_secret
            )
            claimed = (
                await db.execute(
                    select(WebhookDelivery, url, secret)
                    .outerjoin(Session, Session.id == WebhookDelivery.session_id)
                    .outerjoin(Batch, Batch.id == WebhookDelivery.batch_id)
                    .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                    .order_by(WebhookDelivery.next_attempt_at)
                    .limit(BATCH)
                    .with_for_update(of=WebhookDelivery, skip_locked=True)
                )
            ).all()
            for delivery, _, _ in claimed:
                delivery.next_attempt_at = now + lease
            jobs = [(d.id, d.body, d.attempts, url, secret) for d, url, secret in claimed]
        await asyncio.gather(*(self._attempt(*job) for job in jobs))
        return len(jobs)

    async def _attempt(
        self, delivery_id: str, body: str, attempts: int, url: str | None, secret: str | None
    ) -> None:
        started = time.monotonic()
        entry: dict[str, Any] = {"at": datetime.now(UTC).isoformat(), "status_code": None, "error": None}
        permanent = False
        if not url or not secret:
            entry["error"], permanent = "the webhook was removed", True
        else:
            try:
                target = await resolve_target(url, allow_private=self.settings.webhook_allow_private)
                entry["address"] = target.address
                # Stored sealed (gateway/webhooks/sealing.py); opened only for this attempt.
                plain = self.settings.webhook_keyring.reveal(secret)
                headers = signed_headers(plain, delivery_id, int(time.time()), body)
                headers["host"] = target.host_header
                extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else None
                response = await self._client.post(
                    target.pinned_url, content=body.encode(), headers=headers, extensions=extensions
                )
                entry["status_code"] = response.status_code
                if not response.is_success:
                    entry["error"] = f"HTTP {response.status_code}"
            except SealError as exc:  # the key that sealed it is gone: retried once it is back
                entry["error"] = str(exc)
            except TargetRefused as exc:
                # Refused now though accepted when set: the name was re-pointed. Never retried.
                entry["error"], permanent = f"target refused: {exc}", True
            except httpx.HTTPError as exc:
                entry["error"] = f"{type(exc).__name__}: {exc}"[:300] or type(exc).__name__
        entry["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        await self._record(delivery_id, attempts + 1, entry, permanent)

    async def _record(self, delivery_id: str, attempts: int, entry: dict[str, Any], permanent: bool) -> None:
        ok = entry["error"] is None
        async with self.db.begin() as db:
            row = await db.get(WebhookDelivery, delivery_id, with_for_update=True)
            if row is None or row.status != "pending":
                return  # cancelled (webhook removed) while the attempt was in flight
            row.attempts = attempts
            row.last_status_code, row.last_error = entry["status_code"], entry["error"]
            row.attempt_log = [*row.attempt_log, entry]
            if ok:
                row.status, row.delivered_at, row.next_attempt_at = "delivered", datetime.now(UTC), None
            elif permanent or attempts >= self.settings.webhook_max_attempts:
                row.status, row.next_attempt_at = "failed", None
            else:
                delay = backoff_s(self.settings, attempts)
                row.next_attempt_at = datetime.now(UTC) + timedelta(seconds=delay)
        # Ids and codes only: never the URL's query or the secret.
        fields = {"delivery": delivery_id, "attempt": attempts, "status_code": entry["status_code"]}
        log.info("webhook attempt", extra=fields | {"ok": ok})
