"""Password hashing (argon2 through passlib) and random tokens stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from passlib.context import CryptContext

from reseller_app.config import settings

# Argon2 cost per ARGON2_PROFILE. "default" is passlib's (64 MiB, 3 passes, 4 lanes: ~100 ms of CPU a hash);
# "test" is the least argon2 allows (8 KiB, 1 pass, 1 lane), refused outside APP_ENV=dev. A hash carries its own
# parameters, so either profile verifies hashes made by the other.
_COST: dict[str, dict[str, int]] = {
    "default": {},
    "test": {"argon2__memory_cost": 8, "argon2__time_cost": 1, "argon2__parallelism": 1},
}
settings.check_argon2()
_pwd = CryptContext(schemes=["argon2"], deprecated="auto", **_COST[settings.argon2_profile])
# Verified against when the login name is unknown, so that both cases cost the same time.
_DUMMY_HASH = _pwd.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2 hash of the password."""
    return _pwd.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash, verify against a dummy so timing does not tell."""
    if not password_hash:
        _pwd.verify(password, _DUMMY_HASH)
        return False
    try:
        return _pwd.verify(password, password_hash)
    except (ValueError, TypeError):
        return False


def new_token() -> str:
    """A random URL-safe token for a session or a reset link."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The keyed hash stored in place of a token."""
    return hmac.new(settings.secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < 8:
        return "Use at least 8 characters."
    if len(password) > 128:
        return "Use at most 128 characters."
    return None
