"""Register and log in; both answer with a signed JWT as `session_token`.

Both take the same time whether the email has an account or not (gateway/core/passwords.py), and
registration refuses short, blank and common passwords, naming the field.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import ValidationInfo, field_validator
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gateway.api.deps import SessionDep, SettingsDep
from gateway.core.passwords import Busy, PasswordHasher, password_problem
from gateway.core.security import create_access_token
from gateway.db.models import User
from gateway.schemas import AuthResponse, DemoAccount, LoginRequest

router = APIRouter(prefix="/api/auth", tags=["auth"])
BUSY = {503: {"description": "too many logins at once; try again in a moment"}}
# Seeded by the first migration (the PRD's demo credentials); `Settings.demo_account` says if it signs in.
DEMO = DemoAccount(email="demo@example.com", password="demo123")


class RegisterRequest(LoginRequest):
    @field_validator("password")
    @classmethod
    def _strong_enough(cls, password: str, info: ValidationInfo) -> str:
        if problem := password_problem(password, str(info.data.get("email", ""))):
            raise ValueError(problem)
        return password


def _answer(user: User, settings: SettingsDep) -> AuthResponse:
    token = create_access_token(user.id, settings.jwt_key, settings.jwt_ttl_s)
    return AuthResponse(user_id=user.id, email=user.email, session_token=token)


def _hasher(request: Request) -> PasswordHasher:
    return request.app.state.passwords


def _busy() -> HTTPException:
    return HTTPException(
        status.HTTP_503_SERVICE_UNAVAILABLE, "too many logins at once; try again", {"Retry-After": "1"}
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "taken"}, **BUSY},
)
async def register(
    body: RegisterRequest, request: Request, db: SessionDep, settings: SettingsDep
) -> AuthResponse:
    try:
        hashed = await _hasher(request).hash(body.password)
    except Busy:
        raise _busy() from None
    user = User(email=body.email.lower(), password_hash=hashed)
    db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        raise HTTPException(status.HTTP_409_CONFLICT, "email: already registered") from None
    return _answer(user, settings)


@router.post("/login", responses={401: {"description": "wrong email or password"}, **BUSY})
async def login(body: LoginRequest, request: Request, db: SessionDep, settings: SettingsDep) -> AuthResponse:
    user = (await db.execute(select(User).where(func.lower(User.email) == body.email.lower()))).scalar()
    await db.commit()  # no transaction held while the hash is checked
    try:
        # An unknown email is checked against a dummy hash: the same work, the same time.
        ok = await _hasher(request).verify(body.password, user.password_hash if user else None)
    except Busy:
        raise _busy() from None
    if user is None or not ok or (user.email == DEMO.email and not settings.demo_account):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong email or password")
    return _answer(user, settings)


@router.get("/demo", responses={404: {"description": "this deployment has no demo sign-in"}})
async def demo_account(settings: SettingsDep) -> DemoAccount:
    """The shared demo sign-in the web app pre-fills, where the deployment offers one."""
    if not settings.demo_account:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no demo sign-in here")
    return DEMO
