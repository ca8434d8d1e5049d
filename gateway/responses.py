"""Sessions and assets as the API shows them: dollars from integer micros, media as signed URLs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from gateway.core.config import Settings
from gateway.core.security import create_media_token
from gateway.db.models import Asset, Session
from gateway.schemas import (
    FinalVersion,
    FinalVideo,
    ImageAsset,
    SessionResponse,
    SessionStage,
    SessionSummary,
    Shot,
    Storyboard,
    VideoAsset,
)
from gateway.timing import ad_length_s
from services.common.config import engine_for
from services.common.costs import MICROS_PER_USD
from services.common.costs.pricing import DEFAULT_VIDEO_MODEL, VIDEO_MODELS, clip_quote_usd
from services.common.storage import key_from_uri


def dollars(micros: int) -> float:
    """For display only: sums are always made on integer micros."""
    return round(micros / MICROS_PER_USD, 6)


class MediaLinks:
    """Builds /media URLs, each carrying a short-lived token for its one object (for <img>/<video>)."""

    def __init__(self, settings: Settings, session_id: str) -> None:
        self.session_id = session_id
        self._key, self._ttl_s = settings.jwt_key, settings.media_token_ttl_s

    def url(self, uri: str) -> str:
        key = key_from_uri(uri)
        return f"/media/{key}?token={create_media_token(key, self._key, self._ttl_s)}"


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
        prompt=str((a.meta.get("prompt") or {}).get("prompt", "")),
        replaces=a.meta.get("replaces"),
    )


def camera_name(value: Any) -> str:
    """`CAMERA_MOVEMENT_ZOOM_IN` (proto JSON) -> "zoom_in"."""
    return str(value or "CAMERA_MOVEMENT_STATIC").removeprefix("CAMERA_MOVEMENT_").lower()


def clip_view(a: Asset, links: MediaLinks, approved_images: Iterable[str] = ()) -> VideoAsset:
    ref = a.meta.get("asset", {})
    plan = a.meta.get("plan") or {}
    source = a.meta.get("source_image_id", "")
    return VideoAsset(
        id=a.id,
        url=links.url(a.uri),
        source_image_id=a.meta.get("source_image_id", ""),
        duration=float(ref.get("duration_s", 0.0)),
        resolution=f"{ref.get('width', 0)}x{ref.get('height', 0)}",
        fps=round(float(ref.get("fps", 0.0))),
        cost=dollars(a.cost_micros),
        created_at=a.created_at,
        scene_prompt=plan.get("scene_prompt", ""),
        camera_movement=camera_name(plan.get("camera_movement")) if plan else "",
        motion_intensity=float(plan.get("motion_intensity", 0.0)),
        stale=bool(source) and source not in set(approved_images),
    )


def download_name(product_name: str, label: str) -> str:
    """A file name from the product name: "Pink Tennis Shoes" 9:16 -> "pink-tennis-shoes-9x16.mp4"
    (letters of any script kept; what a file system or a header can't hold dropped)."""
    text = unicodedata.normalize("NFKC", f"{product_name} {label}").lower()
    slug = re.sub(r"[^\w]+", "-", text).strip("-_")[:80].strip("-_")
    return f"{slug or 'adreel-ad'}.mp4"


def final_view(a: Asset, links: MediaLinks) -> FinalVideo:
    ref = a.meta.get("asset", {})
    # Finals saved before voiceovers stored their music as has_audio.
    has_music = bool(a.meta.get("has_music", a.meta.get("has_audio", False)))
    voiceover_s = float(a.meta.get("voiceover_s", 0.0))
    return FinalVideo(
        url=links.url(a.uri),
        duration=float(ref.get("duration_s", 0.0)),
        resolution=f"{ref.get('width', 0)}x{ref.get('height', 0)}",
        fps=round(float(ref.get("fps", 0.0))),
        file_size_mb=round(int(ref.get("bytes", 0)) / 1_000_000, 2),
        format="mp4",
        aspect_ratio=a.meta.get("format", "16:9"),
        has_audio=has_music or voiceover_s > 0,
        has_music=has_music,
        voiceover_s=voiceover_s,
        variant_id=a.meta.get("variant_id"),
        label=a.meta.get("label") or a.meta.get("format", "16:9"),
        download_url=f"{links.url(a.uri)}&download={quote(_final_file_name(a))}",
        **_caption_links(a, links),
    )


def _caption_links(a: Asset, links: MediaLinks) -> dict[str, str]:
    captions = a.meta.get("captions") or {}
    stem = _final_file_name(a).removesuffix(".mp4")
    return {
        f"captions_{kind}_url": f"{links.url(ref['uri'])}&download={quote(f'{stem}.{kind}')}"
        for kind, ref in captions.items()
        if kind in ("vtt", "srt") and ref.get("uri")
    }


def _final_file_name(a: Asset) -> str:
    overlay = (a.meta.get("settings") or {}).get("overlay") or {}
    label = a.meta.get("label") or ""
    return download_name(overlay.get("product_name") or "adreel-ad", label if label != "16:9" else "")


def final_versions(finals: Iterable[Asset], links: MediaLinks, clip_order: list[str]) -> list[FinalVersion]:
    """Every compose, newest first: its finals (the primary first) grouped under the call's item id."""
    calls: dict[str, list[Asset]] = {}
    for a in finals:
        calls.setdefault(a.id.split("-", 1)[0], []).append(a)
    versions = []
    for call_id, videos in calls.items():
        videos.sort(key=lambda v: v.meta.get("order", 0))
        primary = videos[0]
        used = primary.meta.get("clip_order")
        versions.append(
            FinalVersion(
                id=call_id,
                created_at=primary.created_at,
                settings=primary.meta.get("settings") or {},
                videos=[final_view(v, links) for v in videos],
                stale=used is not None and used != clip_order,
            )
        )
    versions.sort(key=lambda v: v.created_at, reverse=True)
    return versions


def storyboard_view(s: Session) -> Storyboard | None:
    """The session's clip plan as shots; the quotes cover the shots with no clip yet, at the list price
    of the engine the video agent runs (and online, of each model the session may choose)."""
    if not s.clip_plan:
        return None
    made = set(s.generated_clip_ids)
    shots = [
        Shot(
            shot_id=item["item_id"],
            source_image_id=item["source_image_id"],
            scene_prompt=item["plan"].get("scene_prompt", ""),
            camera_movement=camera_name(item["plan"].get("camera_movement")),
            motion_intensity=float(item["plan"].get("motion_intensity", 0.0)),
            duration=float(item.get("duration_s") or s.clip_duration or 3.0),
            clip_id=item["item_id"] if item["item_id"] in made else None,
        )
        for item in s.clip_plan
    ]
    to_make = sum(1 for shot in shots if shot.clip_id is None)
    engine = engine_for("video_gen")

    def quote(model: str) -> float:
        # Another model than the session's makes every shot's clip anew.
        same = (model or DEFAULT_VIDEO_MODEL) == (s.video_model or DEFAULT_VIDEO_MODEL)
        return round(float((to_make if same else len(shots)) * clip_quote_usd(model, engine)), 6)

    return Storyboard(
        video_prompt=s.video_prompt,
        clip_duration=s.clip_duration or 3.0,
        shots=shots,
        quote_usd=quote(s.video_model or ""),
        model_quotes_usd={m: quote(m) for m in ["", *VIDEO_MODELS]} if engine == "replicate" else {},
        estimated_duration=ad_length_s([shot.duration for shot in shots], s.composition_draft),
    )


def session_view(s: Session, assets: Iterable[Asset], settings: Settings) -> SessionResponse:
    links = MediaLinks(settings, s.id)
    by_id = {a.id: a for a in assets}
    images = [image_view(by_id[i], links) for i in s.generated_image_ids if i in by_id]
    clips = [clip_view(by_id[i], links, s.approved_image_ids) for i in s.generated_clip_ids if i in by_id]
    versions = final_versions(
        (a for a in by_id.values() if a.asset_type == "final_video"), links, s.clip_order
    )
    latest = next((v for v in versions if v.id == s.final_video_id), versions[0] if versions else None)
    final_views = latest.videos if latest else []
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
        video_model=s.video_model or "",
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
        finals=versions,
        title=s.title or s.product_prompt,
        storyboard=storyboard_view(s),
        composition_draft=s.composition_draft,
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
