"""Reports browser test data: the demo reseller (calls over the last 40 days), plus faxes and a monthly fee."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.demo import RESELLER_EMAIL, load_demo
from reseller_app.models import Client, FaxRecord, Reseller
from reseller_app.services.accounting.postings import Effects, post_to_client


def seed(ids: dict) -> None:
    """Load the demo data once and add two faxes and a fee to its first client."""
    load_demo()
    now = datetime.now(UTC)
    with session_scope() as s:
        rid = s.exec(select(Reseller.id).where(Reseller.email == RESELLER_EMAIL)).one()
        client = s.exec(select(Client).where(Client.reseller_id == rid).order_by(Client.id)).first()
        for i, (days, cost, price) in enumerate(((2, "0.0200", "0.0500"), (35, "0.0300", "0.0200"))):
            s.add(
                FaxRecord(
                    reseller_id=rid, client_id=client.id, uniqueid=f"e2e-fax-{i}", start=now - timedelta(days=days),
                    direction="out", remote_number="15145550000", pages=3, cost=Decimal(cost), price=Decimal(price),
                    profit=Decimal(price) - Decimal(cost),
                )
            )  # fmt: skip
        post_to_client(s, client, kind="fee", amount=Decimal("-9.99"), description="Monthly package fee",
                       reference=f"e2e-fee-{rid}", by="billing", fx=Effects())  # fmt: skip
        ids["reports_reseller"] = rid
        ids["reports_client"] = client.id
