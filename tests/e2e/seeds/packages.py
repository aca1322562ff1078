"""Seed for the packages browser test: a reseller of its own with one package in use and a few real calls."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from reseller_app.carrier import CarrierCdr
from reseller_app.db import session_scope
from reseller_app.models import Client, Package, Reseller, SubAccount, utcnow
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password
from reseller_app.services.telephony.calls import ingest_cdrs

EMAIL = "reseller-pk@example.com"


def seed(ids: dict) -> None:
    """Package "Starter" (0.0025 + 20 %, pulse 6) on one sub-account with three 60 s calls to London."""
    from tests.e2e.seed import PASSWORD

    rid = create_reseller(EMAIL, PASSWORD, name="Package Reseller", company="Pack Telecom")
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        pkg = Package(
            reseller_id=rid, name="Starter", markup_fixed=Decimal("0.0025"), markup_percent=Decimal("20"), pulse=6
        )
        client = Client(
            reseller_id=rid, email="pk-client@example.com", password_hash=hash_password(PASSWORD), firstname="Pat"
        )
        s.add_all([pkg, client])
        s.flush()
        sub = SubAccount(reseller_id=rid, client_id=client.id, package_id=pkg.id, account="300001_pk", sip_password="x")
        s.add(sub)
    now = utcnow()
    ingest_cdrs(
        rid,
        [
            CarrierCdr(
                uniqueid=f"pk-{i}",
                start=now - timedelta(days=2, minutes=i),
                direction="out",
                account="300001_pk",
                callerid="15145550000",
                destination="442071234567",
                duration=60,
                disposition="ANSWERED",
            )
            for i in range(3)
        ],
    )
    ids["pk"] = rid
