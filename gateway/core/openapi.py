"""Additions to the OpenAPI document FastAPI builds from the routes: answers the middleware and the
exception handlers give, which no route declares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI


def amend_openapi(app: FastAPI, amend: Callable[[dict[str, Any]], None]) -> None:
    """`amend` edits the document in place once, when it is first built (after earlier amendments)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            amend(build())
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]
