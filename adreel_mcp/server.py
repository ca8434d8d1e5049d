"""The tools and resources of the Adreel MCP server (official `mcp` SDK), one definition for both
transports: stdio (`adreel mcp`) and streamable HTTP (mounted on the gateway at /mcp).

A long tool (create_ad, regenerate_*, compose) streams progress notifications while it runs, when
the client asked for them. A refusal is a tool error naming the field (`cta: ...`), never a trace.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from adreel_mcp.link import ApiLink, ApiRefused

RUNNING = ("image_generation", "clip_generation", "final_composition")
STAGE_WORDS = {
    "image_generation": "Generating images...",
    "clip_generation": "Generating clips...",
    "final_composition": "Composing the final video...",
}
POLL_S = 0.5
INSTRUCTIONS = (
    "Adreel makes 8-12 s product video ads. `quote` prices an ad, `create_ad` makes one end to end "
    "with automatic picks and returns its MP4 URL; sessions can then be revised image by image, clip "
    "by clip, and composed again."
)

Format = Literal["16:9", "9:16", "1:1"]
Music = Literal["upbeat", "chill", "energetic", "none"]
Camera = Literal[
    "static", "zoom_in", "zoom_out", "pan_left", "pan_right", "tilt_up", "tilt_down", "tracking", "orbit"
]
LinkFor = Callable[[Context], ApiLink]


class BrandKit(BaseModel):
    """The brand's look on the cards."""

    font: str | None = Field(
        default=None, max_length=64, description="a font id or name (Inter, Montserrat...)"
    )
    color: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$", description="text colour, #rrggbb")


Product = Annotated[str, Field(min_length=3, max_length=200, description="what is sold, in plain words")]
Scene = Annotated[str, Field(min_length=10, max_length=300, description="what happens in the clips")]
Name = Annotated[str | None, Field(default=None, max_length=50, description="the product name on the cards")]
Cta = Annotated[str, Field(max_length=30, description="the call to action on the outro card")]
Formats = Annotated[
    list[Format], Field(min_length=1, max_length=3, description="aspect ratios, first is main")
]
Images = Annotated[int, Field(ge=4, le=8, description="product images to make")]
Clips = Annotated[
    int | None, Field(default=None, ge=1, le=8, description="images to animate (default: ~10 s ad)")
]
ClipSeconds = Annotated[float, Field(ge=2.0, le=4.0, description="seconds per clip")]
Voiceover = Annotated[
    str | None,
    Field(
        default=None,
        max_length=600,
        description='a spoken script over the ad: "auto" (written to fit, ending with the CTA) or the text',
    ),
]
Voice = Annotated[
    str | None,
    Field(
        default=None,
        max_length=32,
        description="a voice id from GET /api/voices (default: the engine's own)",
    ),
]
VideoModel = Annotated[
    Literal["", "wan-2.2-fast", "kling-2.1", "seedance-lite", "seedance-pro", "veo-3.1-fast", "svd"],
    Field(description='the image-to-video model on the replicate engine ("": its default; GET /api/engines)'),
]
Captions = Literal["none", "phrase", "highlight"]
SessionId = Annotated[str, Field(min_length=36, max_length=36, description="a session id (list_sessions)")]


def _row(  # noqa: PLR0917 - called with the tools' own arguments, in their order
    product: str,
    scene: str,
    name: str | None,
    cta: str,
    formats: list[str],
    music: str,
    brand_kit: BrandKit | None,
    images: int,
    clips: int | None,
    clip_duration: float,
    voiceover: str | None = None,
    voice: str | None = None,
    captions: str = "none",
    video_model: str = "",
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "product": product,
        "scene": scene,
        "cta": cta,
        "formats": formats,
        "music": music,
        "images": images,
        "clip_duration": clip_duration,
        "captions": captions,
    }
    if voice:
        row["voice"] = voice
    if video_model:
        row["video_model"] = video_model
    if voiceover:
        row["voiceover"] = voiceover
    if name:
        row["name"] = name
    if clips is not None:
        row["clips"] = clips
    if brand_kit is not None:
        row["brand_kit"] = brand_kit.model_dump(exclude_none=True)
    return row


