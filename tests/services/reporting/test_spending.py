"""The client's "Spent this month" / "Spent today" panels count every charge on the balance, not only calls."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel import update

from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client, LedgerEntry, utcnow
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting import ledger
from reseller_app.services.accounting.postings import manual_posting, reverse
from reseller_app.services.reporting.overview import client_summary


def _post(world, kind: str, amount: str, ref: str, when: datetime | None = None) -> int:
    fields = {"reseller_id": world["ra"], "client_id": world["c"], "kind": kind, "amount": Decimal(amount)}
    fields |= {"description": ref, "reference": ref, "created_by": "test"}
    with session_scope() as s:
        if when is None:
            return ledger.post(s, **fields)[0].id
        # A posting of an earlier day: written with its date, as the ledger refuses any later UPDATE (0011).
        entry = LedgerEntry(**fields, created_at=when)
        s.add(entry)
        s.exec(update(Client).where(Client.id == world["c"]).values(balance=Client.balance + Decimal(amount)))
        s.flush()
        return entry.id


def test_spending_counts_fees_charges_and_calls_less_reversals_and_not_payments(world):
    me = Actor("client", world["ra"], world["c"])
    _post(world, "fee", "-2.00", "did:1:today")  # a DID fee today
    _post(world, "fee", "-1.00", "e911:1:today")  # and an e911 fee
    _post(world, "call", "-0.25", "call:1")
    _post(world, "payment", "50.00", "pay:1")  # money in is not spending
    charge = manual_posting(Actor("reseller", world["ra"]), world["c"], "charge", "4.00", "Equipment")
    reverse(Actor("reseller", world["ra"]), world["c"], charge.id)  # given back
    start = utcnow().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if utcnow().day > 1:  # an earlier day of this month counts in the month, not today
        _post(world, "fee", "-0.50", "pkg:1:earlier", start + timedelta(hours=1))
    with session_scope() as s:
        s.add(
            Cdr(
                reseller_id=world["ra"],
                client_id=world["c"],
                uniqueid="u1",
                start=utcnow(),
                direction="out",
                account="100001_front",
                destination="15145550000",
                duration=30,
                disposition="ANSWERED",
                price=Decimal("0.25"),
                cost=Decimal("0.10"),
            )
        )
    data = client_summary(me)
    assert data["today_spent"] == "$3.25"
    assert data["month_spent"] == ("$3.75" if utcnow().day > 1 else "$3.25")
    assert data["today_calls"] == "1"
    with session_scope() as s:
        assert s.get(Client, world["c"]).balance == Decimal("46.75") - (Decimal("0.50") if utcnow().day > 1 else 0)
