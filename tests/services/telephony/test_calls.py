"""Ingesting the carrier's records: rated with the client's package, posted once, free minutes kept across batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import select

from reseller_app.carrier import CarrierCdr
from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client, Did, FreeMinuteUsage, LedgerEntry, Package
from reseller_app.services.telephony.calls import ingest_cdrs

D = Decimal
T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def cdr(uid: str, dest: str = "15145550143", secs: int = 60, *, account="100001_front", at=T0, **kw) -> CarrierCdr:
    return CarrierCdr(
        uniqueid=uid,
        start=at,
        direction=kw.pop("direction", "out"),
        account=account,
        callerid='"Front" <15145550000>',
        destination=dest,
        duration=secs,
        disposition=kw.pop("disposition", "ANSWERED"),
        **kw,
    )


def _rows() -> dict[str, Cdr]:
    with session_scope() as s:
        return {r.uniqueid: r for r in s.exec(select(Cdr)).all()}


def _balance(cid: int) -> Decimal:
    with session_scope() as s:
        return s.get(Client, cid).balance


def test_outbound_call_priced_with_the_package_markup(world):
    # Sandbox deck, premium route for 1514 (the package's Canada route).
    res = ingest_cdrs(world["ra"], [cdr("a1", "15145550143", 60)])
    row = _rows()["a1"]
    expected_sell = ((row.cost_rate + D("0.0025")) * D("1.2")).quantize(D("0.000001"))
    assert (row.country, row.route, row.billable_seconds) == ("CA", "premium", 60)
    assert row.sell_rate == expected_sell and row.price == expected_sell.quantize(D("0.0001"))
    assert row.profit == row.price - row.cost and res.billed == row.price
    assert _balance(world["c"]) == -row.price


def test_a_batch_sent_twice_posts_once(world):
    batch = [cdr("b1", secs=61), cdr("b2", "442071234567", 125, at=T0 + timedelta(minutes=5))]
    first = ingest_cdrs(world["ra"], batch)
    second = ingest_cdrs(world["ra"], batch)
    assert (first.stored, second.stored, second.duplicates) == (2, 0, 2)
    with session_scope() as s:
        total = s.exec(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.client_id == world["c"])).one()
        prices = s.exec(select(func.sum(Cdr.price))).one()
    assert total == -prices == _balance(world["c"])


def test_unanswered_and_unknown_accounts_cost_the_client_nothing(world):
    ingest_cdrs(world["ra"], [cdr("n1", disposition="BUSY", secs=0), cdr("u1", account="999_nobody")])
    rows = _rows()
    assert rows["n1"].reason == "not_answered" and rows["n1"].price == 0
    assert rows["u1"].reason == "unassigned" and rows["u1"].client_id is None
    assert _balance(world["c"]) == 0


def test_unrated_destination_is_flagged_not_free(world):
    ingest_cdrs(world["ra"], [cdr("x1", "999999999", 60)])
    row = _rows()["x1"]
    assert row.reason == "unrated" and row.price == 0 and _balance(world["c"]) == 0


def test_free_minutes_carry_across_batches(world):
    with session_scope() as s:
        s.get(Package, world["pkg"]).free_minutes = 5
        s.get(Client, world["c"]).next_billing_date = world["anchor"]
    ingest_cdrs(world["ra"], [cdr("f1", secs=191)])  # draws 4 whole minutes
    ingest_cdrs(world["ra"], [cdr("f2", secs=150, at=T0 + timedelta(hours=1))])  # 1 left: 90 s billed
    rows = _rows()
    assert rows["f1"].reason == "free_minutes" and rows["f1"].price == 0
    assert rows["f2"].free_minutes_drawn == 1 and rows["f2"].billable_seconds == 90
    with session_scope() as s:
        usage = s.exec(select(FreeMinuteUsage)).one()
    assert usage.minutes_used == 5 and str(usage.cycle_start) == "2026-11-01"


def test_inbound_call_bills_the_did_rate(world):
    with session_scope() as s:
        s.add(
            Did(
                reseller_id=world["ra"],
                number="15145550999",
                client_id=world["c"],
                sub_account_id=world["sub"],
                per_minute=D("0.0100"),
            )
        )
    ingest_cdrs(world["ra"], [cdr("i1", "15145550999", 61, direction="in", did="15145550999")])
    row = _rows()["i1"]
    # pulse 6: 61 s bills 66 s at 0.01/min = 0.011
    assert (row.direction, row.billable_seconds, row.price) == ("in", 66, D("0.0110"))
    assert _balance(world["c"]) == D("-0.0110")


def test_calls_of_another_reseller_are_not_matched(world):
    ingest_cdrs(world["rb"], [cdr("z1")])  # reseller B has no such sub-account
    row = _rows()["z1"]
    assert row.reseller_id == world["rb"] and row.client_id is None and _balance(world["c"]) == 0
