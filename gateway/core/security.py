"""Password hashing (bcrypt) and signed tokens (JWT HS256 with an expiry)."""

from __future__ import annotations

import time

import bcrypt
import jwt

ALGORITHM = "HS256"


def hash_password(password: str, rounds: int = 12) -> str:
    # bcrypt reads at most 72 bytes; longer passwords are refused at the API edge.
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds)).decode()


def verify_password(password: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), hashed.encode())
    except ValueError:
        return False


def create_access_token(user_id: int, key: str, ttl_s: int) -> str:
    now = int(time.time())
    return jwt.encode({"sub": str(user_id), "typ": "access", "iat": now, "exp": now + ttl_s}, key, ALGORITHM)


def create_media_token(session_id: str, key: str, ttl_s: int) -> str:
    """Grants reading the media of one session (for <img>/<video> that cannot send headers)."""
    now = int(time.time())
    return jwt.encode({"sid": session_id, "typ": "media", "exp": now + ttl_s}, key, ALGORITHM)


def decode_token(token: str, key: str, typ: str) -> dict[str, object] | None:
    """The claims of a valid, unexpired token of type `typ`, else None."""
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    return claims if claims.get("typ") == typ else None
