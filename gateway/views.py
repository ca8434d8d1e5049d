"""Sessions and assets as the API shows them: dollars from integer micros, media as signed URLs."""

from __future__ import annotations

from collections.abc import Iterable

from gateway.core.config import Settings
from gateway.core.security import create_media_token
from gateway.db.models import Asset, Session
from gateway.schemas import (
    FinalVideo,
    ImageAsset,
    SessionResponse,
    SessionStage,
    SessionSummary,
    VideoAsset,
)
from services.common.costs import MICROS_PER_USD
from services.common.storage import key_from_uri


def dollars(micros: int) -> float:
    """For display only: sums are always made on integer micros."""
    return round(micros / MICROS_PER_USD, 6)


class MediaLinks:
    """Builds /media URLs carrying one short-lived token for the session (for <img>/<video>)."""

    def __init__(self, settings: Settings, session_id: str) -> None:
        self.token = create_media_token(session_id, settings.jwt_key, settings.media_token_ttl_s)

    def url(self, uri: str) -> str:
        return f"/media/{key_from_uri(uri)}?token={self.token}"


def image_view(a: Asset, links: MediaLinks) -> ImageAsset:
    ref = a.meta.get("asset", {})
    return ImageAsset(
        id=a.id,
        url=links.url(a.uri),
        view_type=a.meta.get("view", "front"),
        seed=int(a.meta.get("seed", 0)),
        cost=dollars(a.cost_micros),
        width=int(ref.get("width", 0)),
        height=int(ref.get("height", 0)),
        created_at=a.created_at,
        source="upload" if a.meta.get("source") == "upload" else "generated",
    )


def clip_view(a: Asset, links: MediaLinks) -> VideoAsset:
    ref = a.meta.get("asset", {})
    return VideoAsset(
        id=a.id,
        url=links.url(a.uri),
        source_image_id=a.meta.get("source_image_id", ""),
        duration=float(ref.get("duration_s", 0.0)),
        resolution=f"{ref.get('width', 0)}x{ref.get('height', 0)}",
        fps=round(float(ref.get("fps", 0.0))),
        cost=dollars(a.cost_micros),
        created_at=a.created_at,
    )


def final_view(a: Asset, links: MediaLinks) -> FinalVideo:
    ref = a.meta.get("asset", {})
    return FinalVideo(
        url=links.url(a.uri),
        duration=float(ref.get("duration_s", 0.0)),
        resolution=f"{ref.get('width', 0)}x{ref.get('height', 0)}",
        fps=round(float(ref.get("fps", 0.0))),
        file_size_mb=round(int(ref.get("bytes", 0)) / 1_000_000, 2),
        format="mp4",
        aspect_ratio=a.meta.get("format", "16:9"),
        has_audio=bool(a.meta.get("has_audio", False)),
        variant_id=a.meta.get("variant_id"),
        label=a.meta.get("label") or a.meta.get("format", "16:9"),
    )


def session_view(s: Session, assets: Iterable[Asset], settings: Settings) -> SessionResponse:
    links = MediaLinks(settings, s.id)
    by_id = {a.id: a for a in assets}
    images = [image_view(by_id[i], links) for i in s.generated_image_ids if i in by_id]
    clips = [clip_view(by_id[i], links) for i in s.generated_clip_ids if i in by_id]
    finals = sorted(
        (a for a in by_id.values() if a.asset_type == "final_video"), key=lambda a: a.meta.get("order", 0)
    )
    final_views = [final_view(a, links) for a in finals]
    return SessionResponse(
        id=s.id,
        user_id=s.user_id,
        stage=SessionStage(s.stage),
        progress=s.progress,
        message=s.message,
        error=s.error,
        failed_stage=s.failed_stage,
        product_prompt=s.product_prompt,
        video_prompt=s.video_prompt,
        consistency_seed=s.consistency_seed,
        style_keywords=list(s.style_keywords or []),
        generated_images=images,
        approved_images=list(s.approved_image_ids),
        generated_clips=clips,
        approved_clips=list(s.approved_clip_ids),
        clip_order=list(s.clip_order),
        final_video=final_views[0] if final_views else None,
        final_videos=final_views,
        total_cost=dollars(s.total_cost_micros),
        budget=dollars(s.budget_micros),
        created_at=s.created_at,
        updated_at=s.updated_at,
    )


def summary_view(s: Session, settings: Settings, thumbnail_uri: str | None = None) -> SessionSummary:
    return SessionSummary(
        id=s.id,
        stage=SessionStage(s.stage),
        title=s.title or s.product_prompt,
        product_prompt=s.product_prompt,
        thumbnail_url=MediaLinks(settings, s.id).url(thumbnail_uri) if thumbnail_uri else None,
        total_cost=dollars(s.total_cost_micros),
        created_at=s.created_at,
        updated_at=s.updated_at,
    )
