"""Fixtures for service tests: a reseller with a package, a client and a sub-account, straight in the tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from reseller_app.db import session_scope
from reseller_app.models import Client, Package, Reseller, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import create_reseller


@pytest.fixture()
def world(engine):
    """Two resellers; reseller A has client `c` with sub-account `acct` on package `pkg`."""
    ra = create_reseller("ra@example.com", "password-123")
    rb = create_reseller("rb@example.com", "password-123")
    with session_scope() as s:
        for rid in (ra, rb):
            s.get(Reseller, rid).portal_active = True
        pkg = Package(
            reseller_id=ra,
            name="Std",
            markup_fixed=Decimal("0.0025"),
            markup_percent=Decimal("20"),
            pulse=6,
            canada_route="premium",
            international_route="value",
            free_minutes=0,
        )
        s.add(pkg)
        s.flush()
        c = Client(reseller_id=ra, email="c@example.com", password_hash="x", firstname="Cy", lastname="Cole")
        other = Client(reseller_id=rb, email="o@example.com", password_hash="x", firstname="Ot")
        s.add_all([c, other])
        s.flush()
        # Assigned long before the billing dates the tests use (the package's fee starts at its assignment).
        since = datetime(2025, 1, 1, tzinfo=UTC)
        sub = SubAccount(
            reseller_id=ra,
            client_id=c.id,
            package_id=pkg.id,
            package_since=since,
            account="100001_front",
            sip_password="pw",
        )
        s.add(sub)
        s.flush()
        ids = {"ra": ra, "rb": rb, "pkg": pkg.id, "c": c.id, "other": other.id, "sub": sub.id}
    ids["actor_a"] = Actor("reseller", ra)
    ids["actor_b"] = Actor("reseller", rb)
    ids["anchor"] = date(2026, 12, 1)
    return ids
