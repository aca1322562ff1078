"""CDR ingest bench: a large reseller's day of calls through the real sync path, against the bare insert floor.

On a temporary SQLite file and on a scratch PostgreSQL database it creates and drops (both migrated to head, so the
ledger's triggers are there), it sets up one reseller with CLIENTS clients (SOFT, HARD that cross zero during the
run, HARD already suspended for their balance, some with a low-balance threshold), SUBS sub-accounts on three
packages (one with free minutes) and one DID per client, then feeds N carrier CDRs of the last 24 hours (outbound,
inbound on the DIDs, unanswered, a few of no known sub-account) to `scheduler.sync_reseller` (fetch, then
`calls.ingest_cdrs` per batch) and times it. In the same run it times the floor: a bare bulk insert of the same
rows (read back from `cdr`) into a table of the same shape (same columns, constraints and indexes), batch by batch
in the same batch size, with the same writer (COPY on PostgreSQL, executemany on SQLite). At the end it checks
that every client's balance equals its ledger sum (reconcile), that the roll-up equals SUM over the calls, that
every billed call has one posting, and that a second sync stores nothing.

    python bench/ingest_bench.py [--cdrs 1000000] [--batch 2000] [--pg URL | --no-pg] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 1000
SUBS = 5000
# Deck prefixes the outbound calls go to (both routes have them): US, Canada, UK, France, Germany, Mexico.
DESTINATIONS = ("1212555", "1514555", "1416555", "4420712", "3314455", "4930123", "5255123")


class Feed:
    """The carrier's side of the sync: the day's CDRs, oldest first (as `Carrier.cdrs_since` promises)."""

    def __init__(self, cdrs: list) -> None:
        self.cdrs = cdrs

    def cdrs_since(self, reseller_id: int, since: datetime) -> list:
        return [c for c in self.cdrs if c.start > since]

    def fetch_cdrs(self, reseller_id: int, since: datetime):
        from reseller_app.carrier.base import CdrFetch

        return CdrFetch(self.cdrs_since(reseller_id, since))


def _setup(n_cdrs: int, seed: int) -> tuple[int, list]:
    """The reseller, its clients, sub-accounts, DIDs and packages; returns (reseller id, the carrier's CDRs)."""
    from reseller_app.carrier import CarrierCdr
    from reseller_app.db import session_scope
    from reseller_app.models import Client, Did, Package, SubAccount, utcnow
    from reseller_app.services.access.auth import create_reseller

    rng = random.Random(seed)
    rid = create_reseller("bench@example.com", "bench-password-1")
    now = utcnow().replace(microsecond=0)
    day_start = now - timedelta(hours=24)
    with session_scope() as s:
        packages = [
            Package(reseller_id=rid, name="Value", markup_fixed=Decimal("0.0025"), markup_percent=Decimal("20")),
            Package(reseller_id=rid, name="Free 300", markup_percent=Decimal("30"), pulse=6, free_minutes=300),
            Package(reseller_id=rid, name="Premium", markup_percent=Decimal("50"), pulse=1, canada_route="premium",
                    international_route="premium"),
        ]  # fmt: skip
        s.add_all(packages)
        clients = []
        for i in range(CLIENTS):
            kind = i % 20
            c = Client(reseller_id=rid, email=f"c{i}@example.com", password_hash="x", firstname=f"C{i}")
            c.next_billing_date = (now + timedelta(days=1 + i % 28)).date()
            if kind < 3:  # HARD with a little credit: crosses zero during the run
                c.balance_management, c.balance = "HARD", Decimal("2")
            elif kind == 3:  # HARD, suspended for its balance since mid-way through the day
                c.balance_management, c.balance, c.status = "HARD", Decimal("-1"), "SUSPENDED"
                c.suspended_by, c.suspended_at = "balance", day_start + timedelta(hours=12)
            else:
                c.balance = Decimal(rng.randint(0, 200))
            if kind in (0, 5, 6):
                c.low_balance_threshold = Decimal("10") if kind else Decimal("1")
            clients.append(c)
        s.add_all(clients)
        s.flush()
        subs = [
            SubAccount(reseller_id=rid, client_id=clients[i % CLIENTS].id, package_id=packages[i % 3].id,
                       account=f"{100000 + i % CLIENTS}_{i // CLIENTS}", sip_password="pw")
            for i in range(SUBS)
        ]  # fmt: skip
        s.add_all(subs)
        s.flush()
        dids = [
            Did(reseller_id=rid, number=f"1514{7000000 + i}", client_id=clients[i].id, sub_account_id=subs[i].id,
                per_minute=Decimal("0.0100"))
            for i in range(CLIENTS)
        ]  # fmt: skip
        s.add_all(dids)
    # Ledger = balance from the start: the opening balances as postings.
    from reseller_app.models import LedgerEntry

    with session_scope() as s:
        for c in s.exec(sa.select(Client).where(Client.reseller_id == rid)).scalars():
            if c.balance != 0:
                kind = "payment" if c.balance > 0 else "charge"
                s.add(LedgerEntry(reseller_id=rid, client_id=c.id, reference=f"open:{c.id}", kind=kind,
                                  amount=c.balance, description="Opening balance"))  # fmt: skip

    step = timedelta(hours=24) / n_cdrs
    cdrs = []
    for i in range(n_cdrs):
        at = day_start + step * i
        sub = rng.randrange(SUBS)
        account = f"{100000 + sub % CLIENTS}_{sub // CLIENTS}"
        roll = rng.random()
        if roll < 0.001:
            account = "999999_unknown"
        answered = roll < 0.85
        disposition = "ANSWERED" if answered else rng.choice(("NO ANSWER", "BUSY", "FAILED"))
        secs = rng.randint(5, 900) if answered else 0
        if roll < 0.15:  # inbound on the client's DID
            did = f"1514{7000000 + sub % CLIENTS}"
            cdrs.append(CarrierCdr(uniqueid=f"u{i}", start=at, direction="in", account=account,
                                   callerid=f'"Caller" <1438555{i % 10000:04d}>', destination=did, duration=secs,
                                   disposition=disposition, did=did))  # fmt: skip
        else:
            dest = rng.choice(DESTINATIONS) + f"{i % 10000:04d}"
            cdrs.append(CarrierCdr(uniqueid=f"u{i}", start=at, direction="out", account=account,
                                   callerid='"Office" <15145550000>', destination=dest, duration=secs,
                                   disposition=disposition))  # fmt: skip
    return rid, cdrs


def _server_cpu(engine: sa.Engine) -> float:
    """CPU seconds used so far by the PostgreSQL server processes of this database (0 on SQLite: no server).

    The bench's connections stay open in the engine's pool, so their backends' counters cover the whole sync.
    """
    if engine.dialect.name != "postgresql":
        return 0.0
    with engine.connect() as conn:
        pids = conn.execute(sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).scalars()
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for pid in pids.all():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # another machine's server, or the process has gone
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _floor(engine: sa.Engine, batch: int) -> float:
    """Seconds to insert the stored calls again, bare, into `cdr_floor` (same shape), in batches of `batch`."""
    from sqlmodel import Session, SQLModel

    from reseller_app.models import Cdr
    from reseller_app.services.telephony import bulk
    from reseller_app.services.telephony.calls import CDR_COLUMNS

    floor = Cdr.__table__.to_metadata(SQLModel.metadata, name="cdr_floor")
    for thing in list(floor.indexes) + list(floor.constraints):
        if thing.name:
            thing.name = f"floor_{thing.name}"
    floor.create(engine)
    cols = ", ".join(f'"{c}"' for c in CDR_COLUMNS)
    last, seconds = 0, 0.0
    while True:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                f"SELECT id, {cols} FROM cdr WHERE id > {last} ORDER BY id LIMIT {batch}"
            ).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        values = [r[1:] for r in rows]
        start = time.perf_counter()
        with Session(engine) as session:
            bulk.write_raw(session, floor, CDR_COLUMNS, values)
            session.commit()
        seconds += time.perf_counter() - start
    SQLModel.metadata.remove(floor)
    return seconds


