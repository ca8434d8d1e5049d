"""What every agent call carries besides its request: the user it is for, so an agent shares its
item slots fairly between users (services/common/fair_slots.py).

The user is a context variable, set where work for a session begins (a stage's task, a route that
calls an agent itself); a client interceptor adds it to each call's metadata.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import grpc

from services.common.server import CALLER_METADATA

acting_for: ContextVar[int | None] = ContextVar("acting_for", default=None)


def identity_interceptors() -> list[grpc.aio.ClientInterceptor]:
    return [UnaryIdentity(), StreamIdentity()]


def _details(details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
    user = acting_for.get()
    if user is None:
        return details
    metadata = grpc.aio.Metadata(*(details.metadata or ()))
    metadata.add(CALLER_METADATA, str(user))
    return grpc.aio.ClientCallDetails(
        details.method, details.timeout, metadata, details.credentials, details.wait_for_ready
    )


# Two classes: a grpc.aio channel files an interceptor under its first matching kind only.
class UnaryIdentity(grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(
        self, continuation: Callable[..., Any], client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        return await continuation(_details(client_call_details), request)


class StreamIdentity(grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(
        self, continuation: Callable[..., Any], client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        return await continuation(_details(client_call_details), request)
