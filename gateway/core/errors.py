"""The database being down is a 503 with a message (and Retry-After), never a 500.

While PostgreSQL restarts, a request fails in one of three ways: SQLAlchemy wraps the driver's error
(OperationalError / InterfaceError, or a DBAPIError flagged as a lost connection), the pool times
out, or asyncpg's own connect raises a plain OSError (refused, socket file gone) or its connection
error. The pool's pre-ping drops dead connections, so requests succeed again once it is back.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa

from gateway.core.openapi import amend_openapi

OperatorIntervention = asyncpg.exceptions.OperatorInterventionError

log = logging.getLogger(__name__)

DATABASE_DOWN = "the database is unavailable; try again in a few seconds"
RETRY_AFTER_S = 5
_DRIVER_MODULES = ("asyncpg", "sqlalchemy")


def is_database_outage(exc: BaseException) -> bool:
    if isinstance(exc, sa.DBAPIError):
        return exc.connection_invalidated or isinstance(exc, sa.OperationalError | sa.InterfaceError)
    if isinstance(exc, sa.TimeoutError | sa.DisconnectionError):
        return True
    # Lost or refused connections, and "shutting down / starting up" (operator intervention).
    if isinstance(exc, asyncpg.PostgresConnectionError | OperatorIntervention | asyncpg.InterfaceError):
        return True
    if isinstance(exc, OSError | TimeoutError):
        # A socket error raised inside the database driver, not by storage or an agent call.
        frames = traceback.extract_tb(exc.__traceback__)
        return any(f"/{m}/" in frame.filename for frame in frames for m in _DRIVER_MODULES)
    return False


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    if not is_database_outage(exc):
        raise exc  # not ours: the server's 500 handler logs it
    log.warning("database unavailable", extra={"path": request.url.path, "error": type(exc).__name__})
    return JSONResponse(
        {"detail": DATABASE_DOWN}, status_code=503, headers={"Retry-After": str(RETRY_AFTER_S)}
    )


HTTP_ERROR = {
    "title": "HTTPError",
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string", "title": "Detail"}},
}


def _json(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": ref}}}


def document_errors(schema: dict[str, Any]) -> None:
    """Declare the answers every operation can give besides its own (401 where a bearer token is
    required, 400 for a body that is not even JSON, 503 while the database is down) and the body of
    every error: `{"detail": "<field>: <what is wrong>"}`. A 422 is either that (a check in the
    route) or FastAPI's list of validation errors (the request model), so it documents both."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["HTTPError"] = HTTP_ERROR
    error_ref = "#/components/schemas/HTTPError"
    validation_ref = "#/components/schemas/HTTPValidationError"
    for operations in schema.get("paths", {}).values():
        for op in operations.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            if op.get("security"):
                responses.setdefault("401", {"description": "missing, invalid or expired bearer token"})
            if "requestBody" in op:
                responses.setdefault("400", {"description": "the body cannot be parsed"})
            responses.setdefault("503", {"description": DATABASE_DOWN})
            for code, response in responses.items():
                if not code.startswith(("4", "5")):
                    continue
                content = response.setdefault("content", _json(error_ref))
                if code == "422" and validation_ref.rsplit("/", 1)[1] in components:
                    content["application/json"] = {
                        "schema": {"anyOf": [{"$ref": validation_ref}, {"$ref": error_ref}]}
                    }


def install_error_handlers(app: FastAPI) -> None:
    for kind in (
        sa.DBAPIError,
        sa.TimeoutError,
        sa.DisconnectionError,
        asyncpg.PostgresConnectionError,
        OperatorIntervention,
        asyncpg.InterfaceError,
        OSError,
        TimeoutError,
    ):
        app.add_exception_handler(kind, _database_down)
    amend_openapi(app, document_errors)
