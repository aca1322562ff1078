"""Resellers to own sandbox rows (the sandbox tables have foreign keys to reseller)."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from reseller_app.models import Reseller


@pytest.fixture()
def resellers(engine):
    """Two reseller ids, A and B, on the clean test database."""
    with Session(engine) as s:
        rows = [Reseller(email=f"{n}@example.com", password_hash="x", name=n) for n in ("a", "b")]
        s.add_all(rows)
        s.commit()
        return tuple(r.id for r in rows)


@pytest.fixture()
def carrier(engine):
    """A fresh sandbox carrier on the test database."""
    from reseller_app.carrier.sandbox import SandboxCarrier

    return SandboxCarrier()
