"""Seed for the invoice browser test: reseller "Maple Voice" with a Quebec client billed today."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, Package, Reseller, ResellerSettings, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password
from reseller_app.services.accounting.postings import manual_posting
from tests.e2e.seed import PASSWORD

COMPANY = "Maple Voice Inc."


def seed(ids: dict) -> None:
    """Reseller "m": client tremblay@ (Montréal, QC) with a 25.00 package, a 10.00 charge, billed today."""
    rid = create_reseller("reseller-m@example.com", PASSWORD, name="Reseller M", company=COMPANY)
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.title = "Maple Voice"
        st.color_navbar = "#9f1239"
        pkg = Package(reseller_id=rid, name="Business", monthly_fee=Decimal("25.00"))
        s.add(pkg)
        s.flush()
        c = Client(
            reseller_id=rid,
            email="tremblay@example.com",
            password_hash=hash_password(PASSWORD),
            firstname="Marie",
            lastname="Tremblay",
            company="Boulangerie Tremblay",
            address="12 rue Saint-Denis",
            city="Montréal",
            state="QC",
            country="CA",
            zip="H2X 1K4",
            next_billing_date=datetime.now(UTC).date(),
        )
        s.add(c)
        s.flush()
        s.add(SubAccount(reseller_id=rid, client_id=c.id, package_id=pkg.id, account="400001_front", sip_password="x"))
        cid = c.id
    manual_posting(Actor("reseller", rid), cid, "charge", "10.00", "Installation visit")
    ids.update(m=rid, tremblay=cid)
