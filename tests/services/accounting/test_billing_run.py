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


def test_a_package_is_never_billed_for_periods_before_it_was_assigned(world):
    """Issue 20 #13: a billing date left in 2001 and a package assigned today must not bill 300 months."""
    from reseller_app.services.clients import accounts as clients
    from reseller_app.services.telephony import subaccounts

    a = world["actor_a"]
    with session_scope() as s:
        s.get(Package, world["pkg"]).monthly_fee = D("5.00")
        c = s.get(Client, world["c"])
        c.next_billing_date = date(2001, 1, 1)  # e.g. stored before past dates were refused
    sid = subaccounts.save_subaccount(a, world["c"], "new", {**_SUB_FORM, "name": "desk", "package_id": world["pkg"]})
    assigned = _since(sid)
    assert assigned is not None and assigned.date() == date.today()

    summary = run_billing(date(2026, 12, 1))

    with session_scope() as s:
        fees = [e for e in _fees(world["c"]) if e.reference.startswith(f"pkg:{sid}:")]
        # Only periods that start on or after the assignment; the catch-up moves the date to today's cycle.
        assert all(e.reference.split(":")[2] >= assigned.date().isoformat() for e in fees)
        assert s.get(Client, world["c"]).next_billing_date > date(2026, 12, 1)
    assert summary.total < D("1560.00")
    assert len(fees) <= 1
    # And the form refuses such a date for a new client in the first place.
    import pytest

    from reseller_app.services.common.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as e:
        clients.create_client(
            a,
            {
                "firstname": "Old",
                "email": "old@example.com",
                "password": "long-enough-1",
                "next_billing_date": "2001-01-01",
            },
        )
    assert "next_billing_date" in e.value.errors


def test_moving_a_sub_account_to_another_package_starts_its_fee_again(world):
    from reseller_app.services.telephony import subaccounts

    a = world["actor_a"]
    form = {**subaccounts.subaccount_form(a, world["c"], world["sub"]), "password": "sip-pass-123"}
    before = _since(world["sub"])
    subaccounts.save_subaccount(a, world["c"], world["sub"], {**form, "description": "renamed"})
    assert _since(world["sub"]) == before  # an edit that keeps the package keeps its start
    with session_scope() as s:
        other = Package(reseller_id=world["ra"], name="Other", pulse=6)
        s.add(other)
        s.flush()
        other_id = other.id
    subaccounts.save_subaccount(a, world["c"], world["sub"], {**form, "package_id": str(other_id)})
    assert _since(world["sub"]) > before


_SUB_FORM = {
    "password": "sip-pass-123",
    "device_type": "ip_phone",
    "auth_type": "password",
    "dtmf_mode": "auto",
    "nat": "yes",
    "codecs": "ulaw",
}


def _since(sub_id):
    from reseller_app.models import SubAccount

    with session_scope() as s:
        return s.get(SubAccount, sub_id).package_since
