"""Seed for the API e2e test: one rated call of reseller A's client, for getResellerCDR over real HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client


def seed(ids: dict) -> None:
    """Add the call and record the client's id as ids["api_client"]."""
    with session_scope() as s:
        client = s.exec(
            select(Client).where(Client.reseller_id == ids["a"], Client.email == "client-a@example.com")
        ).one()
        s.add(
            Cdr(
                reseller_id=ids["a"],
                client_id=client.id,
                uniqueid="e2e-Call-1",
                start=datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
                direction="out",
                account="100000_e2e",
                callerid='"Desk" <15145550000>',
                destination="15145550143",
                disposition="ANSWERED",
                duration=60,
                sell_rate=Decimal("0.0138"),
                price=Decimal("0.0138"),
                cost=Decimal("0.0090"),
                profit=Decimal("0.0048"),
            )
        )
        ids["api_client"] = client.id
