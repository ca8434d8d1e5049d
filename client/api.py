"""A small typed async client of the Adreel HTTP + WebSocket API (httpx + websockets)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
import websockets
from websockets.exceptions import ConnectionClosed

from client.models import Event, Font, Session

EventHandler = Callable[[Event], None]

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo123"

# Where each long step ends (session stages, PRD 5.1).
IMAGES_DONE = frozenset({"image_selection"})
CLIPS_DONE = frozenset({"clip_selection"})
VIDEO_DONE = frozenset({"complete"})


class ApiError(Exception):
    """The API refused a request: `status` is the HTTP status, the message its detail."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class StageFailed(Exception):
    """A stage ended in `failed` (the session can be resumed with POST /retry)."""


def _detail(response: httpx.Response) -> str:
    """FastAPI's {"detail": ...}, validation errors as `field: message`, else the body."""
    try:
        detail = response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        return response.text or response.reason_phrase
    if isinstance(detail, list):
        parts = []
        for err in detail:
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            parts.append(f"{loc}: {err.get('msg', '')}" if loc else str(err.get("msg", err)))
        return "; ".join(parts)
    return detail if isinstance(detail, str) else json.dumps(detail)


class AdreelClient:
    def __init__(self, base_url: str = "http://127.0.0.1:8000", timeout_s: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token: str | None = None
        self.user_id: int | None = None
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout_s)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Any API call, as the signed-in user or the API key (ApiError when refused)."""
        return await self._call(method, path, body)

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self._http.request(method, path, json=body, headers=headers)
        if response.is_error:
            raise ApiError(response.status_code, f"{method} {path}: {_detail(response)}")
        return response.json()

    # ---------------------------------------------------------------- auth and sessions

    async def login(self, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> int:
        reply = await self._call("POST", "/api/auth/login", {"email": email, "password": password})
        self.token, self.user_id = reply["session_token"], int(reply["user_id"])
        return self.user_id

    async def register(self, email: str, password: str) -> int:
        reply = await self._call("POST", "/api/auth/register", {"email": email, "password": password})
        self.token, self.user_id = reply["session_token"], int(reply["user_id"])
        return self.user_id

    async def health(self) -> dict[str, Any]:
        return await self._call("GET", "/health")

    async def create_session(self) -> str:
        reply = await self._call("POST", "/api/sessions/create", {"user_id": self.user_id})
        return str(reply["session_id"])

    async def session(self, session_id: str) -> Session:
        return Session.model_validate(await self._call("GET", f"/api/sessions/{session_id}"))

    async def sessions(self) -> list[dict[str, Any]]:
        return await self._call("GET", "/api/sessions")

    async def costs(self, session_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/api/sessions/{session_id}/costs")

    async def retry(self, session_id: str) -> dict[str, Any]:
        return await self._call("POST", f"/api/sessions/{session_id}/retry")

    async def fonts(self) -> list[Font]:
        return [Font.model_validate(f) for f in (await self._call("GET", "/api/fonts"))["fonts"]]

    # ---------------------------------------------------------------- the three stages

    async def generate_images(
        self, session_id: str, product_prompt: str, num_images: int = 6, style_keywords: Sequence[str] = ()
    ) -> dict[str, Any]:
        body = {
            "session_id": session_id,
            "product_prompt": product_prompt,
            "num_images": num_images,
            "style_keywords": list(style_keywords),
        }
        return await self._call("POST", "/api/generate-images", body)

    async def save_approved_images(self, session_id: str, image_ids: Sequence[str]) -> dict[str, Any]:
        body = {"session_id": session_id, "approved_image_ids": list(image_ids)}
        return await self._call("POST", "/api/save-approved-images", body)

    async def generate_clips(
        self, session_id: str, video_prompt: str, clip_duration: float = 3.0, video_model: str = ""
    ) -> dict[str, Any]:
        """`video_model`: a Replicate image-to-video model id (e.g. kling-2.1); "" = the default."""
        body = {"session_id": session_id, "video_prompt": video_prompt, "clip_duration": clip_duration}
        if video_model:
            body["video_model"] = video_model
        return await self._call("POST", "/api/generate-clips", body)

    async def save_approved_clips(
        self, session_id: str, clip_ids: Sequence[str], order: Sequence[str] | None = None
    ) -> dict[str, Any]:
        body = {
            "session_id": session_id,
            "approved_clip_ids": list(clip_ids),
            "clip_order": list(order or clip_ids),
        }
        return await self._call("POST", "/api/save-approved-clips", body)

    async def compose(
        self,
        session_id: str,
        product_name: str,
        cta: str | None,
        *,
        font: str | None = None,
        color: str | None = None,
        music: bool = True,
        genre: str = "upbeat",
        formats: Sequence[str] = ("16:9",),
        intro_s: float = 1.0,
        outro_s: float = 1.0,
        voiceover: dict[str, Any] | None = None,
        captions: str = "none",
        brand_kit_id: str | None = None,
        brand_logo: str = "none",
        music_upload: str | None = None,
        music_model: str | None = None,
    ) -> dict[str, Any]:
        """`voiceover`: {script, voice, speed} to speak one; `captions`: none, phrase or highlight;
        `brand_kit_id`: a kit of yours whose colour and font draw the texts (unless `color` or
        `font` is given), whose secondary colour is the CTA's button and whose logo goes in the
        `brand_logo` corner (top_left ... bottom_right; none = no logo);
        `music_upload`: the id of a track uploaded to the session (upload_music) to play instead of
        the genre's; `music_model`: the Replicate music model (stable-audio-2.5, or musicgen, which
        is non-commercial); `cta` None: the brand kit's default CTA."""
        overlay: dict[str, Any] = {"product_name": product_name}
        if cta is not None:
            overlay["cta"] = cta
        if font:
            overlay["font"] = font
        if color:
            overlay["color"] = color
        body = {
            "session_id": session_id,
            "text_overlay": overlay,
            "audio": {"enabled": music, "genre": genre}
            | ({"source": "upload", "upload_id": music_upload} if music_upload else {})
            | ({"model": music_model} if music_model else {}),
            "intro_duration": intro_s,
            "outro_duration": outro_s,
            "formats": list(formats),
        }
        if voiceover:
            body["voiceover"] = {"enabled": True, **voiceover}
            body["captions"] = {"style": captions}
        if brand_kit_id:
            body["brand_kit_id"] = brand_kit_id
            body["brand_logo"] = brand_logo
        return await self._call("POST", "/api/compose-final-video", body)

    async def upload_music(self, session_id: str, path: Path) -> dict[str, Any]:
        """Upload your own track to the session ({id, name, duration, url, created_at})."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        where = f"/api/sessions/{session_id}/music"
        files = {"file": (path.name, path.read_bytes())}
        response = await self._http.post(where, files=files, headers=headers)
        if response.is_error:
            raise ApiError(response.status_code, f"POST {where}: {_detail(response)}")
        return response.json()

    async def suggest_script(self, session_id: str, product_name: str, cta: str | None) -> dict[str, Any]:
        """A voiceover script that fits the session's ad (about 2.5 words a second)."""
        body = {"product_name": product_name} | ({"cta": cta} if cta is not None else {})
        return await self._call("POST", f"/api/sessions/{session_id}/voiceover-script", body)

    # ---------------------------------------------------------------- progress and media

    async def ws_url(self, session_id: str) -> str:
        """The socket's URL with a fresh single-use ticket (the access token never goes in a URL)."""
        reply = await self._call("POST", "/api/ws-ticket", {"session_id": session_id})
        scheme, netloc, path, _, _ = urlsplit(self.base_url)
        ws_scheme = "wss" if scheme == "https" else "ws"
        query = f"ticket={reply['ticket']}"
        return urlunsplit((ws_scheme, netloc, f"{path}/ws/{session_id}", query, ""))

    async def wait_for_stage(
        self,
        session_id: str,
        done: Collection[str],
        on_event: EventHandler | None = None,
        timeout_s: float = 900.0,
        poll_s: float = 3.0,
    ) -> Session:
        """Follow the session's WebSocket until it reaches one of `done` (returns the session) or
        `failed` (raises StageFailed). The session is also re-read every `poll_s` without events, so
        a dropped socket or a missed event cannot leave the caller waiting forever."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                async with websockets.connect(await self.ws_url(session_id), open_timeout=10) as ws:
                    while time.monotonic() < deadline:
                        try:
                            raw = await asyncio.wait_for(ws.recv(), poll_s)
                        except TimeoutError:
                            if (session := await self._finished(session_id, done)) is not None:
                                return session
                            continue
                        event = Event.model_validate_json(raw)
                        if on_event is not None and event.type != "heartbeat":
                            on_event(event)
                        settled = event.session_stage in done or event.session_stage == "failed"
                        if settled and (session := await self._finished(session_id, done)) is not None:
                            return session
            except ConnectionClosed as closed:
                # 4xxx = the gateway refused (like HTTP 401/404); anything else: reconnect.
                if (frame := closed.rcvd) is not None and frame.code >= 4000:
                    raise ApiError(frame.code - 4000, f"WS /ws/{session_id}: {frame.reason}") from None
                if (session := await self._finished(session_id, done)) is not None:
                    return session
                await asyncio.sleep(0.5)
        raise TimeoutError(f"session {session_id} did not reach {'/'.join(done)} within {timeout_s:.0f} s")

    async def _finished(self, session_id: str, done: Collection[str]) -> Session | None:
        session = await self.session(session_id)
        if session.stage == "failed":
            raise StageFailed(session.error or session.message or "the stage failed")
        return session if session.stage in done else None

    def media_url(self, url: str) -> str:
        """Media URLs may be relative to the gateway."""
        return urljoin(self.base_url + "/", url)

    async def download(self, url: str, dest: Path) -> Path:
        """Stream a media file to `dest` (written to a temporary name first, so no half files)."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".part")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self._http.stream("GET", self.media_url(url), headers=headers) as response:
            if response.is_error:
                await response.aread()
                raise ApiError(response.status_code, f"GET {url}: {_detail(response)}")
            with partial.open("wb") as out:
                async for chunk in response.aiter_bytes(1 << 20):
                    out.write(chunk)
        partial.replace(dest)
        return dest
