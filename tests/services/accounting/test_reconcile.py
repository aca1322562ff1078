"""Reconciliation: `python -m reseller_app reconcile` and the daily job find every client whose cached balance is
not the sum of its ledger, print it, log it as an error, audit it, and exit non-zero."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from reseller_app.__main__ import main
from reseller_app.db import session_scope
from reseller_app.models import AuditLog, Client
from reseller_app.services.accounting import postings, reconcile
from reseller_app.services.jobs import scheduler

D = Decimal
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture()
def books(world):
    """Client `c` with a payment, a charge and a reversal; reseller B's client with a payment."""
    a = world["actor_a"]
    postings.manual_posting(a, world["c"], "payment", "40.00", "Deposit")
    charge = postings.manual_posting(a, world["c"], "charge", "2.50", "Setup")
    postings.reverse(a, world["c"], charge.id)
    postings.manual_posting(world["actor_b"], world["other"], "payment", "5.00", "Deposit")
    return world


def _break_balance(client_id: int, micro_units: int) -> None:
    """A change behind the services' back: only the cached balance moves (the ledger cannot be edited)."""
    with session_scope() as s:
        sql = sa.text("UPDATE client SET balance = balance + :d WHERE id = :id")
        s.execute(sql, {"d": micro_units, "id": client_id})


def _mismatch_audits() -> list[AuditLog]:
    with session_scope() as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action == "balance_mismatch").order_by(AuditLog.id)).all())


def test_consistent_books_reconcile_with_exit_code_0(books, capsys):
    assert reconcile.reconcile() == []
    assert main(["reconcile"]) == 0
    assert "every client's balance equals the sum of its ledger" in capsys.readouterr().out
    assert _mismatch_audits() == []


def test_a_difference_is_printed_logged_audited_and_exits_1(books, capsys, caplog):
    _break_balance(books["c"], 1_000_000)  # +1.00
    with session_scope() as s:  # a client with no ledger at all, but a balance
        s.add(Client(reseller_id=books["rb"], email="z@example.com", password_hash="x", firstname="Z"))
    with session_scope() as s:
        ghost = s.exec(select(Client).where(Client.email == "z@example.com")).one().id
    _break_balance(ghost, -250_000)  # -0.25
    with caplog.at_level(logging.ERROR, logger="reseller_app.services.accounting.reconcile"):
        assert main(["reconcile"]) == 1
    out = capsys.readouterr().out
    assert f"difference: client {books['c']} of reseller {books['ra']}: balance 41.000000" in out
    assert "but its ledger sums to 40.000000 (difference 1.000000)" in out
    assert f"client {ghost} of reseller {books['rb']}: balance -0.250000 but its ledger sums to 0.000000" in out
    assert "2 difference(s)" in out
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and all("reconcile: client" in e for e in errors)
    audits = _mismatch_audits()
    assert [(r.reseller_id, r.object_id, r.actor_role) for r in audits] == [
        (books["ra"], books["c"], "system"),
        (books["rb"], ghost, "system"),
    ]
    assert D(audits[0].detail["difference"]) == D("1") and D(audits[0].detail["ledger"]) == D("40")
    assert D(audits[1].detail["difference"]) == D("-0.25")
    # Nothing was "fixed": which side is wrong is for a person to decide.
    with session_scope() as s:
        assert s.get(Client, books["c"]).balance == D("41")


def test_the_command_line_exits_non_zero(books):
    env = dict(os.environ)
    clean = subprocess.run(
        [sys.executable, "-m", "reseller_app", "reconcile"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert clean.returncode == 0, clean.stderr
    _break_balance(books["other"], 1)  # one micro-unit is enough
    broken = subprocess.run(
        [sys.executable, "-m", "reseller_app", "reconcile"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert broken.returncode == 1
    assert f"difference: client {books['other']} of reseller {books['rb']}" in broken.stdout
    assert "reconcile: client" in broken.stderr  # the error log line


def test_the_daily_job_runs_once_a_day_and_audits(books, monkeypatch):
    monkeypatch.setattr(scheduler, "sync_all", lambda: {})
    monkeypatch.setattr(scheduler, "billing_cycle", lambda day: None)
    _break_balance(books["c"], -10_000)
    now = datetime(2026, 11, 15, 1, 0, tzinfo=UTC)
    assert "reconcile" in scheduler.tick(now)
    assert "reconcile" not in scheduler.tick(now)  # done today
    audits = _mismatch_audits()
    assert len(audits) == 1 and audits[0].object_id == books["c"]