def _checks(rid: int, n: int) -> str:
    from sqlalchemy import func
    from sqlmodel import select

    from reseller_app.db import session_scope
    from reseller_app.models import Cdr, CdrDaily, Client, LedgerEntry
    from reseller_app.services.accounting import reconcile

    assert reconcile.find_mismatches() == [], "balance != ledger"
    with session_scope() as s:
        stored = s.exec(select(func.count()).select_from(Cdr)).one()
        assert stored == n, (stored, n)
        billed = s.exec(select(func.count()).where(Cdr.price > 0, Cdr.client_id.is_not(None))).one()
        posted = s.exec(select(func.count()).where(LedgerEntry.kind == "call")).one()
        assert billed == posted, (billed, posted)
        calls = s.exec(
            select(Cdr.direction, Cdr.disposition, func.count(), func.sum(Cdr.duration), func.sum(Cdr.billable_seconds),
                   func.sum(Cdr.cost), func.sum(Cdr.price))
            .group_by(Cdr.direction, Cdr.disposition)
        ).all()  # fmt: skip
        rolled = s.exec(
            select(CdrDaily.direction, CdrDaily.disposition, func.sum(CdrDaily.calls), func.sum(CdrDaily.duration),
                   func.sum(CdrDaily.billable_seconds), func.sum(CdrDaily.cost), func.sum(CdrDaily.price))
            .where(CdrDaily.reseller_id == rid)
            .group_by(CdrDaily.direction, CdrDaily.disposition)
        ).all()  # fmt: skip
        # Day by day too (the roll-up's own key).
        day = func.date(Cdr.start) if s.get_bind().dialect.name == "sqlite" else sa.cast(Cdr.start, sa.Date)
        per_day = {
            (str(d), k): v
            for d, k, v in s.exec(select(day, Cdr.disposition, func.count()).group_by(day, Cdr.disposition)).all()
        }
        rolled_day = {
            (str(d), k): v
            for d, k, v in s.exec(
                select(CdrDaily.day, CdrDaily.disposition, func.sum(CdrDaily.calls)).group_by(
                    CdrDaily.day, CdrDaily.disposition
                )
            ).all()
        }
        suspended = s.exec(select(func.count()).where(Cdr.reason == "suspended")).one()
        hard_out = s.exec(
            select(func.count()).where(Client.balance_management == "HARD", Client.status == "SUSPENDED")
        ).one()
        free = s.exec(select(func.count()).where(Cdr.reason == "free_minutes")).one()
    assert sorted(map(tuple, calls)) == sorted(map(tuple, rolled)), "roll-up != SUM over calls"
    assert per_day == rolled_day, "roll-up per day != calls per day"
    return (
        f"checks ok: {stored:,} calls, {posted:,} call postings, balance = ledger for every client, roll-up = SUM; "
        f"{free:,} on free minutes, {suspended:,} after a HARD suspension, {hard_out} HARD clients suspended"
    )


