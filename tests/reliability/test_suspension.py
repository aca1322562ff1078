"""HARD balance management: once the balance rule suspends a client, calls that start later are not billable.

The rule (services/telephony/calls.py): a
client suspended by the HARD rule has `suspended_at`, the time of the posting (or
the switch to HARD) that suspended it. A call that started before that moment was in flight and is billed, even
when its record arrives later; a call that started at or after it is stored with price 0 and reason `suspended`,
and nothing is posted to the ledger (the reseller bears its carrier cost).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from reseller_app.carrier import CarrierCdr
from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client, LedgerEntry, SubAccount, utcnow
from reseller_app.services.accounting.postings import manual_posting
from reseller_app.services.clients import accounts as client_service
from reseller_app.services.telephony.calls import ingest_cdrs


def _cdr(uid: str, at: datetime, secs: int = 120) -> CarrierCdr:
    return CarrierCdr(
        uniqueid=uid,
        start=at,
        direction="out",
        account="100001_front",
        callerid='"Front" <15145550000>',
        destination="442071234567",
        duration=secs,
        disposition="ANSWERED",
    )


def _hard(world, balance: str) -> None:
    with session_scope() as s:
        s.get(Client, world["c"]).balance_management = "HARD"
    manual_posting(world["actor_a"], world["c"], "payment", balance, "Top-up")


def _state(world):
    with session_scope() as s:
        client = s.get(Client, world["c"])
        rows = {r.uniqueid: r for r in s.exec(select(Cdr)).all()}
        calls = s.exec(select(LedgerEntry).where(LedgerEntry.client_id == world["c"], LedgerEntry.kind == "call")).all()
        sub = s.get(SubAccount, world["sub"])
        return client, rows, {e.reference.rsplit(":", 1)[-1] for e in calls}, sub


def test_calls_in_flight_are_billed_later_ones_are_not(world):
    _hard(world, "0.05")
    before = utcnow() - timedelta(minutes=10)
    # A long international call (started before) drives the balance below 0: the client is suspended now.
    res = ingest_cdrs(world["ra"], [_cdr("inflight-1", before, secs=600)])
    assert res.billed > Decimal("0.05")
    client, _, billed, sub = _state(world)
    assert client.status == "SUSPENDED" and client.suspended_by == "balance" and sub.blocked
    suspended_at = client.suspended_at
    assert suspended_at is not None and suspended_at >= before

    # A late record of a call that was in flight at the suspension, and two calls made after it.
    late = ingest_cdrs(
        world["ra"],
        [
            _cdr("inflight-2", suspended_at - timedelta(seconds=30)),
            _cdr("after-1", suspended_at),
            _cdr("after-2", suspended_at + timedelta(minutes=2)),
        ],
    )
    client, rows, billed, _ = _state(world)
    assert late.stored == 3 and late.suspended == 2
    assert billed == {"inflight-1", "inflight-2"}
    assert rows["inflight-2"].price > 0 and rows["inflight-2"].reason != "suspended"
    for uid in ("after-1", "after-2"):
        assert rows[uid].price == 0 and rows[uid].reason == "suspended"
        assert rows[uid].cost > 0 and rows[uid].profit == -rows[uid].cost
    # The balance is still exactly the ledger: the unbilled calls moved nothing.
    with session_scope() as s:
        total = sum(e.amount for e in s.exec(select(LedgerEntry).where(LedgerEntry.client_id == world["c"])).all())
    assert client.balance == total == Decimal("0.05") - rows["inflight-1"].price - rows["inflight-2"].price


def test_after_a_payment_restores_the_client_calls_are_billed_again(world):
    _hard(world, "0.05")
    ingest_cdrs(world["ra"], [_cdr("x1", utcnow() - timedelta(minutes=10), secs=600)])
    manual_posting(world["actor_a"], world["c"], "payment", "20", "Top-up")
    client, _, _, sub = _state(world)
    assert client.status == "ACTIVE" and client.suspended_at is None and not sub.blocked
    ingest_cdrs(world["ra"], [_cdr("x2", utcnow())])
    _, rows, billed, _ = _state(world)
    assert rows["x2"].price > 0 and "x2" in billed


def test_soft_clients_and_manual_suspensions_are_not_concerned(world):
    # SOFT: the balance goes below 0 and every call is still billed.
    manual_posting(world["actor_a"], world["c"], "payment", "0.05", "Top-up")
    at = utcnow() - timedelta(minutes=10)
    ingest_cdrs(world["ra"], [_cdr("s1", at, secs=600), _cdr("s2", at + timedelta(minutes=11))])
    client, rows, billed, _ = _state(world)
    assert client.status == "ACTIVE" and client.balance < 0 and billed == {"s1", "s2"}
    # A manual suspension is the reseller's decision, not the balance rule: its calls are billed.
    with session_scope() as s:
        c = s.get(Client, world["c"])
        c.status, c.suspended_by, c.suspended_at = "SUSPENDED", "manual", datetime(2026, 1, 1, tzinfo=UTC)
    ingest_cdrs(world["ra"], [_cdr("s3", utcnow())])
    _, rows, billed, _ = _state(world)
    assert "s3" in billed and rows["s3"].reason != "suspended"


def test_switching_to_hard_with_a_negative_balance_suspends_from_the_switch(world):
    manual_posting(world["actor_a"], world["c"], "charge", "5", "Setup")
    soft_call = utcnow() - timedelta(minutes=5)
    with session_scope() as s:
        c = s.get(Client, world["c"])
        data = {k: getattr(c, k) for k in ("email", "firstname", "lastname", "phone_number", "country")}
    data["balance_management"] = "HARD"
    client_service.update_client(world["actor_a"], world["c"], data)
    client, _, _, _ = _state(world)
    assert client.status == "SUSPENDED" and client.suspended_at > soft_call
    ingest_cdrs(world["ra"], [_cdr("before-switch", soft_call), _cdr("after-switch", utcnow())])
    _, rows, billed, _ = _state(world)
    assert billed == {"before-switch"} and rows["after-switch"].reason == "suspended"


def test_calls_after_the_suspension_draw_no_free_minutes(world):
    from reseller_app.models import FreeMinuteUsage, Package

    with session_scope() as s:
        s.get(Package, world["pkg"]).free_minutes = 5
    _hard(world, "1")
    # A charge takes the balance to 0: the HARD rule suspends the client.
    manual_posting(world["actor_a"], world["c"], "charge", "1", "Equipment")
    client, _, _, _ = _state(world)
    assert client.status == "SUSPENDED" and client.suspended_by == "balance"
    res = ingest_cdrs(world["ra"], [_cdr("blocked-1", client.suspended_at + timedelta(minutes=1), secs=150)])
    _, rows, billed, _ = _state(world)
    assert res.suspended == 1 and rows["blocked-1"].reason == "suspended" and not billed
    assert rows["blocked-1"].free_minutes_drawn == 0
    with session_scope() as s:
        assert s.exec(select(FreeMinuteUsage)).all() == []  # the pool is untouched
    # Back above 0: the whole pool is there for the next call (3 of the 5 minutes).
    manual_posting(world["actor_a"], world["c"], "payment", "5", "Top-up")
    ingest_cdrs(world["ra"], [_cdr("free-1", utcnow(), secs=150)])
    _, rows, billed, _ = _state(world)
    assert rows["free-1"].reason == "free_minutes" and rows["free-1"].free_minutes_drawn == 3
    assert rows["free-1"].price == 0 and not billed


def test_one_batch_with_a_hard_client_crossing_zero_in_its_middle(world):
    """The batch is worked out in start order: the crossing posting suspends, later-started calls are not billed."""
    from reseller_app.models import FreeMinuteUsage, OutboundEmail, Package

    with session_scope() as s:
        s.get(Package, world["pkg"]).free_minutes = 3
        s.add(SubAccount(reseller_id=world["ra"], client_id=world["c"], package_id=world["pkg"],
                         account="100001_back", sip_password="pw"))  # fmt: skip
        s.get(Client, world["c"]).low_balance_threshold = Decimal("0.04")
    _hard(world, "0.05")
    now = utcnow()
    back = replace(_cdr("after-back", now + timedelta(hours=1), secs=120), account="100001_back")
    # Sent out of order: the batch is rated and posted by start, whatever the carrier's order.
    batch = [
        _cdr("after-front", now + timedelta(hours=2)),
        back,
        _cdr("inflight-late", now - timedelta(minutes=5)),
        _cdr("crossing", now - timedelta(minutes=40), secs=1800),  # the front line's pool is empty: below 0
        _cdr("early", now - timedelta(minutes=50), secs=200),  # 3 free minutes, 20 s billed: still above 0
    ]
    res = ingest_cdrs(world["ra"], batch)
    client, rows, billed, sub = _state(world)
    assert (res.stored, res.suspended) == (5, 2)
    assert client.status == "SUSPENDED" and client.suspended_by == "balance" and sub.blocked
    assert now <= client.suspended_at <= utcnow()
    assert rows["early"].free_minutes_drawn == 3 and 0 < rows["early"].price < Decimal("0.05")
    assert rows["crossing"].free_minutes_drawn == 0 and rows["crossing"].price > Decimal("0.05")
    # Started before the crossing posting: in flight, billed. Started after it: not billed, no free minutes drawn
    # (the back line's pool of 3 minutes stays whole).
    assert billed == {"early", "crossing", "inflight-late"}
    for uid in ("after-front", "after-back"):
        assert rows[uid].reason == "suspended" and rows[uid].price == 0 and rows[uid].free_minutes_drawn == 0
    with session_scope() as s:
        pools = {(u.sub_account_id, u.minutes_used) for u in s.exec(select(FreeMinuteUsage)).all()}
        entries = s.exec(select(LedgerEntry).where(LedgerEntry.client_id == world["c"])).all()
        mails = s.exec(select(OutboundEmail.dedupe_key).where(OutboundEmail.dedupe_key.like("lowbal:%"))).all()
    assert pools == {(world["sub"], 3)}
    # The low-balance email went once, for the posting that crossed the threshold.
    assert mails == [f"lowbal:{world['c']}:cdr:{world['ra']}:crossing"]
    assert client.balance == sum(e.amount for e in entries)
    assert client.balance == Decimal("0.05") - sum(rows[u].price for u in billed) < 0
    # The posting that crossed zero is the second call posting: the batch was posted in start order.
    calls = sorted((e for e in entries if e.kind == "call"), key=lambda e: e.id)
    assert [e.reference.rsplit(":", 1)[-1] for e in calls] == ["early", "crossing", "inflight-late"]
