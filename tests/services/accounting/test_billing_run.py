"""The billing run posts each monthly fee once, catches up missed months and moves the billing date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, Did, E911Record, LedgerEntry, Package
from reseller_app.services.accounting.billing_run import run_billing

D = Decimal


def _setup(world, *, next_billing=date(2026, 1, 31)):
    with session_scope() as s:
        s.get(Package, world["pkg"]).monthly_fee = D("9.99")
        c = s.get(Client, world["c"])
        c.next_billing_date = next_billing
        did = Did(
            reseller_id=world["ra"],
            number="15145550001",
            client_id=c.id,
            monthly_fee=D("3.50"),
            connected_at=datetime(2026, 1, 5, tzinfo=UTC),
        )
        s.add(did)
        s.flush()
        s.add(
            E911Record(
                reseller_id=world["ra"],
                client_id=c.id,
                did_id=did.id,
                full_name="Cy",
                address="1 Main",
                city="X",
                state="QC",
                zip="H1H",
                monthly_fee=D("1.50"),
                created_at=datetime(2026, 1, 6, tzinfo=UTC),
            )
        )


def _fees(cid):
    with session_scope() as s:
        return s.exec(select(LedgerEntry).where(LedgerEntry.client_id == cid, LedgerEntry.kind == "fee")).all()


def test_fees_are_posted_on_the_billing_date_and_the_date_moves(world):
    _setup(world)
    summary = run_billing(date(2026, 1, 31))
    assert (summary.fees, summary.total) == (3, D("14.99"))
    with session_scope() as s:
        c = s.get(Client, world["c"])
        assert c.balance == D("-14.99") and c.next_billing_date == date(2026, 2, 28)


def test_running_twice_charges_nothing_twice(world):
    _setup(world)
    run_billing(date(2026, 1, 31))
    again = run_billing(date(2026, 1, 31))
    assert again.fees == 0 and len(_fees(world["c"])) == 3


def test_missed_months_are_each_charged_once_with_day_clamping(world):
    _setup(world)
    summary = run_billing(date(2026, 4, 15))  # Jan 31, Feb 28, Mar 31 are due
    assert summary.fees == 9 and summary.total == D("44.97")
    with session_scope() as s:
        assert s.get(Client, world["c"]).next_billing_date == date(2026, 4, 30)
    refs = {e.reference for e in _fees(world["c"])}
    assert f"pkg:{world['sub']}:2026-02-28" in refs and f"pkg:{world['sub']}:2026-03-31" in refs


def test_a_run_killed_halfway_resumes_without_double_charging(world):
    _setup(world)
    run_billing(date(2026, 1, 31))
    # Simulate a crash after posting but before the billing date was saved.
    with session_scope() as s:
        s.get(Client, world["c"]).next_billing_date = date(2026, 1, 31)
    summary = run_billing(date(2026, 2, 28))
    assert summary.fees == 3  # only February's
    with session_scope() as s:
        total = s.exec(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.client_id == world["c"])).one()
        assert total == D("-29.98") == s.get(Client, world["c"]).balance


def test_waiting_clients_and_future_dates_are_not_billed(world):
    _setup(world, next_billing=date(2026, 3, 1))
    assert run_billing(date(2026, 2, 1)).fees == 0
    with session_scope() as s:
        s.get(Client, world["c"]).status = "WAIT"
    assert run_billing(date(2026, 3, 5)).fees == 0
