"""Secrets the app must read back in clear (the TOTP secrets of two-factor sign-in), encrypted at rest with Fernet
(AES-128-CBC with an HMAC-SHA256 tag, `cryptography`), under TWO_FACTOR_KEY (README, Configuration).

TWO_FACTOR_KEY holds one key, or several separated by commas: the first encrypts, each one decrypts, so a new key is
put first and the old one kept listed (rows sealed under it stay readable; a new enrolment seals under the new one).
Without it (dev mode only: config.check refuses that elsewhere) the key is derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from reseller_app.config import settings

__all__ = ["InvalidToken", "new_key", "open_sealed", "seal"]


def new_key() -> str:
    """A new random key for TWO_FACTOR_KEY."""
    return Fernet.generate_key().decode()


def _dev_key(secret_key: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(f"two-factor-key:{secret_key}".encode()).digest())


@functools.lru_cache(maxsize=4)
def _box(keys: str, secret_key: str) -> MultiFernet:
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    return MultiFernet([Fernet(k.encode()) for k in parts] if parts else [Fernet(_dev_key(secret_key))])


def _current() -> MultiFernet:
    return _box(settings.two_factor_key, settings.secret_key)


def seal(text: str) -> str:
    """`text` encrypted under the first key (a different token each time)."""
    return _current().encrypt(text.encode()).decode()


def open_sealed(token: str) -> str:
    """The text of a sealed token; InvalidToken when no key opens it (or it was changed)."""
    return _current().decrypt(token.encode()).decode()
