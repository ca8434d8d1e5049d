"""Stage events as webhook messages, added to the delivery log inside the stage's own transaction
(so an event is never lost between the stage change and its delivery, even across a restart)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.core.config import Settings
from gateway.db.models import Asset, Session
from gateway.responses import MediaLinks, dollars, final_view
from gateway.webhooks.models import WebhookDelivery
from gateway.webhooks.signing import new_message_id

# The stage a session reaches -> the stage that just completed.
COMPLETED_BY = {
    "image_selection": "image_generation",
    "clip_selection": "clip_generation",
    "complete": "final_composition",
}


def _results(row: Session, assets: Iterable[Asset], settings: Settings) -> dict[str, Any]:
    """Thin results: item ids, plus the final videos with their (signed, relative) URLs."""
    if row.stage == "image_selection":
        return {"image_ids": list(row.generated_image_ids)}
    if row.stage == "clip_selection":
        return {"clip_ids": list(row.generated_clip_ids)}
    links = MediaLinks(settings, row.id)
    finals = sorted(
        (a for a in assets if a.asset_type == "final_video"), key=lambda a: a.meta.get("order", 0)
    )
    return {"final_videos": [final_view(a, links).model_dump(mode="json") for a in finals]}


async def enqueue_stage_event(
    db: AsyncSession,
    row: Session,
    *,
    settings: Settings,
    failed_stage: str | None = None,
    assets: Iterable[Asset] = (),
) -> None:
    """Log a `stage.completed` (row just moved on) or `stage.failed` event when the session has a
    webhook; the dispatcher sends it after the caller's transaction commits."""
    if not row.webhook_url:
        return
    now = datetime.now(UTC)
    data: dict[str, Any] = {
        "session_id": row.id,
        "session_stage": row.stage,
        "progress": row.progress,
        "message": row.message,
        "total_cost": dollars(row.total_cost_micros),
    }
    if failed_stage is not None:
        event_type = "stage.failed"
        data |= {"stage": failed_stage, "error": row.error, "retryable": True}
    else:
        event_type = "stage.completed"
        data |= {"stage": COMPLETED_BY.get(row.stage, row.stage), **_results(row, assets, settings)}
    body = {"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data}
    db.add(
        WebhookDelivery(
            id=new_message_id(),
            session_id=row.id,
            event_type=event_type,
            body=json.dumps(body, separators=(",", ":"), ensure_ascii=False),
            status="pending",
            attempts=0,
            attempt_log=[],
            next_attempt_at=now,
        )
    )
