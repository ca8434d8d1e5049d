"""Register and log in; both answer with a signed JWT as `session_token`."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from gateway.api.deps import SessionDep, SettingsDep
from gateway.core.security import create_access_token, hash_password, verify_password
from gateway.db.models import User
from gateway.schemas import AuthResponse, LoginRequest

router = APIRouter(prefix="/api/auth", tags=["auth"])


def _answer(user: User, settings: SettingsDep) -> AuthResponse:
    token = create_access_token(user.id, settings.jwt_key, settings.jwt_ttl_s)
    return AuthResponse(user_id=user.id, email=user.email, session_token=token)


@router.post("/register", status_code=status.HTTP_201_CREATED, responses={409: {"description": "taken"}})
async def register(body: LoginRequest, db: SessionDep, settings: SettingsDep) -> AuthResponse:
    user = User(email=body.email.lower(), password_hash=hash_password(body.password, settings.bcrypt_rounds))
    db.add(user)
    try:
        await db.commit()
    except IntegrityError:
        raise HTTPException(status.HTTP_409_CONFLICT, "email: already registered") from None
    return _answer(user, settings)


@router.post("/login", responses={401: {"description": "wrong email or password"}})
async def login(body: LoginRequest, db: SessionDep, settings: SettingsDep) -> AuthResponse:
    user = (await db.execute(select(User).where(func.lower(User.email) == body.email.lower()))).scalar()
    if user is None or not verify_password(body.password, user.password_hash):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong email or password")
    return _answer(user, settings)
