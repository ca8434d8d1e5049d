"""Dependencies as annotated types: the database session, the current user, the app's parts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import api_keys
from gateway.agent_identity import acting_for
from gateway.agents import AgentClients
from gateway.api_keys import is_api_key
from gateway.core.config import Settings
from gateway.core.security import decode_token, user_id_of
from gateway.db.models import Session, User
from gateway.orchestrator import Orchestrator
from gateway.progress import ProgressHub
from gateway.stages import SessionStage
from services.common.storage import ObjectStore


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as db:
        yield db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_orchestrator(request: Request) -> Orchestrator:
    return request.app.state.orchestrator


def get_agents(request: Request) -> AgentClients:
    return request.app.state.agents


def get_hub(request: Request) -> ProgressHub:
    return request.app.state.hub


def get_store(request: Request) -> ObjectStore:
    return request.app.state.store


SessionDep = Annotated[AsyncSession, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
OrchestratorDep = Annotated[Orchestrator, Depends(get_orchestrator)]
AgentsDep = Annotated[AgentClients, Depends(get_agents)]
HubDep = Annotated[ProgressHub, Depends(get_hub)]
StoreDep = Annotated[ObjectStore, Depends(get_store)]

bearer = HTTPBearer(auto_error=False)


def unauthorized(
    detail: str = "not authenticated: send Authorization: Bearer <session_token>",
) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


async def user_from_token(db: AsyncSession, token: str | None, settings: Settings) -> User | None:
    if is_api_key(token):  # a personal API key (gateway/api_keys.py) stands for its user
        found = await api_keys.user_of(db, token or "")
        return found[0] if found is not None else None
    user_id = user_id_of(decode_token(token, settings.jwt_key, "access") if token else None)
    return await db.get(User, user_id) if user_id is not None else None


async def get_current_user(
    request: Request,
    db: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None:
        raise unauthorized()
    if is_api_key(credentials.credentials):
        found = await api_keys.user_of(db, credentials.credentials)
        if found is None:
            raise unauthorized("invalid, expired or revoked API key")
        user, key = found
        if why := api_keys.scope_refusal(key, request.method, request.url.path):
            raise HTTPException(status.HTTP_403_FORBIDDEN, why)
        request.state.api_key = key  # what the key routes check: keys are managed signed in only
        acting_for.set(user.id)
        return user
    user = await user_from_token(db, credentials.credentials, settings)
    if user is None:
        raise unauthorized("invalid or expired token")
    # Every agent call this request makes, or a stage it launches, is for this user.
    acting_for.set(user.id)
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def owned_session(db: AsyncSession, user: User, session_id: str, *, lock: bool = False) -> Session:
    """The user's session; anyone else's, a deleted one (or none) is a 404, so ids reveal nothing."""
    row = await db.get(Session, session_id, with_for_update=lock)
    if row is None or row.user_id != user.id or row.deleted_at is not None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"session {session_id} not found")
    return row


def require_stage(row: Session, *expected: SessionStage) -> None:
    if row.stage not in expected:
        names = " or ".join(s.value for s in expected)
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"session is in stage {row.stage!r}; this needs stage {names}",
        )
