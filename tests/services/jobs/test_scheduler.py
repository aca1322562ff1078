"""Scheduled jobs: leases (one worker per job), CDR sync that survives a crash between batches, billing twice."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import select

from reseller_app.carrier import CarrierCdr
from reseller_app.carrier.sandbox import SandboxCarrier
from reseller_app.carrier.traffic import TrafficMix, generate, make_calls
from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client, Did, JobLease, LedgerEntry, Package, utcnow
from reseller_app.services.jobs import scheduler

T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


@pytest.fixture()
def sandbox(monkeypatch):
    """A fresh sandbox carrier that the scheduler uses for every reseller."""
    carrier = SandboxCarrier()
    monkeypatch.setattr(scheduler, "get_carrier", lambda reseller: carrier)
    return carrier


def _call(uid: str, at: datetime, secs: int = 60) -> CarrierCdr:
    return CarrierCdr(
        uniqueid=uid,
        start=at,
        direction="out",
        account="100001_front",
        callerid='"Front" <15145550000>',
        destination="15145550143",
        duration=secs,
        disposition="ANSWERED",
    )


def _ledger_calls(client_id: int) -> list[LedgerEntry]:
    with session_scope() as s:
        return list(s.exec(select(LedgerEntry).where(LedgerEntry.client_id == client_id, LedgerEntry.kind == "call")))


# --- leases --------------------------------------------------------------------------------------------


def test_one_worker_holds_a_job_at_a_time(engine):
    ttl = timedelta(minutes=5)
    assert scheduler.acquire("job", ttl, holder="w1") is True
    assert scheduler.acquire("job", ttl, holder="w2") is False
    scheduler.release("job", holder="w2")  # not its lease: changes nothing
    assert scheduler.acquire("job", ttl, holder="w2") is False
    scheduler.release("job", holder="w1")
    assert scheduler.acquire("job", ttl, holder="w2") is True


def test_an_expired_lease_is_taken_over(engine):
    assert scheduler.acquire("job", timedelta(seconds=-1), holder="dead") is True
    assert scheduler.acquire("job", timedelta(minutes=5), holder="alive") is True


def test_every_keeps_a_finished_job_from_running_again_too_soon(engine):
    day = timedelta(hours=20)
    ran: list[int] = []
    assert scheduler.run_job("daily", lambda: ran.append(1), ttl=timedelta(minutes=5), every=day) is True
    assert scheduler.run_job("daily", lambda: ran.append(2), ttl=timedelta(minutes=5), every=day) is False
    with session_scope() as s:
        s.get(JobLease, "daily").last_finished_at = utcnow() - timedelta(hours=21)
    assert scheduler.run_job("daily", lambda: ran.append(3), ttl=timedelta(minutes=5), every=day) is True
    assert ran == [1, 3]


def test_a_failed_run_is_recorded_and_retried(engine):
    def boom() -> None:
        raise RuntimeError("carrier down")

    day = timedelta(hours=20)
    assert scheduler.run_job("daily", boom, ttl=timedelta(minutes=5), every=day) is True
    with session_scope() as s:
        row = s.get(JobLease, "daily")
        assert row.last_error == "RuntimeError: carrier down" and row.last_finished_at is None
    assert scheduler.run_job("daily", lambda: None, ttl=timedelta(minutes=5), every=day) is True


# --- CDR sync ------------------------------------------------------------------------------------------


def test_sync_killed_between_batches_resumes_and_rates_each_call_once(world, sandbox, monkeypatch):
    # Seven calls; two share a start time across the first batch boundary.
    starts = [T0, T0 + timedelta(minutes=1), T0 + timedelta(minutes=2), T0 + timedelta(minutes=2)]
    starts += [T0 + timedelta(minutes=m) for m in (3, 4, 5)]
    for i, at in enumerate(starts):
        sandbox.record_call(world["ra"], _call(f"Call{i}x", at, secs=30 + i))

    real_ingest = scheduler.ingest_cdrs
    batches: list[int] = []

    def crash_after_first(reseller_id, cdrs):
        if batches:
            raise KeyboardInterrupt("worker killed")
        batches.append(len(cdrs))
        return real_ingest(reseller_id, cdrs)

    monkeypatch.setattr(scheduler, "ingest_cdrs", crash_after_first)
    with pytest.raises(KeyboardInterrupt):
        scheduler.sync_reseller(world["ra"], batch_size=3)
    with session_scope() as s:
        assert s.exec(select(func.count(Cdr.id))).one() == 3

    monkeypatch.setattr(scheduler, "ingest_cdrs", real_ingest)
    res = scheduler.sync_reseller(world["ra"], batch_size=3)
    assert res.stored == 4 and res.duplicates == 3
    again = scheduler.sync_reseller(world["ra"], batch_size=3)
    assert again.stored == 0
    with session_scope() as s:
        rows = s.exec(select(Cdr)).all()
        balance = s.get(Client, world["c"]).balance
    assert sorted(r.uniqueid for r in rows) == sorted(f"Call{i}x" for i in range(7))
    entries = _ledger_calls(world["c"])
    assert len(entries) == 7 and len({e.reference for e in entries}) == 7
    assert balance == -sum(r.price for r in rows) < 0


def test_sync_all_survives_a_reseller_whose_carrier_fails(world, monkeypatch):
    from reseller_app.carrier import CarrierError

    good = SandboxCarrier()
    good.record_call(world["ra"], _call("only1", T0))

    def pick(reseller):
        if reseller.id == world["rb"]:
            raise CarrierError("invalid_credentials")
        return good

    monkeypatch.setattr(scheduler, "get_carrier", pick)
    done = scheduler.sync_all()
    assert done[world["ra"]].stored == 1 and world["rb"] not in done


# --- billing -------------------------------------------------------------------------------------------


def test_billing_cycle_twice_for_the_same_date_charges_each_fee_once(world):
    with session_scope() as s:
        s.get(Package, world["pkg"]).monthly_fee = Decimal("9.99")
        c = s.get(Client, world["c"])
        c.next_billing_date = date(2026, 11, 1)
        s.add(
            Did(
                reseller_id=world["ra"],
                number="15145550199",
                client_id=c.id,
                monthly_fee=Decimal("1.50"),
                connected_at=datetime(2026, 10, 1, tzinfo=UTC),
            )
        )
    first = scheduler.billing_cycle(date(2026, 11, 15))
    second = scheduler.billing_cycle(date(2026, 11, 15))
    assert (first.fees, second.fees) == (2, 0)
    with session_scope() as s:
        fees = s.exec(select(LedgerEntry).where(LedgerEntry.kind == "fee")).all()
        assert sorted(-f.amount for f in fees) == [Decimal("1.5"), Decimal("9.99")]
        assert s.get(Client, world["c"]).balance == Decimal("-11.49")
        assert s.get(Client, world["c"]).next_billing_date == date(2026, 12, 1)


def test_tick_runs_billing_once_per_day_across_workers(world, monkeypatch):
    runs: list[date] = []
    monkeypatch.setattr(scheduler, "billing_cycle", lambda day: runs.append(day))
    monkeypatch.setattr(scheduler, "sync_all", lambda: {})
    now = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
    assert "billing" in scheduler.tick(now)
    monkeypatch.setattr(scheduler, "WORKER", "another-worker")
    assert "billing" not in scheduler.tick(now)
    assert runs == [date(2026, 11, 15)]


# --- sandbox traffic -----------------------------------------------------------------------------------


def test_traffic_uses_the_resellers_own_accounts_and_mix(world):
    with session_scope() as s:
        s.add(Did(reseller_id=world["ra"], number="15145550177", client_id=world["c"], sub_account_id=world["sub"]))
    calls = make_calls(world["ra"], 200, rng=random.Random(7), now=T0)
    assert len(calls) == 200
    assert {c.account for c in calls} == {"100001_front"}
    inbound = [c for c in calls if c.direction == "in"]
    assert inbound and all(c.did == "15145550177" for c in inbound)
    assert all(c.start <= T0 for c in calls)
    only_out = make_calls(world["ra"], 50, mix=TrafficMix(inbound=0, unanswered=0), rng=random.Random(1), now=T0)
    assert all(c.direction == "out" and c.disposition == "ANSWERED" and c.duration > 0 for c in only_out)
    assert make_calls(world["rb"], 10) == []  # reseller B has no connected sub-accounts or numbers


def test_traffic_tick_records_and_rates_calls(world, sandbox, monkeypatch):
    assert generate(sandbox, world["ra"], 5, rng=random.Random(3)) == 5
    monkeypatch.setattr(scheduler, "get_carrier", lambda reseller: sandbox)
    made = scheduler.traffic_tick(4)
    assert made == 4  # reseller B has nothing to call from
    with session_scope() as s:
        assert s.exec(select(func.count(Cdr.id))).one() == 9
