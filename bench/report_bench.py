"""Reports at scale: 1,000,000 rated calls of 1,000 clients over 12 months, on SQLite and on PostgreSQL.

Usage:  python bench/report_bench.py [--calls 1000000] [--pg postgresql://postgres@127.0.0.1:5432/test] [--no-pg]

For each report it prints the server time (median of several runs) of its first page with its totals, and
the ratio to a bare `SELECT COUNT(*)` over the same period measured in the same run. The data is bulk-loaded
(executemany on SQLite, COPY on PostgreSQL) into a throw-away SQLite file and a `reports_bench` database
that is created and dropped here, so the test database is left alone.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("APP_ENV", "dev")

import sqlalchemy as sa  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import reseller_app.models  # noqa: E402  (registers the tables)
from reseller_app import db  # noqa: E402
from reseller_app.services.access.actor import Actor  # noqa: E402
from reseller_app.services.reporting import cdr, filters, financial, inventory, rollup  # noqa: E402
from reseller_app.services.reporting import export as reports_export  # noqa: E402

CLIENTS = 1000
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 365
RUNS = 7
DISPOSITIONS = ["ANSWERED"] * 80 + ["NO ANSWER"] * 12 + ["BUSY"] * 5 + ["FAILED"] * 3


def _micro(x: float) -> int:
    return int(round(x * 1e6 / 100)) * 100  # 4 decimal places, as rated amounts carry


def rows(calls: int) -> dict[str, Iterator[tuple]]:
    """The generated rows per table, as tuples in the column order of `COLUMNS`."""
    rng = random.Random(8)
    naive0 = YEAR_START.replace(tzinfo=None)

    def cdrs() -> Iterator[tuple]:
        for i in range(1, calls + 1):
            cid = rng.randint(1, CLIENTS)
            start = naive0 + timedelta(seconds=rng.randrange(DAYS * 86400))
            disp = rng.choice(DISPOSITIONS)
            dur = rng.randint(5, 900) if disp == "ANSWERED" else 0
            billable = -(-dur // 6) * 6
            cost_rate = rng.choice((0.0045, 0.009, 0.0132, 0.02))
            cost = _micro(cost_rate * billable / 60)
            price = _micro((cost_rate + 0.0025) * 1.2 * billable / 60)
            out = rng.random() < 0.7
            yield (
                i, 1, cid, cid, f"u{i}", start, "out" if out else "in", f"100001_c{cid}", "<15145550000>",
                "15145550143", "", disp, dur, "CA", "premium", billable, _micro(cost_rate), cost,
                _micro((cost_rate + 0.0025) * 1.2), price, price - cost, "", 0, start,
            )  # fmt: skip

    def ledger() -> Iterator[tuple]:
        n = 0
        # One posting per priced call, as rating does; the financial report must not read these.
        rng2 = random.Random(8)
        for i in range(1, calls + 1):
            cid = rng2.randint(1, CLIENTS)
            n += 1
            start = naive0 + timedelta(seconds=(i * 7919) % (DAYS * 86400))
            yield (n, 1, cid, f"cdr:{i}", "call", -_micro(0.05 + (i % 7) / 100), "", None, "rating", start)
        for cid in range(1, CLIENTS + 1):
            for m in range(12):
                day = naive0.replace(month=m + 1, day=5)
                n += 1
                yield (n, 1, cid, f"fee:{cid}:{m}", "fee", -9_990_000, "Monthly", None, "billing", day)
                n += 1
                yield (n, 1, cid, f"pay:{cid}:{m}", "payment", 25_000_000, "Deposit", None, "reseller", day)

    def faxes() -> Iterator[tuple]:
        for i in range(1, 20_001):
            cid = rng.randint(1, CLIENTS)
            start = naive0 + timedelta(seconds=rng.randrange(DAYS * 86400))
            yield (i, 1, cid, None, f"f{i}", start, "out", "15145550000", 2, 60, "success", 20_000, 50_000, 30_000)

    return {"cdr": cdrs(), "ledgerentry": ledger(), "faxrecord": faxes()}


COLUMNS = {
    "cdr": (
        "id reseller_id client_id sub_account_id uniqueid start direction account callerid destination description "
        "disposition duration country route billable_seconds cost_rate cost sell_rate price profit reason "
        "free_minutes_drawn rated_at"
    ).split(),
    "ledgerentry": (
        "id reseller_id client_id reference kind amount description reverses_id created_by created_at"
    ).split(),
    "faxrecord": (
        "id reseller_id client_id did_id uniqueid start direction remote_number pages duration status cost price profit"
    ).split(),
}


def _base_rows(conn: sa.Connection) -> None:
    # Core inserts (column defaults apply); a few thousand rows, so executemany is plenty.
    m = reseller_app.models
    conn.execute(m.Reseller.__table__.insert(), [{"id": 1, "email": "bench@example.com", "password_hash": "x"}])
    conn.execute(
        m.Package.__table__.insert(),
        [{"id": 1, "reseller_id": 1, "name": "Std", "markup_fixed": Decimal("0.0025"), "markup_percent": Decimal(20),
          "pulse": 6, "monthly_fee": Decimal("9.99")}],
    )  # fmt: skip
    conn.execute(
        m.Client.__table__.insert(),
        [{"id": i, "reseller_id": 1, "email": f"c{i}@example.com", "password_hash": "x", "firstname": "Client",
          "lastname": str(i)} for i in range(1, CLIENTS + 1)],
    )  # fmt: skip
    conn.execute(
        m.SubAccount.__table__.insert(),
        [{"id": i, "reseller_id": 1, "client_id": i, "package_id": 1, "account": f"100001_c{i}", "sip_password": "pw"}
         for i in range(1, CLIENTS + 1)],
    )  # fmt: skip
    conn.execute(
        m.Did.__table__.insert(),
        [{"id": i, "reseller_id": 1, "number": f"1514{5000000 + i}", "rate_center": "Montreal", "region": "QC",
          "client_id": i, "sub_account_id": i, "monthly_fee": Decimal("3.5"), "per_minute": Decimal("0.01")}
         for i in range(1, CLIENTS + 1)],
    )  # fmt: skip


def load(engine: sa.Engine, calls: int) -> float:
    """Create the tables and bulk-load the data set; returns the seconds it took."""
    t0 = time.perf_counter()
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        _base_rows(conn)
    data = rows(calls)
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for table, it in data.items():
                with cur.copy(f"COPY {table} ({', '.join(COLUMNS[table])}) FROM STDIN") as cp:
                    for row in it:
                        cp.write_row(row)
            raw.commit()
        finally:
            raw.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    else:
        # Store datetimes as SQLAlchemy writes them on SQLite (with microseconds), so text comparisons agree.
        sqlite3.register_adapter(datetime, lambda d: d.strftime("%Y-%m-%d %H:%M:%S.%f"))
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("BEGIN")
            for table, it in data.items():
                cols = COLUMNS[table]
                sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
                batch: list[tuple] = []
                for row in it:
                    batch.append(row)
                    if len(batch) == 50_000:
                        cur.executemany(sql, batch)
                        batch.clear()
                cur.executemany(sql, batch)
            cur.execute("COMMIT")
            cur.execute("ANALYZE")
        finally:
            raw.close()
    db.use_engine(engine)
    rollup.rebuild_rollup(1)  # what rating keeps incrementally, built once here in one INSERT … SELECT
    return time.perf_counter() - t0


def _median_ms(fn: Callable[[], object]) -> float:
    fn()  # warm the caches once, as a running server would be
    samples = []
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def measure(engine: sa.Engine) -> list[tuple[str, float, float]]:
    """(report, median ms, ratio to COUNT(*) over the same period) for every report."""
    db.use_engine(engine)
    actor = Actor("reseller", 1)
    year = filters.Filters(date(2025, 1, 1), date(2025, 12, 31))
    start, end = year.start.replace(tzinfo=None), year.end.replace(tzinfo=None)

    def count_all() -> int:
        with engine.connect() as conn:
            return conn.execute(
                sa.text("SELECT COUNT(*) FROM cdr WHERE reseller_id = 1 AND start >= :s AND start < :e"),
                {"s": start, "e": end},
            ).scalar_one()

    base = _median_ms(count_all)
    cases: list[tuple[str, Callable[[], object]]] = [
        ("Global CDR, 12 months, first page + totals", lambda: cdr.cdr_report(actor, year)),
        (
            "Global CDR, 12 months, outgoing ANSWERED",
            lambda: cdr.cdr_report(
                actor, filters.Filters(year.date_from, year.date_to, direction="out", disposition="ANSWERED")
            ),
        ),
        (
            "Per-user CDR (one client), 12 months",
            lambda: cdr.cdr_report(actor, filters.Filters(year.date_from, year.date_to, client_id=500)),
        ),
        (
            "Per-user CDR (one sub-account), 12 months",
            lambda: cdr.cdr_report(actor, filters.Filters(year.date_from, year.date_to, sub_account_id=42)),
        ),
        (
            "Per-user FAX (one client), 12 months",
            lambda: cdr.fax_report(actor, filters.Filters(year.date_from, year.date_to, client_id=500)),
        ),
        ("Financial report, 12 months", lambda: financial.financial_report(actor, year.date_from, year.date_to)),
        ("Sub-accounts report, first page", lambda: inventory.subaccount_report(actor)),
        ("DIDs report, first page", lambda: inventory.did_report(actor)),
        ("(not a target) Global CDR sorted by price", lambda: cdr.cdr_report(actor, year, sort="price")),
    ]
    out = [("bare SELECT COUNT(*) over the 12 months", base, 1.0)]
    for name, fn in cases:
        ms = _median_ms(fn)
        out.append((name, ms, ms / base if base else float("nan")))
    return out


def measure_export(engine: sa.Engine) -> str:
    """Stream the whole year's CSV (every call) and report rows, time, size and the growth of peak memory."""
    db.use_engine(engine)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    export = reports_export.export_report(
        Actor("reseller", 1), "cdr", {"date_from": "2025-01-01", "date_to": "2025-12-31"}
    )
    size = lines = 0
    for piece in export.lines:
        size += len(piece)
        lines += piece.count("\n")
    secs = time.perf_counter() - t
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    return (
        f"CSV export of the year: {lines - 1:,} rows ({export.rows:,} announced), {size / 1e6:.0f} MB in {secs:.1f} s, "
        f"peak memory grew {grown:.0f} MB"
    )