def _final(link: ApiLink, video: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": link.absolute(video["url"]),
        "download_url": link.absolute(video.get("download_url", "")),
        "aspect_ratio": video["aspect_ratio"],
        "resolution": video["resolution"],
        "duration_s": video["duration"],
        "size_mb": video["file_size_mb"],
        "has_audio": video["has_audio"],
    }


async def _call(link: ApiLink, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    try:
        return await link.call(method, path, body)
    except ApiRefused as exc:
        raise ToolError(str(exc)) from None


async def _progress(ctx: Context, done: float, message: str) -> None:
    await ctx.report_progress(done, 100, message)


async def _wait_session(
    link: ApiLink, ctx: Context, session_id: str, timeout_s: float = 1800
) -> dict[str, Any]:
    """Follow the session until its stage has run; progress notifications on every change."""
    last: tuple[Any, ...] = ()
    async with asyncio.timeout(timeout_s):
        while True:
            s = await _call(link, "GET", f"/api/sessions/{session_id}")
            now = (s["stage"], s["progress"], s["message"])
            if now != last and s["stage"] in RUNNING:
                await _progress(ctx, s["progress"], STAGE_WORDS.get(s["stage"], s["stage"]))
                last = now
            if s["stage"] not in RUNNING:
                if s["stage"] == "failed":
                    raise ToolError(
                        f"session: {s.get('error') or 'the stage failed'} (resume with the web app)"
                    )
                return s
            await asyncio.sleep(POLL_S)


def _items(
    link: ApiLink,
    items: list[dict[str, Any]],
    kind: str,
    detail: tuple[str, str],
    chosen: tuple[str, list[str]],
) -> list[dict[str, Any]]:
    """A session's images or clips as the tools show them: id, URL, one detail (its key and the API's
    field) and whether it is chosen (its key and the chosen ids)."""
    (detail_key, field), (chosen_key, chosen_ids) = detail, chosen
    return [
        {
            f"{kind}_id": i["id"],
            "url": link.absolute(i["url"]),
            detail_key: i[field],
            chosen_key: i["id"] in chosen_ids,
        }
        for i in items
    ]


def _session_view(link: ApiLink, s: dict[str, Any]) -> dict[str, Any]:
    return {
        "session_id": s["id"],
        "title": s.get("title") or s.get("product_prompt"),
        "stage": s["stage"],
        "progress": s["progress"],
        "message": s["message"],
        "error": s["error"],
        "product": s["product_prompt"],
        "scene": s["video_prompt"],
        "images": _items(
            link, s["generated_images"], "image", ("view", "view_type"), ("kept", s["approved_images"])
        ),
        "clips": _items(
            link, s["generated_clips"], "clip", ("camera", "camera_movement"), ("on_board", s["clip_order"])
        ),
        "finals": [_final(link, v) for v in s["final_videos"]],
        "total_cost_usd": s["total_cost"],
        "budget_usd": s["budget"],
    }


def build_server(link_for: LinkFor) -> MCPServer:
    """The server; `link_for` gives each call its caller's way into the API."""
    mcp = MCPServer("adreel", title="Adreel", instructions=INSTRUCTIONS, version="0.1.0")

    @mcp.tool()
    async def quote(
        ctx: Context,
        *,
        product: Product,
        scene: Scene,
        name: Name = None,
        cta: Cta = "Shop Now",
        formats: Formats = ["16:9"],  # noqa: B006 - pydantic copies defaults
        music: Music = "upbeat",
        brand_kit: BrandKit | None = None,
        images: Images = 6,
        clips: Clips = None,
        clip_duration: ClipSeconds = 3.0,
        voiceover: Voiceover = None,
        video_model: VideoModel = "",
    ) -> dict[str, Any]:
        """The most an ad with these settings can cost (USD), before anything runs."""
        ad = (product, scene, name, cta, formats, music, brand_kit, images, clips, clip_duration, voiceover)
        row = _row(*ad, video_model=video_model)
        return await _call(link_for(ctx), "POST", "/api/quote", row)

    @mcp.tool()
    async def create_ad(
        ctx: Context,
        *,
        product: Product,
        scene: Scene,
        name: Name = None,
        cta: Cta = "Shop Now",
        formats: Formats = ["16:9"],  # noqa: B006
        music: Music = "upbeat",
        brand_kit: BrandKit | None = None,
        images: Images = 6,
        clips: Clips = None,
        clip_duration: ClipSeconds = 3.0,
        voiceover: Voiceover = None,
        voice: Voice = None,
        captions: Captions = "none",
        video_model: VideoModel = "",
        budget_usd: Annotated[
            float | None, Field(default=None, gt=0, le=200, description="default: the quote")
        ] = None,
    ) -> dict[str, Any]:
        """Make a finished MP4 ad end to end (images, clips, final with music, voiceover, captions and the
        brand kit) with automatic picks. Returns the
        final's URL, duration, size and cost; streams progress while it runs (about a minute offline)."""
        link = link_for(ctx)
        ad = (product, scene, name, cta, formats, music, brand_kit, images, clips, clip_duration, voiceover)
        row = _row(*ad, voice=voice, captions=captions, video_model=video_model)
        if budget_usd is None:
            budget_usd = (await _call(link, "POST", "/api/quote", row))["total_usd"]
        body = {"rows": [row], "budget_usd": budget_usd, "name": f"create_ad: {product}"[:100]}
        batch = await _call(link, "POST", "/api/batches", body)
        first = batch["rows"][0]
        if first["status"] != "queued":
            raise ToolError(first["reason"] or first["status"])
        await _progress(ctx, 0, "Starting...")
        last: tuple[Any, ...] = ()
        async with asyncio.timeout(3600):
            while batch["status"] == "running":
                await asyncio.sleep(POLL_S)
                batch = await _call(link, "GET", f"/api/batches/{batch['id']}")
                r = batch["rows"][0]
                now = (r["progress"], r["message"])
                if now != last and r["status"] in ("queued", "running"):
                    await _progress(ctx, r["progress"], r["message"] or r["stage"] or "Queued")
                    last = now
        r = batch["rows"][0]
        if r["status"] != "complete" or not r["final_videos"]:
            raise ToolError(r["reason"] or f"the ad ended {r['status']}")
        finals = [_final(link, v) for v in r["final_videos"]]
        await _progress(ctx, 100, "Your video is ready!")
        return {
            "session_id": r["session_id"],
            "batch_id": batch["id"],
            **finals[0],
            "cost_usd": r["cost"],
            "finals": finals,
        }

    @mcp.tool()
    async def list_sessions(ctx: Context) -> list[dict[str, Any]]:
        """My sessions (ads in the making or made), newest first."""
        rows = await _call(link_for(ctx), "GET", "/api/sessions")
        return [
            {
                "session_id": s["id"],
                "title": s.get("title") or s.get("product_prompt"),
                "stage": s["stage"],
                "total_cost_usd": s["total_cost"],
                "created_at": s["created_at"],
            }
            for s in rows
        ]

    @mcp.tool()
    async def get_session(ctx: Context, session_id: SessionId) -> dict[str, Any]:
        """One session: its stage, images, clips, finals and cost."""
        link = link_for(ctx)
        return _session_view(link, await _call(link, "GET", f"/api/sessions/{session_id}"))

    @mcp.tool()
    async def regenerate_image(
        ctx: Context,
        session_id: SessionId,
        image_id: Annotated[str, Field(min_length=1, max_length=64)],
        prompt: Annotated[
            str | None, Field(default=None, max_length=2000, description="default: its own")
        ] = None,
        seed: Annotated[int | None, Field(default=None, ge=0, le=2**32 - 1)] = None,
    ) -> dict[str, Any]:
        """Make one image again (a new seed, or a new prompt); it takes the old one's place."""
        link = link_for(ctx)
        body = {k: v for k, v in {"prompt": prompt, "seed": seed}.items() if v is not None}
        await _call(link, "POST", f"/api/sessions/{session_id}/images/{image_id}/regenerate", body)
        s = await _wait_session(link, ctx, session_id)
        view = _session_view(link, s)
        made = [i for i in s["generated_images"] if i.get("replaces") == image_id]
        return {
            "image": next((i for i in view["images"] if made and i["image_id"] == made[-1]["id"]), None),
            "session": view,
        }

    @mcp.tool()
    async def regenerate_clip(
        ctx: Context,
        *,
        session_id: SessionId,
        clip_id: Annotated[str, Field(min_length=1, max_length=64)],
        scene_prompt: Annotated[str | None, Field(default=None, max_length=1000)] = None,
        camera_movement: Camera | None = None,
        motion_intensity: Annotated[float | None, Field(default=None, ge=0, le=1)] = None,
        duration: Annotated[float | None, Field(default=None, ge=2, le=4)] = None,
    ) -> dict[str, Any]:
        """Make one clip again, optionally with a changed shot; it takes the old one's place."""
        link = link_for(ctx)
        changes = {
            "scene_prompt": scene_prompt,
            "camera_movement": camera_movement,
            "motion_intensity": motion_intensity,
            "duration": duration,
        }
        body = {k: v for k, v in changes.items() if v is not None}
        await _call(link, "POST", f"/api/sessions/{session_id}/clips/{clip_id}/regenerate", body)
        return {"session": _session_view(link, await _wait_session(link, ctx, session_id))}

    @mcp.tool()
    async def compose(
        ctx: Context,
        *,
        session_id: SessionId,
        name: Annotated[str, Field(min_length=1, max_length=50, description="the product name on the cards")],
        cta: Cta = "Shop Now",
        formats: Formats = ["16:9"],  # noqa: B006
        music: Music = "upbeat",
        brand_kit: BrandKit | None = None,
        voiceover: Voiceover = None,
        voice: Voice = None,
        captions: Captions = "none",
    ) -> dict[str, Any]:
        """Compose a new final of the session from the clips on its board (a new version; the
        earlier ones stay)."""
        link = link_for(ctx)
        overlay: dict[str, Any] = {"product_name": name, "cta": cta}
        if brand_kit is not None:
            overlay |= brand_kit.model_dump(exclude_none=True)
        audio = {"enabled": music != "none", "genre": music if music != "none" else "upbeat"}
        if voiceover and voiceover.strip().lower() == "auto":
            path = f"/api/sessions/{session_id}/voiceover-script"
            voiceover = (await _call(link, "POST", path, {"product_name": name, "cta": cta}))["script"]
        body = {
            "session_id": session_id,
            "text_overlay": overlay,
            "audio": audio,
            "formats": formats,
            "voiceover": {"enabled": bool(voiceover), "script": voiceover or None, "voice": voice},
            "captions": {"style": captions},
        }
        await _call(link, "POST", "/api/compose-final-video", body)
        s = await _wait_session(link, ctx, session_id)
        finals = [_final(link, v) for v in s["final_videos"]]
        return {
            "session_id": session_id,
            **(finals[0] if finals else {}),
            "cost_usd": s["total_cost"],
            "finals": finals,
        }

    @mcp.resource(
        "adreel://sessions/{session_id}/finals",
        name="finals",
        description="Every final video of a session, each version with its formats (JSON)",
        mime_type="application/json",
    )
    async def finals(session_id: str, ctx: Context) -> dict[str, Any]:
        link = link_for(ctx)
        try:
            s = await link.call("GET", f"/api/sessions/{session_id}")
        except ApiRefused as exc:
            raise ValueError(f"session_id: {exc}") from None
        return {
            "session_id": s["id"],
            "title": s.get("title") or s.get("product_prompt"),
            "versions": [
                {
                    "id": v["id"],
                    "created_at": v["created_at"],
                    "stale": v["stale"],
                    "videos": [_final(link, f) for f in v["videos"]],
                }
                for v in s.get("finals", [])
            ],
        }

    return mcp
