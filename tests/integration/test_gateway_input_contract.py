"""Bad text and numbers are a 422 naming the field, never a 500, on every route that takes them.

Real PostgreSQL, the gateway on loopback, agents down (every refusal here comes before any agent).
Bodies are sent as raw JSON, since a client library would refuse to write NaN or a lone surrogate.
"""

from __future__ import annotations

import httpx
import pytest

from tests.gateway_support import login

SURROGATE = "\\ud800"  # as JSON writes it: Python's json reads it as a lone surrogate


@pytest.fixture
async def auth(client: httpx.AsyncClient) -> tuple[dict[str, str], str]:
    token = await login(client)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    sid = (await client.post("/api/sessions/create", headers=headers, content="{}")).json()["session_id"]
    return headers, sid


def refusal(r: httpx.Response) -> str:
    """Every refusal of the 422 as 'field.path: message' lines."""
    assert r.status_code == 422, (r.status_code, r.text)
    detail = r.json()["detail"]
    if isinstance(detail, str):
        return detail
    return "\n".join(".".join(str(p) for p in e["loc"][1:]) + ": " + e["msg"] for e in detail)


async def test_lone_surrogates_in_login_and_register_are_422(client: httpx.AsyncClient) -> None:
    json_headers = {"Content-Type": "application/json"}
    for path in ("/api/auth/register", "/api/auth/login"):
        for body, field in (
            (f'{{"email": "a{SURROGATE}@example.com", "password": "secret-1"}}', "email"),
            (f'{{"email": "a@example.com", "password": "secret{SURROGATE}1"}}', "password"),
        ):
            r = await client.post(path, content=body, headers=json_headers)
            assert f"{field}: contains a lone surrogate U+D800" in refusal(r)


async def test_lone_surrogates_in_texts_and_webhook_url_are_422(
    client: httpx.AsyncClient, auth: tuple[dict[str, str], str]
) -> None:
    headers, sid = auth
    r = await client.post(
        "/api/sessions/create", headers=headers, content=f'{{"webhook_url": "https://x.example/{SURROGATE}"}}'
    )
    assert "webhook_url: contains a lone surrogate" in refusal(r)
    for body, field in (
        (f'{{"session_id": "{sid}", "product_prompt": "pink {SURROGATE} shoes"}}', "product_prompt"),
        (
            f'{{"session_id": "{sid}", "product_prompt": "shoes", "style_keywords": ["{SURROGATE}"]}}',
            "style_keywords[0]",
        ),
    ):
        r = await client.post("/api/generate-images", headers=headers, content=body)
        assert f"{field}: contains a lone surrogate" in refusal(r)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
async def test_non_finite_numbers_are_422(
    client: httpx.AsyncClient, auth: tuple[dict[str, str], str], number: str
) -> None:
    headers, sid = auth
    r = await client.post(
        "/api/generate-clips",
        headers=headers,
        content=f'{{"session_id": "{sid}", "video_prompt": "running on a track", "clip_duration": {number}}}',
    )
    assert "clip_duration: must be a finite number" in refusal(r)
    r = await client.put(
        f"/api/sessions/{sid}/composition", headers=headers, content=f'{{"variants": [{{"x": {number}}}]}}'
    )
    assert "variants[0].x: must be a finite number" in refusal(r)
    r = await client.post(
        "/api/generate-images",
        headers=headers,
        content=f'{{"session_id": "{sid}", "product_prompt": "shoes", "num_images": {number}}}',
    )
    assert "num_images: must be a finite number" in refusal(r)


async def test_keyword_limit_is_the_parsers(
    client: httpx.AsyncClient, auth: tuple[dict[str, str], str]
) -> None:
    headers, sid = auth
    body = {"session_id": sid, "product_prompt": "pink shoes", "style_keywords": ["k" * 31]}
    r = await client.post("/api/generate-images", headers=headers, json=body)
    assert "style_keywords.0: Value error, must be 1-30 characters, got 31" in refusal(r)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Rocket\tGo", "control character U+0009 (tab)"),
        ("one\ntwo\nthree", "has 3 lines; at most 2"),
        ("Logo \ue000", "private-use character U+E000"),
        ("\u0958" * 26, "must be 1-50 characters, got 52"),
    ],
)
async def test_drawn_text_refusals_name_the_field(
    client: httpx.AsyncClient, auth: tuple[dict[str, str], str], name: str, problem: str
) -> None:
    headers, sid = auth
    body = {"session_id": sid, "text_overlay": {"product_name": name, "cta": "Buy"}}
    for path in ("/api/compose-final-video", f"/api/sessions/{sid}/preview"):
        r = await client.post(path, headers=headers, json=body)
        message = refusal(r)
        assert message.startswith("text_overlay.product_name: Value error, ") and problem in message
