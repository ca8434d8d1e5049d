"""A refused request body is a 422 naming the field, whatever the body held.

FastAPI's own 422 echoes the offending input; a lone surrogate or NaN in it cannot be written as
JSON (UTF-8 cannot hold a surrogate, JSON has no NaN), so the refusal itself used to fail as a 500.
Here the echo is made printable first: surrogates as \\udXXX escapes, non-finite numbers as text.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


def printable(value: Any) -> Any:
    """`value` with every string valid UTF-8 and every number finite, ready for JSON."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {printable(k): printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [printable(v) for v in value]
    return value


async def _refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = printable(jsonable_encoder(exc.errors()))
    return JSONResponse({"detail": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def install_request_error_handler(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _refused)
