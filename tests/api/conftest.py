"""Fixtures of the REST API tests: two resellers with the API on, reseller A with one client on a package."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from reseller_app.api import create_api
from reseller_app.db import session_scope
from reseller_app.models import Client, Package, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.api import access as api_access
from tests.api.helpers import API_PW


@pytest.fixture()
def api(engine):
    """Two resellers with the API enabled; reseller A has one client with a sub-account on a package."""
    api_access.limiter.reset()
    api_access.failures.reset()
    ra = create_reseller("ra@example.com", "login-pass-1")
    rb = create_reseller("rb@example.com", "login-pass-1")
    for rid in (ra, rb):
        actor = Actor("reseller", rid)
        api_access.set_password(actor, API_PW, API_PW)
        api_access.set_access(actor, True, "")
    with session_scope() as s:
        pkg = Package(reseller_id=ra, name="Std", markup_fixed=Decimal("0.0025"), markup_percent=Decimal("20"), pulse=6)
        s.add(pkg)
        s.flush()
        c = Client(reseller_id=ra, email="c@example.com", password_hash="x", firstname="Cy", lastname="Cole")
        other = Client(reseller_id=rb, email="o@example.com", password_hash="x", firstname="Ot")
        s.add_all([c, other])
        s.flush()
        sub = SubAccount(
            reseller_id=ra, client_id=c.id, package_id=pkg.id, account="100001_front", sip_password="sip-pass-1"
        )
        s.add(sub)
        s.flush()
        ids = {"ra": ra, "rb": rb, "c": c.id, "other": other.id, "pkg": pkg.id, "sub": sub.id}
    ids["http"] = TestClient(create_api())
    yield ids
    api_access.limiter.reset()
