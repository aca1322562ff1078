"""Seed for the packages browser test: a reseller of its own with one package in use, a few real calls and texts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from reseller_app.carrier import CarrierCdr, CarrierMessage
from reseller_app.db import session_scope
from reseller_app.models import Client, Did, Package, Reseller, SubAccount, utcnow
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password
from reseller_app.services.messaging.messages import ingest_messages
from reseller_app.services.telephony.calls import ingest_cdrs

EMAIL = "reseller-pk@example.com"


def seed(ids: dict) -> None:
    """Package "Starter" (0.0025 + 20 %, pulse 6) on one sub-account with three 60 s calls to London, and on its
    number two texts sent (2 parts and 1) and one received."""
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
        s.flush()
        s.add(Did(reseller_id=rid, number="15145550188", client_id=client.id, sub_account_id=sub.id, sms_enabled=True))
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
    texts = [("pk-m1", "out", "x" * 161), ("pk-m2", "out", "hi"), ("pk-m3", "in", "hello")]
    ingest_messages(
        rid,
        [
            CarrierMessage(mid, now - timedelta(days=1), way, "sms", "15145550188", "14165550143", body)
            for mid, way, body in texts
        ],
    )
    ids["pk"] = rid
