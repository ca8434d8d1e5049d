"""What every agent call carries besides its request: a token the gateway signs for the call's
session and user (agents refuse calls without one, and keys outside that session:
services/common/agent_auth.py), and the user, so an agent shares its item slots fairly between
users (services/common/fair_slots.py).

The user is a context variable, set where work for a session begins (the request's user, which a
stage's task inherits); the session is the request's own `session_id`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import grpc
from google.protobuf.message import Message

from services.common.agent_auth import METADATA, TokenSigner, session_of
from services.common.server import CALLER_METADATA

acting_for: ContextVar[int | None] = ContextVar("acting_for", default=None)


def identity_interceptors(signer: TokenSigner) -> list[grpc.aio.ClientInterceptor]:
    return [UnaryIdentity(signer), StreamIdentity(signer)]


def _details(
    details: grpc.aio.ClientCallDetails, request: Any, signer: TokenSigner
) -> grpc.aio.ClientCallDetails:
    user = acting_for.get()
    metadata = grpc.aio.Metadata(*(details.metadata or ()))
    session_id = (session_of(request) or "") if isinstance(request, Message) else ""
    metadata.add(METADATA, f"Bearer {signer.token(session_id, user)}")
    if user is not None:
        metadata.add(CALLER_METADATA, str(user))
    return grpc.aio.ClientCallDetails(
        details.method, details.timeout, metadata, details.credentials, details.wait_for_ready
    )


class _Signing:
    """What both interceptors do: send the call on with the caller's token in its metadata."""

    def __init__(self, signer: TokenSigner) -> None:
        self.signer = signer

    async def _signed(
        self, continuation: Callable[..., Any], client_call_details: grpc.aio.ClientCallDetails, request: Any
    ) -> Any:
        return await continuation(_details(client_call_details, request, self.signer), request)


# Two classes: a grpc.aio channel files an interceptor under its first matching kind only.
class UnaryIdentity(_Signing, grpc.aio.UnaryUnaryClientInterceptor):
    intercept_unary_unary = _Signing._signed


class StreamIdentity(_Signing, grpc.aio.UnaryStreamClientInterceptor):
    intercept_unary_stream = _Signing._signed
