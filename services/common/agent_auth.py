"""Agents authenticate the gateway: every call carries a short-lived token the gateway signed for the
session the call is about, and the agent refuses storage keys outside that session.

Without it any process inside the mesh could call an agent and name another session's `asset://`
key. The gateway signs with an Ed25519 private key (`ADREEL_AGENT_SIGNING_KEY`); agents hold only
the public key (`ADREEL_AGENT_VERIFY_KEY`), so a compromised agent cannot mint tokens either. A
token names the session (`sid`, empty for calls about none, such as ListFonts) and the user
(`uid`, which the agent's fair slots go by) and lives 2 minutes. For each call of the agent's own
services (health and reflection stay open to probes):

- no valid token: UNAUTHENTICATED;
- the request's `session_id` is not the token's session: PERMISSION_DENIED;
- any `asset://` key in the request (at any depth) outside `sessions/<that session>/`:
  PERMISSION_DENIED, naming the field.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from google.protobuf.message import Message

from services.common.batch import server_caller
from services.common.errors import InvalidArgument
from services.common.handler_wrap import FirstStep, FirstStepInterceptor
from services.common.ids import check_id
from services.common.storage import URI_SCHEME, key_from_uri

AUDIENCE = "adreel-agents"
TOKEN_TTL_S = 120
ALGORITHM = "EdDSA"
METADATA = "authorization"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def load_private(text: str) -> Ed25519PrivateKey:
    """A signing key as configured: base64 of the 32-byte Ed25519 seed."""
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text.strip(), validate=True))
    except ValueError:
        raise ValueError("agent_signing_key: must be base64 of a 32-byte Ed25519 private key") from None


def load_public(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip(), validate=True))
    except ValueError:
        raise ValueError("agent_verify_key: must be base64 of a 32-byte Ed25519 public key") from None


def public_of(private_text: str) -> str:
    raw = load_private(private_text).public_key().public_bytes_raw()
    return _b64(raw)


def new_private() -> str:
    return _b64(Ed25519PrivateKey.generate().private_bytes_raw())


def local_signing_key(state_dir: Path) -> str:
    """The signing key kept (0600) under state_dir, made the first time (`make run`)."""
    path = state_dir / "agent_signing_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x") as f:
            path.chmod(0o600)
            f.write(new_private())
    except FileExistsError:
        pass
    return path.read_text().strip()


class TokenSigner:
    """The gateway's side: a token per call, for the call's session and user."""

    def __init__(self, private_text: str) -> None:
        self._key = load_private(private_text)

    def token(self, session_id: str, user_id: int | None) -> str:
        now = int(time.time())
        claims = {
            "aud": AUDIENCE,
            "sid": session_id,
            "uid": user_id or 0,
            "iat": now,
            "exp": now + TOKEN_TTL_S,
        }
        return jwt.encode(claims, self._key, ALGORITHM)


def verify(token: str, key: Ed25519PublicKey) -> dict[str, Any] | None:
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], audience=AUDIENCE, options={"require": ["exp", "sid"]}
        )
    except jwt.PyJWTError:
        return None
    return claims if isinstance(claims.get("sid"), str) else None


def _valid_id(value: str) -> bool:
    try:
        check_id(value, "session_id")
    except InvalidArgument:
        return False
    return True


def asset_fields(msg: Message, path: str = "") -> Iterator[tuple[str, str]]:
    """(field path, value) of every string in `msg` that is an asset:// reference, at any depth."""
    for field, value in msg.ListFields():
        name = f"{path}{field.name}"
        repeated = field.is_repeated
        values = list(value) if repeated else [value]
        for i, item in enumerate(values):
            where = f"{name}[{i}]" if repeated else name
            if isinstance(item, Message):
                yield from asset_fields(item, f"{where}.")
            elif isinstance(item, str) and item.startswith(URI_SCHEME):
                yield where, item


def outside_session(request: Message, session_id: str) -> str | None:
    """The first field naming a stored object outside the session, or None. A malformed reference
    is left to the agent's own validation (INVALID_ARGUMENT naming the field)."""
    prefix = f"sessions/{session_id}/"
    for where, uri in asset_fields(request):
        try:
            key = key_from_uri(uri, where)
        except InvalidArgument:
            continue
        if not session_id or not key.startswith(prefix):
            return where
    return None


def session_of(msg: Message) -> str | None:
    """The session a request is about: its `session_id`, else that of a message inside it (a
    CheckCompose wraps a ComposeRequest); None for a request about no session (ListFonts)."""
    if "session_id" in msg.DESCRIPTOR.fields_by_name:
        return str(msg.session_id)
    for field, value in msg.ListFields():
        found = session_of(value) if isinstance(value, Message) and not field.is_repeated else None
        if found is not None:
            return found
    return None


async def _check(request: Message, context: grpc.aio.ServicerContext, key: Ed25519PublicKey) -> None:
    token = ""
    for k, v in context.invocation_metadata() or ():
        if k == METADATA and isinstance(v, str) and v.startswith("Bearer "):
            token = v[7:]
    claims = verify(token, key) if token else None
    if claims is None:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, "a token signed by the gateway is required")
        return
    sid = str(claims["sid"])
    declared = session_of(request)
    if declared is not None and declared != sid:
        await context.abort(grpc.StatusCode.PERMISSION_DENIED, "session_id: not the session of the token")
    # A malformed session_id is left to the agent's own validation, which refuses it by name.
    well_formed = declared is None or _valid_id(sid)
    if well_formed and (field := outside_session(request, sid)) is not None:
        await context.abort(grpc.StatusCode.PERMISSION_DENIED, f"{field}: outside this session's storage")
    server_caller.set(str(claims.get("uid") or ""))  # the fair slots go by the verified user


class AgentAuth(FirstStepInterceptor):
    """Checks every call of `services` (fully qualified names) before its handler runs."""

    def __init__(self, services: set[str], key: Ed25519PublicKey) -> None:
        self.services = services
        self.key = key

    def first_step(self, details: grpc.HandlerCallDetails) -> FirstStep | None:
        if details.method.strip("/").split("/", 1)[0] not in self.services:
            return None
        key = self.key

        async def check(request: Message, context: grpc.aio.ServicerContext) -> None:
            await _check(request, context, key)

        return check


if __name__ == "__main__":  # `python -m services.common.agent_auth`: a new key pair for a deployment
    private = new_private()
    print(f"ADREEL_AGENT_SIGNING_KEY={private}")
    print(f"ADREEL_AGENT_VERIFY_KEY={public_of(private)}")
