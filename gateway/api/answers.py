"""Answers that several routes document alike (FastAPI's `responses=`), each written once here so
the OpenAPI document says the same thing wherever a route can give it, and the refusals they raise."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status

Answers = dict[int | str, dict[str, Any]]

SESSION_NOT_FOUND: Answers = {404: {"description": "no such session of yours"}}
STAGES_AT_LIMIT: Answers = {429: {"description": "the user's running stages are at their limit"}}
TOO_MANY_UPLOADS: Answers = {429: {"description": "too many uploads by this user; see Retry-After"}}
COMPOSITOR_DOWN: Answers = {503: {"description": "compositor unavailable"}}


def unprocessable(message: str) -> HTTPException:
    """A 422 whose message starts with the field it names ("cta: ...")."""
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, message)
