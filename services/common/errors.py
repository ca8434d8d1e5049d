"""Errors an agent reports, and their mapping onto gRPC status codes.

Domain code raises these; `rpc_errors` turns them into a status with a message that names the
field, so a client always learns what was wrong and never sees a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc

log = logging.getLogger(__name__)


class AgentError(Exception):
    code: grpc.StatusCode = grpc.StatusCode.INTERNAL
    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(AgentError):
    code = grpc.StatusCode.INVALID_ARGUMENT

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class NotFound(AgentError):
    code = grpc.StatusCode.NOT_FOUND


class ProviderUnavailable(AgentError):
    """The engine behind the agent is down or timed out; a retry may succeed."""

    code = grpc.StatusCode.UNAVAILABLE
    retryable = True


class ProviderRefused(AgentError):
    """The engine refused this input (e.g. a safety filter); retrying the same input will not help."""

    code = grpc.StatusCode.FAILED_PRECONDITION


def status_name(exc: BaseException) -> str:
    return exc.code.name if isinstance(exc, AgentError) else grpc.StatusCode.INTERNAL.name


@asynccontextmanager
async def rpc_errors(context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
    """Abort the RPC with the right status for an AgentError; log anything unexpected."""
    try:
        yield
    except AgentError as exc:
        await context.abort(exc.code, exc.message)
    except grpc.aio.AbortError:
        raise
    except Exception:
        log.exception("unexpected error")
        await context.abort(grpc.StatusCode.INTERNAL, "internal error in the agent; see its logs")
