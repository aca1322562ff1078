"""8 processes post payments, charges and rated calls to one client at once, through the services and REST over HTTP.

The same code as `bench/concurrency_bench.py` (which runs 8 x 2,000), smaller here. Runs on the test session's
database: a SQLite file in WAL mode, or PostgreSQL when TEST_DATABASE_URL is set; the worker processes and the
API server get the same DATABASE_URL.
"""

from __future__ import annotations

import os
from decimal import Decimal

from sqlmodel import select

from bench import concurrency_bench as cb
from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client, LedgerEntry

WORKERS = 8
OPS = 30  # per worker: 10 manual postings, 10 rated calls, 10 REST postings


def test_balance_equals_the_ledger_and_every_posting_appears_once(engine):
    # The workers inherit DATABASE_URL: it must be the database this session migrated.
    assert engine.url.database in os.environ["DATABASE_URL"]
    ids = cb.setup(opening=Decimal("100"))
    result = cb.run(WORKERS, OPS, ids)
    fig = cb.check(ids, result)
    # A third of each kind per worker, plus the opening payment; every call here is billed.
    assert fig["entries"] == WORKERS * OPS + 1 and fig["calls"] == WORKERS * OPS // 3 == fig["billed_calls"]
    with session_scope() as s:
        entries = s.exec(select(LedgerEntry).where(LedgerEntry.client_id == ids["client"])).all()
        prices = sum(r.price for r in s.exec(select(Cdr)).all())
        balance = s.get(Client, ids["client"]).balance
    payments = sum(e.amount for e in entries if e.kind == "payment")
    charges = sum(e.amount for e in entries if e.kind == "charge")
    assert balance == payments + charges - prices
    assert len({e.kind for e in entries}) == 3


def test_hard_client_no_call_started_after_the_suspension_is_billed(engine):
    # Charges and calls only (no payment restores the client): the balance crosses 0 once, mid-run.
    ids = cb.setup(mode="HARD", opening=Decimal("50"))
    result = cb.run(WORKERS, 18, ids, charges_only=True)
    cb.check(ids, result)
    with session_scope() as s:
        client = s.get(Client, ids["client"])
        rows = s.exec(select(Cdr)).all()
        billed = {
            e.reference.rsplit(":", 1)[-1]
            for e in s.exec(
                select(LedgerEntry).where(LedgerEntry.client_id == ids["client"], LedgerEntry.kind == "call")
            )
        }
    assert client.status == "SUSPENDED" and client.balance <= 0 and client.suspended_at is not None
    after = [r for r in rows if r.start >= client.suspended_at]
    before = [r for r in rows if r.start < client.suspended_at]
    assert after and before, "the suspension should fall mid-run"
    # Calls that started before the suspension were in flight: billed. None that started after it is.
    assert {r.uniqueid for r in before} == billed
    assert all(r.price == 0 and r.reason == "suspended" and r.uniqueid not in billed for r in after)
