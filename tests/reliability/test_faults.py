"""Faults: the database drops mid-batch, the carrier API fails, SMTP is down, the billing run is SIGKILLed.

In each case nothing is lost or posted twice, and the work completes once the fault clears.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import cycle
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from reseller_app.carrier import CarrierCdr, CarrierError
from reseller_app.carrier.sandbox import SandboxCarrier
from reseller_app.carrier.voipms import VoipMsCarrier
from reseller_app.db import session_scope
from reseller_app.models import Cdr, CdrDaily, Client, Did, LedgerEntry, OutboundEmail, Package, SubAccount, utcnow
from reseller_app.notify import SmtpSettings, deliver_pending
from reseller_app.services.accounting.postings import manual_posting
from reseller_app.services.jobs import scheduler
from reseller_app.services.telephony import calls
from tests.notify.conftest import SmtpServer, free_port

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def _call(uid: str, at: datetime, secs: int = 90) -> CarrierCdr:
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


def _assert_each_call_once_and_ledger_exact(world, uids: set[str]) -> None:
    """Every call stored once, each billed call posted once, balance = ledger sum = -(sum of prices), roll-up too."""
    with session_scope() as s:
        rows = s.exec(select(Cdr).where(Cdr.reseller_id == world["ra"])).all()
        entries = s.exec(select(LedgerEntry).where(LedgerEntry.client_id == world["c"])).all()
        balance = s.get(Client, world["c"]).balance
        rolled = s.exec(
            select(func.sum(CdrDaily.calls), func.sum(CdrDaily.price)).where(CdrDaily.reseller_id == world["ra"])
        ).one()
    assert sorted(r.uniqueid for r in rows) == sorted(uids)
    refs = [e.reference for e in entries]
    assert len(refs) == len(set(refs))
    assert {r.rsplit(":", 1)[-1] for r in refs} == {r.uniqueid for r in rows if r.price > 0} == uids
    prices = sum(r.price for r in rows)
    assert balance == sum(e.amount for e in entries) == -prices < 0
    assert rolled == (len(uids), prices)


# --- the database restarts in the middle of a CDR sync batch ---------------------------------------------


def _drop_connection(session) -> None:
    """The database goes away under this transaction: PostgreSQL kills the backend, SQLite's file is "gone"."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        other = sa.create_engine(conn.engine.url, poolclass=sa.pool.NullPool)
        with other.connect() as c:
            assert c.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar() is True
        other.dispose()
    else:
        raise OperationalError("INSERT INTO cdrdaily ...", {}, Exception("disk I/O error: database restarted"))


def test_database_restart_mid_sync_batch_rates_each_call_once(world, monkeypatch):
    carrier = SandboxCarrier()
    monkeypatch.setattr(scheduler, "get_carrier", lambda reseller: carrier)
    uids = {f"Db{i}x" for i in range(9)}
    for i, uid in enumerate(sorted(uids)):
        carrier.record_call(world["ra"], _call(uid, T0 + timedelta(minutes=i)))

    real_apply = calls.apply_rated
    batches: list[int] = []

    def restart_in_second_batch(session, rows, sign=1):
        # Called after the batch's calls and postings are written, before its commit: mid-transaction.
        batches.append(len(rows))
        if len(batches) == 2:
            _drop_connection(session)
        return real_apply(session, rows, sign)

    monkeypatch.setattr(calls, "apply_rated", restart_in_second_batch)
    with pytest.raises(OperationalError):
        scheduler.sync_reseller(world["ra"], batch_size=3)
    with session_scope() as s:  # the pool reconnects; the half-written batch was rolled back
        assert s.exec(select(func.count(Cdr.id))).one() == 3
        assert s.exec(select(func.count(LedgerEntry.id))).one() == 3

    monkeypatch.setattr(calls, "apply_rated", real_apply)  # the database is back
    res = scheduler.sync_reseller(world["ra"], batch_size=3)
    assert (res.stored, res.duplicates) == (6, 3)
    assert scheduler.sync_reseller(world["ra"], batch_size=3).stored == 0
    _assert_each_call_once_and_ledger_exact(world, uids)


