"""The free preview: a 480p animatic of the session's timeline as it stands, rendered while the user
waits, before the final render is paid for.

It plays the session's ordered clips, or, before any clip exists, the approved images with the camera
moves planned for them. The compositor renders it with the final's own timeline, text and music
code, so what the user previews is what the final will be. It records no cost and replaces the
session's previous preview in storage.
"""

from __future__ import annotations

import uuid

import grpc
from fastapi import APIRouter, HTTPException, status
from google.protobuf.json_format import ParseDict
from sqlalchemy import select

from adreel.v1 import common_pb2, compositor_pb2
from gateway.agents import AgentClients, AgentUnavailable
from gateway.api.answers import COMPOSITOR_DOWN, SESSION_NOT_FOUND, unprocessable
from gateway.api.deps import AgentsDep, CurrentUser, SessionDep, SettingsDep, StoreDep, owned_session
from gateway.api.routes.generation import compositor_fonts, read_finishing
from gateway.api.routes.music import upload_uris, with_upload
from gateway.compose_request import body_field, compose_request
from gateway.db.models import Asset, Session
from gateway.responses import MediaLinks
from gateway.schemas import PreviewRequest, PreviewResponse

router = APIRouter(prefix="/api", tags=["preview"])
# A 10 s animatic renders in a few seconds; this bounds a stuck or queued compositor.
PREVIEW_TIMEOUT_S = 120.0
# Before scenes are planned: the gentle push in the compositor gives an unplanned still.
DEFAULT_MOVE = {"camera_movement": "CAMERA_MOVEMENT_UNSPECIFIED", "motion_intensity": 0.3}
# Sessions with a preview rendering in this gateway process: one at a time each.
_running: set[str] = set()


async def _timeline(db: SessionDep, row: Session, request: compositor_pb2.ComposeRequest) -> None:
    """The session's clips in order or, before clips exist, its approved images as planned stills."""
    ids = list(row.clip_order) or list(row.approved_image_ids)
    assets = {a.id: a for a in (await db.execute(select(Asset).where(Asset.id.in_(ids)))).scalars()}
    if row.clip_order:
        request.clips.extend(
            ParseDict(assets[i].meta["asset"], common_pb2.AssetRef()) for i in row.clip_order if i in assets
        )
        return
    plans = {p.get("source_image_id"): p.get("plan", {}) for p in row.clip_plan or []}
    for image_id in row.approved_image_ids:
        if image_id not in assets:
            continue
        plan = plans.get(image_id) or DEFAULT_MOVE
        request.stills.add(
            image=ParseDict(assets[image_id].meta["asset"], common_pb2.AssetRef()),
            camera_movement=common_pb2.CameraMovement.Value(
                plan.get("camera_movement", DEFAULT_MOVE["camera_movement"])
            ),
            motion_intensity=float(plan.get("motion_intensity", DEFAULT_MOVE["motion_intensity"])),
            duration_s=row.clip_duration or 3.0,
        )


@router.post(
    "/sessions/{session_id}/preview",
    responses={
        **SESSION_NOT_FOUND,
        409: {"description": "a preview of this session is already rendering"},
        422: {"description": "bad input, or nothing to preview yet"},
        **COMPOSITOR_DOWN,
    },
)
async def render_preview(
    session_id: uuid.UUID,
    body: PreviewRequest,
    *,
    user: CurrentUser,
    db: SessionDep,
    agents: AgentsDep,
    settings: SettingsDep,
    store: StoreDep,
) -> PreviewResponse:
    sid = str(session_id)
    if body.session_id is not None and body.session_id != session_id:
        raise unprocessable("session_id: must be the session in the path (or be left out)")
    row = await owned_session(db, user, sid)
    uploads = await upload_uris(db, row, [("audio", body.audio)])
    if sid in _running:
        raise HTTPException(status.HTTP_409_CONFLICT, "a preview of this session is already rendering")
    _running.add(sid)
    try:
        form = await read_finishing(body, row, await compositor_fonts(agents), db=db, user=user, store=store)
        item_id = f"preview_{uuid.uuid4().hex[:16]}"
        request = compose_request(
            sid,
            {
                "item_id": item_id,
                "intro_s": body.intro_duration,
                "outro_s": body.outro_duration,
                "transition_s": body.transition_duration,
                "overlay": form.overlay,
                "music": with_upload(body.audio.model_dump(), uploads),
                "formats": body.formats[:1],
                "voiceover": form.voiceover,
                "captions": form.captions,
                "logo": form.logo,
            },
            [],
        )
        request.preview = True
        await _timeline(db, row, request)
        await db.rollback()  # nothing to write: release the session's row while FFmpeg works
        if not request.clips and not request.stills:
            raise unprocessable("approved_images: approve at least 1 image first (or clips)")
        result = await _render(agents, request)
    finally:
        _running.discard(sid)
    video = result.videos[0].asset
    # The preview's storage key is reused; the item id in the URL keeps a browser from a stale copy.
    url = f"{MediaLinks(settings, sid).url(video.uri)}&v={item_id}"
    return PreviewResponse(
        url=url,
        duration=video.duration_s,
        width=video.width,
        height=video.height,
        note=result.fallback_reason,
    )


async def _render(
    agents: AgentClients, request: compositor_pb2.ComposeRequest
) -> compositor_pb2.ComposeResult:
    try:
        await agents.ensure_serving("compositor")
        async for event in agents.compositor.Compose(request, timeout=PREVIEW_TIMEOUT_S):
            kind = event.WhichOneof("event")
            if kind == "result" and event.result.videos:
                return event.result
            if kind == "failure":
                failure = event.failure
                if failure.code == "INVALID_ARGUMENT":
                    raise unprocessable(body_field(failure.message))
                raise HTTPException(
                    status.HTTP_502_BAD_GATEWAY, f"the preview failed: {failure.code}: {failure.message}"
                )
    except AgentUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from None
    except grpc.aio.AioRpcError as exc:
        agents.forget("compositor")
        if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
            raise unprocessable(body_field(exc.details() or "")) from None
        if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
            raise HTTPException(status.HTTP_504_GATEWAY_TIMEOUT, "the preview took too long") from None
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, f"the compositor agent failed: {exc.code().name}"
        ) from None
    raise HTTPException(status.HTTP_502_BAD_GATEWAY, "the compositor returned no preview")
