"""Property, over the API with the four real agents: for every stage's text fields (product prompt,
style keywords, scene, shot edits, product name, CTA), the gateway answers 202 or a 4xx naming the
field, never a 5xx, and no 202 ends in a stage that failed for its input.

The agents and the gateway run in a thread of their own (hypothesis drives a synchronous client);
one session per test goes from stage to stage, each example redoing that stage. Examples are few: each
202 runs a real stage.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tests.gateway_support import gateway_database, start_stack
from tests.text_strategies import PROSE, TEXT

__all__ = ["gateway_database"]

RUNNING = ("image_generation", "clip_generation", "final_composition")
FEW = settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
# Prose with, now and then, a lone surrogate (sent as JSON's \ud800 escape).
ANY_PROSE = st.one_of(PROSE, PROSE.map(lambda s: s + "\ud800"))


@pytest.fixture(scope="module")
def api(gateway_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    tmp: Path = tmp_path_factory.mktemp("text-props")
    started: list[str] = []
    ready, stop = threading.Event(), threading.Event()

    async def serve() -> None:
        async with AsyncExitStack() as exits:
            stack = await start_stack(exits, gateway_database, tmp / "storage", tmp / "state")
            started.append(str(stack.client.base_url))
            ready.set()
            await asyncio.to_thread(stop.wait)

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(120), "the stack did not start"
    with httpx.Client(base_url=started[0], timeout=60) as client:
        r = client.post("/api/auth/login", json={"email": "demo@example.com", "password": "demo123"})
        client.headers["Authorization"] = f"Bearer {r.json()['session_token']}"
        yield client
    stop.set()
    thread.join(60)


def post(client: httpx.Client, path: str, body: dict[str, Any], method: str = "POST") -> httpx.Response:
    # ensure_ascii: a lone surrogate travels as its \\uXXXX escape, as a browser's JSON would send it.
    content = json.dumps(body, ensure_ascii=True)
    return client.request(method, path, content=content, headers={"Content-Type": "application/json"})


def wait_idle(client: httpx.Client, sid: str) -> dict[str, Any]:
    for _ in range(1200):
        session = client.get(f"/api/sessions/{sid}").json()
        if session["stage"] not in RUNNING:
            return session
        time.sleep(0.1)
    raise AssertionError("the stage never finished")


# Answers seen, per status: each test checks that its stage really ran (at least one 202 or 200).
SEEN: dict[int, int] = {}


def accepted(r: httpx.Response, ok: int = 202) -> bool:
    """202 (the stage runs) or a 422 naming a field; anything else fails the property."""
    SEEN[r.status_code] = SEEN.get(r.status_code, 0) + 1
    assert r.status_code < 500, r.text
    if r.status_code == 422:
        detail = r.json()["detail"]
        assert detail and (isinstance(detail, list) or ":" in detail), r.text
        event("refused")
        return False
    assert r.status_code == ok, r.text
    event("accepted")
    return True


def ran_clean(client: httpx.Client, sid: str) -> dict[str, Any]:
    session = wait_idle(client, sid)
    assert session["stage"] != "failed", session["error"]
    return session


def start(client: httpx.Client, sid: str, path: str, body: dict[str, Any]) -> None:
    """Start a stage: accepted, it must run to its end without failing; else refused by a field."""
    if accepted(post(client, path, body)):
        ran_clean(client, sid)


def both_answers(prop: Callable[[], None]) -> None:
    """Run a property: its stage must have been started (202) and refused by name (422) at least once."""
    SEEN.clear()
    prop()
    assert SEEN.get(202) and SEEN.get(422), SEEN


def new_session(client: httpx.Client) -> str:
    return str(client.post("/api/sessions/create").json()["session_id"])


def to_images(client: httpx.Client, sid: str) -> dict[str, Any]:
    body = {"session_id": sid, "product_prompt": "pink tennis shoes", "num_images": 4}
    assert post(client, "/api/generate-images", body).status_code == 202
    session = ran_clean(client, sid)
    keep = [i["id"] for i in session["generated_images"][:2]]
    assert post(
        client, "/api/save-approved-images", {"session_id": sid, "approved_image_ids": keep}
    ).is_success
    return session


def to_clips(client: httpx.Client, sid: str) -> None:
    to_images(client, sid)
    body = {"session_id": sid, "video_prompt": "a runner on a track", "clip_duration": 2.0}
    assert post(client, "/api/generate-clips", body).status_code == 202
    clips = [c["id"] for c in ran_clean(client, sid)["generated_clips"]]
    assert post(
        client, "/api/save-approved-clips", {"session_id": sid, "approved_clip_ids": clips}
    ).is_success


def test_product_prompt_and_keywords(api: httpx.Client) -> None:
    sid = new_session(api)

    @FEW
    @given(prompt=ANY_PROSE, keywords=st.lists(st.one_of(TEXT, st.just("k" * 31)), max_size=3))
    @example(prompt="pink running shoes 👟 新しい靴 حذاء", keywords=["bold ✨", "ミニマル"])
    @example(prompt="shoes\there", keywords=["k" * 31])
    def prop(prompt: str, keywords: list[str]) -> None:
        body = {"session_id": sid, "product_prompt": prompt, "num_images": 4, "style_keywords": keywords}
        start(api, sid, "/api/generate-images", body)

    both_answers(prop)


def test_scene_and_shot_edits(api: httpx.Client) -> None:
    sid = new_session(api)
    to_images(api, sid)

    @FEW
    @given(scene=ANY_PROSE, edit=ANY_PROSE)
    @example(scene="ランナーが夕暮れのトラックを走る 🏃", edit="عداء على المضمار عند الغروب")
    def prop(scene: str, edit: str) -> None:
        plan = {"video_prompt": scene, "clip_duration": 2.0}
        if not accepted(post(api, f"/api/sessions/{sid}/storyboard", plan), ok=200):
            return
        board = wait_idle(api, sid)["storyboard"]
        shot = {"shot_id": board["shots"][0]["shot_id"], "scene_prompt": edit}
        if accepted(post(api, f"/api/sessions/{sid}/storyboard", {"shots": [shot]}, "PUT"), ok=200):
            body = {"session_id": sid, "video_prompt": scene, "clip_duration": 2.0}
            start(api, sid, "/api/generate-clips", body)

    both_answers(prop)


def test_product_name_and_cta(api: httpx.Client) -> None:
    sid = new_session(api)
    to_clips(api, sid)

    @FEW
    @given(name=TEXT, cta=TEXT)
    @example(name="エアラン 👟\nعطر الورد", cta="今すぐ 🛒")
    @example(name="Rocket\tGo", cta="ༀ")
    def prop(name: str, cta: str) -> None:
        overlay = {"product_name": name, "cta": cta, "font": "inter", "color": "#FFFFFF"}
        body = {"session_id": sid, "text_overlay": overlay, "intro_duration": 0.5, "outro_duration": 0.5}
        start(api, sid, "/api/compose-final-video", body)

    both_answers(prop)