def _print(title: str, load_s: float, results: list[tuple[str, float, float]]) -> None:
    print(f"\n{title} (load {load_s:.0f} s)")
    print(f"| {'report':<48} | {'median ms':>9} | {'x COUNT(*)':>10} |")
    print(f"|{'-' * 50}|{'-' * 11}|{'-' * 12}|")
    for name, ms, ratio in results:
        print(f"| {name:<48} | {ms:>9.1f} | {ratio:>10.2f} |")
    sys.stdout.flush()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=1_000_000)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test", help="a server to create the db on")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    print(f"{args.calls:,} rated calls, {CLIENTS:,} clients, 12 months; medians of {RUNS} runs")

    if not args.no_sqlite:
        tmp = Path(tempfile.mkdtemp(prefix="report-bench-")) / "bench.db"
        engine = db.make_engine(f"sqlite:///{tmp}")
        secs = load(engine, args.calls)
        _print("SQLite", secs, measure(engine))
        print(measure_export(engine))
        engine.dispose()
        tmp.unlink()

    if not args.no_pg:
        admin = db.make_engine(args.pg)
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS reports_bench"))
            conn.execute(sa.text("CREATE DATABASE reports_bench"))
        url = args.pg.rsplit("/", 1)[0] + "/reports_bench"
        engine = db.make_engine(url)
        try:
            secs = load(engine, args.calls)
            _print("PostgreSQL", secs, measure(engine))
            print(measure_export(engine))
        finally:
            engine.dispose()
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("DROP DATABASE IF EXISTS reports_bench"))
            admin.dispose()


if __name__ == "__main__":
    main()
