"""Security tests log in many times: argon2 runs with its cheapest settings here (its cost is not under test)."""

from __future__ import annotations

import pytest
from passlib.context import CryptContext

from reseller_app.services.access import security


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Same scheme and code path, a fraction of the memory and time per hash."""
    cheap = CryptContext(schemes=["argon2"], argon2__memory_cost=256, argon2__time_cost=1, argon2__parallelism=1)
    monkeypatch.setattr(security, "_pwd", cheap)