# --- the carrier API answers 500s, timeouts and api_limit_exceeded ------------------------------------------


class FlakyVoipMs:
    """A fake VoIP.ms getCDR: the next `failing` requests fail in turn with a 500, a timeout or a rate limit."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows
        self.failing = 10**9  # down
        self.faults = cycle(["500", "timeout", "limit"])
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if self.failing > 0:
            self.failing -= 1
            fault = next(self.faults)
            if fault == "timeout":
                raise httpx.ReadTimeout("no answer", request=request)
            if fault == "500":
                return httpx.Response(500, text="Internal Server Error")
            return httpx.Response(200, json={"status": "api_limit_exceeded"})
        q = request.url.params
        found = [r for r in self.rows if q["date_from"] <= r["date"][:10] <= q["date_to"]]
        return httpx.Response(200, json={"status": "success", "cdr": found} if found else {"status": "no_cdr"})


def _voipms_row(uid: str, at: datetime) -> dict:
    return {
        "date": at.strftime("%Y-%m-%d %H:%M:%S"),
        "callerid": '"Front" <15145550000>',
        "destination": "442071234567",
        "description": "United Kingdom",
        "account": "100001_front",
        "disposition": "ANSWERED",
        "duration": "00:01:30",
        "seconds": "90",
        "rate": "0.0100",
        "total": "0.0150",
        "uniqueid": uid,
    }


def test_carrier_outage_then_recovery_syncs_each_call_once(world, monkeypatch):
    now = utcnow().replace(microsecond=0)
    fake = FlakyVoipMs([_voipms_row(f"vm{i}", now - timedelta(hours=3, minutes=i)) for i in range(5)])
    sleeps: list[float] = []
    voipms = VoipMsCarrier("me@example.com", "api-pass", transport=httpx.MockTransport(fake), sleep=sleeps.append)
    sandbox = SandboxCarrier()
    monkeypatch.setattr(scheduler, "get_carrier", lambda r: voipms if r.id == world["ra"] else sandbox)

    # Down: the request is retried with a doubling backoff, then the sync gives up; nothing stored or posted.
    with pytest.raises(CarrierError):
        scheduler.sync_reseller(world["ra"], batch_size=2)
    assert fake.requests == 5 and len(sleeps) == 4 and all(b == 2 * a for a, b in zip(sleeps, sleeps[1:], strict=False))
    # The scheduler's loop logs it and goes on (the other reseller still syncs).
    assert set(scheduler.sync_all()) == {world["rb"]}
    with session_scope() as s:
        assert s.exec(select(func.count(Cdr.id))).one() == 0
        assert s.exec(select(func.count(LedgerEntry.id))).one() == 0

    # The fault clears: the next sync stores and bills every call.
    fake.failing = 0
    res = scheduler.sync_reseller(world["ra"], batch_size=2)
    assert (res.stored, res.batches) == (5, 3)
    # Flapping (a 500, a timeout, a rate limit, then answers) while a new call arrived: the sync's overlap re-reads
    # the old calls, and only the new one is stored.
    fake.rows.append(_voipms_row("vm-new", now - timedelta(minutes=5)))
    fake.failing = 3
    again = scheduler.sync_reseller(world["ra"], batch_size=2)
    assert fake.failing == 0 and again.stored == 1 and again.duplicates == 5
    _assert_each_call_once_and_ledger_exact(world, {f"vm{i}" for i in range(5)} | {"vm-new"})


# --- the SMTP server is down ------------------------------------------------------------------------------


def test_low_balance_mail_queued_while_smtp_is_down_is_delivered_once(world):
    server = SmtpServer(free_port())  # reserved, not started: the mail host is down
    smtp = SmtpSettings(host="127.0.0.1", port=server.port, from_addr="billing@portal.example.com")
    with session_scope() as s:
        c = s.get(Client, world["c"])
        c.low_balance_threshold = Decimal("10")
    manual_posting(world["actor_a"], world["c"], "payment", "20", "Top-up")
    manual_posting(world["actor_a"], world["c"], "charge", "15", "Setup")  # 5.00 left: below 10
    try:
        t = utcnow()
        assert deliver_pending(smtp=smtp, now=t) == (0, 1)
        with session_scope() as s:
            (row,) = s.exec(select(OutboundEmail)).all()
            assert row.status == "pending" and row.attempts == 1
        server.start()
        for minutes in (1, 5, 60):  # later rounds of the sender loop: sent once, never again
            deliver_pending(smtp=smtp, now=t + timedelta(minutes=minutes))
        assert len(server.messages) == 1
        _, rcpt, msg = server.messages[0]
        assert rcpt == ["c@example.com"] and "5.00" in msg.get_content()
        with session_scope() as s:
            assert s.exec(select(OutboundEmail.status)).all() == ["sent"]
    finally:
        server.stop()


# --- the billing run is killed halfway ---------------------------------------------------------------------


def _billing_world(world) -> list[int]:
    """Three clients, each with a sub-account on a 9.99 package and a 3.50 number, due since 2026-01-31."""
    ids = [world["c"]]
    with session_scope() as s:
        s.get(Package, world["pkg"]).monthly_fee = Decimal("9.99")
        for n in (2, 3):
            c = Client(reseller_id=world["ra"], email=f"c{n}@example.com", password_hash="x", firstname=f"C{n}")
            s.add(c)
            s.flush()
            s.add(
                SubAccount(
                    reseller_id=world["ra"],
                    client_id=c.id,
                    package_id=world["pkg"],
                    package_since=datetime(2026, 1, 5, tzinfo=UTC),  # assigned before the billing dates
                    account=f"100001_c{n}",
                    sip_password="p",
                )
            )
            ids.append(c.id)
        for n, cid in enumerate(ids):
            s.get(Client, cid).next_billing_date = date(2026, 1, 31)
            s.add(
                Did(
                    reseller_id=world["ra"],
                    number=f"1514555000{n}",
                    client_id=cid,
                    monthly_fee=Decimal("3.50"),
                    connected_at=datetime(2026, 1, 5, tzinfo=UTC),
                )
            )
    return ids


def _bill(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "reseller_app", "bill", "--today", "2026-02-28"],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _fees() -> dict[int, list[str]]:
    with session_scope() as s:
        out: dict[int, list[str]] = {}
        for e in s.exec(select(LedgerEntry).where(LedgerEntry.kind == "fee")).all():
            out.setdefault(e.client_id, []).append(e.reference)
        return out


def test_billing_run_killed_halfway_then_rerun_posts_each_fee_once(world, tmp_path):
    ids = _billing_world(world)
    # Each client owes 2 months x (package + number) = 4 fees. Pause after the 6th fee posted: the first client is
    # committed, the second is mid-transaction.
    flag = tmp_path / "paused"
    proc = _bill({"BILLING_TEST_PAUSE_AFTER": "6", "BILLING_TEST_PAUSE_FILE": str(flag)})
    try:
        deadline = time.monotonic() + 60
        while not flag.exists():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the billing run never reached the pause"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    fees = _fees()
    assert len(fees.get(ids[0], [])) == 4 and ids[1] not in fees and ids[2] not in fees

    rerun = _bill({})
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert "billed 8 fees to 2 clients" in out
    third = _bill({})
    out, _ = third.communicate(timeout=120)
    assert third.returncode == 0 and "billed 0 fees" in out

    fees = _fees()
    for cid in ids:
        assert len(fees[cid]) == len(set(fees[cid])) == 4
    with session_scope() as s:
        for cid in ids:
            c = s.get(Client, cid)
            total = s.exec(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.client_id == cid)).one()
            assert c.balance == total == Decimal("-26.98") and c.next_billing_date == date(2026, 3, 31)
