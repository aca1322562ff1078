"""Seed for the client-account browser tests: a reseller with a package that has a setup fee, and DID defaults."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, Package, Reseller, ResellerSettings
from reseller_app.services.access.auth import create_reseller

EMAIL = "reseller-clients@example.com"


def seed(ids: dict) -> None:
    """Reseller `clients` with package "Starter" (setup 5.00), a DID setup fee of 1.00 and a WAIT client."""
    from tests.e2e.seed import PASSWORD

    rid = create_reseller(EMAIL, PASSWORD, name="Clients Reseller", company="Cedar Voice")
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.title = "Cedar Voice"
        st.did_setup = Decimal("1.00")
        st.did_monthly = Decimal("2.00")
        st.did_minute = Decimal("0.01")
        s.add(Package(reseller_id=rid, name="Starter", setup_fee=Decimal("5.00"), monthly_fee=Decimal("10.00")))
        waiting = Client(
            reseller_id=rid, email="waiting@example.com", password_hash="x", firstname="Wes", status="WAIT"
        )
        s.add(waiting)
        s.flush()
        ids["clients_waiting"] = waiting.id
    ids["clients"] = rid
