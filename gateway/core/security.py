"""Password hashing (bcrypt) and signed tokens (JWT HS256 with an expiry)."""

from __future__ import annotations

import re
import time

import bcrypt
import jwt

ALGORITHM = "HS256"
_SUB = re.compile(r"[0-9]{1,10}")


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


def create_media_token(object_key: str, key: str, ttl_s: int) -> str:
    """Grants reading ONE stored object (for <img>/<video>, which cannot send headers): a URL that
    leaks, or is handed on, opens that file and nothing else of the session."""
    now = int(time.time())
    return jwt.encode({"key": object_key, "typ": "media", "exp": now + ttl_s}, key, ALGORITHM)


def user_id_of(claims: dict[str, object] | None) -> int | None:
    """The user id in an access token's `sub`: ASCII digits only (str.isdigit() also passes '１' and
    '²', which int() reads as 1 or refuses), within PostgreSQL's integer."""
    sub = claims.get("sub") if claims else None
    if not isinstance(sub, str) or not _SUB.fullmatch(sub):
        return None
    user_id = int(sub)
    return user_id if 0 < user_id < 2**31 else None


def decode_token(token: str, key: str, typ: str) -> dict[str, object] | None:
    """The claims of a valid, unexpired token of type `typ`, else None."""
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], options={"require": ["exp"]})
    except jwt.PyJWTError:
        return None
    return claims if claims.get("typ") == typ else None
