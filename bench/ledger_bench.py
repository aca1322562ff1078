"""Ledger bench: what the ledger's triggers cost a posting, and how long reconciliation takes on a big ledger.

On a temporary SQLite file and on a scratch PostgreSQL database it creates and drops (both migrated to head, so the
triggers are there), it loads ROWS ledger entries over 1,000 clients, times `reconcile.find_mismatches()` (3 runs),
then times single postings (`services/accounting/ledger.post`, one transaction each) with the triggers and again
after dropping them on that scratch database.

    python bench/ledger_bench.py [--rows 1000000] [--posts 2000] [--pg URL | --no-pg] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 1000
BATCH = 20_000


def _load(engine: sa.Engine, rows: int) -> float:
    import reseller_app.models as m

    with engine.begin() as conn:
        conn.execute(m.Reseller.__table__.insert(), [{"id": 1, "email": "bench@example.com", "password_hash": "x"}])
        conn.execute(
            m.Client.__table__.insert(),
            [{"id": i, "reseller_id": 1, "email": f"c{i}@example.com", "password_hash": "x", "firstname": "C"}
             for i in range(1, CLIENTS + 2)],
        )  # fmt: skip
    start = time.perf_counter()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    for first in range(1, rows + 1, BATCH):
        batch = [
            {"id": n, "reseller_id": 1, "client_id": n % CLIENTS + 1, "reference": f"r{n}", "kind": "call",
             "amount": Decimal(-(n % 97 + 1)).scaleb(-4), "created_at": at}
            for n in range(first, min(first + BATCH, rows + 1))
        ]  # fmt: skip
        with engine.begin() as conn:
            conn.execute(m.LedgerEntry.__table__.insert(), batch)
    seconds = time.perf_counter() - start
    with engine.begin() as conn:
        # The cached balances as the services would have left them.
        conn.execute(
            sa.text(
                "UPDATE client SET balance = "
                "(SELECT COALESCE(SUM(amount), 0) FROM ledgerentry l WHERE l.client_id = client.id)"
            )
        )
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval('ledgerentry_id_seq', (SELECT max(id) FROM ledgerentry))"))
        conn.execute(sa.text("ANALYZE"))
    return seconds


def _posting_ms(posts: int) -> float:
    from reseller_app.db import session_scope
    from reseller_app.services.accounting import ledger

    times = []
    for i in range(posts):
        start = time.perf_counter()
        with session_scope() as session:
            ledger.post(
                session, reseller_id=1, client_id=CLIENTS + 1, kind="payment", amount=Decimal("1"), description="p",
                reference=f"bench:{time.time_ns()}:{i}",
            )  # fmt: skip
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _drop_triggers(engine: sa.Engine) -> None:
    """Only on the bench's own scratch database, to compare: the application never does this."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE ledgerentry DISABLE TRIGGER USER"))
        else:
            for name in conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars():
                conn.execute(sa.text(f'DROP TRIGGER "{name}"'))


def _bench(label: str, url: str, rows: int, posts: int) -> None:
    from alembic.config import Config

    from alembic import command
    from reseller_app import db
    from reseller_app.services.accounting import reconcile

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "head")
    db.use_engine(db.make_engine(url))
    engine = db.engine()
    load = _load(engine, rows)
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        found = reconcile.find_mismatches()
        runs.append(time.perf_counter() - start)
        assert found == [], found
    with_triggers = _posting_ms(posts)
    _drop_triggers(engine)
    without = _posting_ms(posts)
    print(
        f"{label}: {rows:,} ledger rows of {CLIENTS:,} clients (loaded in {load:.1f} s); reconcile "
        f"{', '.join(f'{r:.2f}' for r in runs)} s; one posting, median of {posts:,}: {with_triggers:.3f} ms with the "
        f"triggers, {without:.3f} ms without"
    )
    engine.dispose()


def main() -> None:
    """Run the bench on SQLite (a temporary file) and on PostgreSQL (a scratch database it creates and drops)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="a server to create it on")
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            _bench("SQLite (WAL)", f"sqlite:///{tmp}/bench.db", args.rows, args.posts)
    if not args.no_pg:
        admin_url = args.pg.replace("postgresql://", "postgresql+psycopg://")
        admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS ledger_bench"))
            conn.execute(sa.text("CREATE DATABASE ledger_bench"))
        try:
            _bench("PostgreSQL", args.pg.rsplit("/", 1)[0] + "/ledger_bench", args.rows, args.posts)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text("DROP DATABASE IF EXISTS ledger_bench WITH (FORCE)"))
            admin.dispose()


if __name__ == "__main__":
    main()
