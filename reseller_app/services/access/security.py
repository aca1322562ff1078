"""Password hashing (argon2 through passlib) and random tokens stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from passlib.context import CryptContext

from reseller_app.config import settings
from reseller_app.i18n import _

T = TypeVar("T")

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


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Password work (argon2: ~0.1 s of CPU and 64 MiB each, by design) runs on these few threads, at a lower CPU
# priority than everything else. However many logins arrive at once (a flood of wrong passwords with made-up
# names gets round every lockout), they take at most half the cores and hold a bounded amount of memory, and
# postings, page events and the database keep the CPU they need; the logins wait their turn.
PASSWORD_THREADS = max(1, _cores() // 2)
PASSWORD_NICE = 10


def _lower_priority() -> None:
    try:
        me = threading.get_native_id()  # on Linux a thread id sets the priority of this thread only
        os.setpriority(os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + PASSWORD_NICE))
    except (AttributeError, OSError):  # no per-thread priority on this system: bounded, not lowered
        pass


_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """This process's password threads (made on first use: a forked worker makes its own)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            pool = ThreadPoolExecutor(PASSWORD_THREADS, thread_name_prefix="argon2", initializer=_lower_priority)
            _pool = (os.getpid(), pool)
        return _pool[1]


def _on_pool(fn: Callable[..., T], *args: object) -> T:
    if threading.current_thread().name.startswith("argon2"):
        return fn(*args)
    return _executor().submit(fn, *args).result()


def hash_password(password: str) -> str:
    """An argon2 hash of the password (on the password threads; call it outside any transaction)."""
    return _on_pool(_pwd.hash, password)


def _verify(password: str, password_hash: str | None) -> bool:
    if not password_hash:
        _pwd.verify(password, _DUMMY_HASH)
        return False
    try:
        return _pwd.verify(password, password_hash)
    except (ValueError, TypeError):
        return False


def verify_password(password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash, verify against a dummy so timing does not tell.

    Runs on the password threads: call it outside any transaction (it may wait behind other logins).
    """
    return _on_pool(_verify, password, password_hash)


def new_token() -> str:
    """A random URL-safe token for a session or a reset link."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The keyed hash stored in place of a token."""
    return hmac.new(settings.secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


PASSWORD_MIN = 8
PASSWORD_MAX = 128
# Shown beside every field where a password is chosen (reseller's client form, signup, reset), before any error.
PASSWORD_RULE = f"At least {PASSWORD_MIN} characters."


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable (the one rule of every form and the API), or None."""
    if len(password) < PASSWORD_MIN:
        return _("Use at least {n} characters.").format(n=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return _("Use at most {n} characters.").format(n=PASSWORD_MAX)
    return None