def _bench(label: str, url: str, n: int, batch: int, seed: int) -> None:
    from alembic.config import Config

    from alembic import command
    from reseller_app import db
    from reseller_app.services.jobs import scheduler

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "head")
    db.use_engine(db.make_engine(url))
    engine = db.engine()
    rid, cdrs = _setup(n, seed)
    feed = Feed(cdrs)
    scheduler.get_carrier = lambda reseller: feed  # the bench's carrier: the day's CDRs in memory
    from reseller_app.services.telephony.calls import INGEST_STEPS

    INGEST_STEPS.clear()
    server = _server_cpu(engine)
    start, cpu = time.perf_counter(), time.process_time()
    res = scheduler.sync_reseller(rid, batch_size=batch)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    server = _server_cpu(engine) - server
    steps = "; ".join(f"{name} {t:.1f} s" for name, t in INGEST_STEPS.items())
    assert res.stored == n, res
    again = scheduler.sync_reseller(rid, batch_size=batch)
    assert again.stored == 0 and again.duplicates == again.fetched > 0, again
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))
    floor = _floor(engine, batch)
    checks = _checks(rid, n)
    print(
        f"{label}: {n:,} CDRs in batches of {batch:,}: sync {seconds:.1f} s = {n / seconds:,.0f} calls/s "
        f"(CPU: this process {cpu:.1f} s"
        + (f", the server {server:.1f} s); " if server else "); ")
        + f"bare insert of the same rows {floor:.1f} s = {n / floor:,.0f} rows/s; ratio {seconds / floor:.2f}x; "
        f"re-sync of the overlap: {again.fetched:,} fetched, 0 stored\n  steps of the sync: {steps}\n  {checks}",
        flush=True,
    )
    engine.dispose()


def main() -> None:
    """Run the bench on SQLite (a temporary file) and on PostgreSQL (a scratch database it creates and drops)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cdrs", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=0, help="default: the scheduler's BATCH_SIZE")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="a server to create it on")
    ap.add_argument("--db-name", default="test_ingest_bench")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    logging.disable(logging.WARNING)  # the sandbox carrier does not know the bench's sub-accounts: block warnings
    from reseller_app.services.jobs.scheduler import BATCH_SIZE

    batch = args.batch or BATCH_SIZE
    if not args.no_pg:
        admin = sa.create_engine(
            args.pg.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {args.db_name}"))
            conn.execute(sa.text(f"CREATE DATABASE {args.db_name}"))
        try:
            _bench("PostgreSQL", args.pg.rsplit("/", 1)[0] + f"/{args.db_name}", args.cdrs, batch, args.seed)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {args.db_name} WITH (FORCE)"))
            admin.dispose()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            _bench("SQLite (WAL)", f"sqlite:///{tmp}/bench.db", args.cdrs, batch, args.seed)


if __name__ == "__main__":
    main()
