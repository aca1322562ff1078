"""The ledger's rules live in the database (alembic 0011): whatever the code does, rows are never changed or
removed, signs follow the kind, and a reversal is the exact opposite of the entry it reverses.

These run on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from reseller_app.models import Client, LedgerEntry, Reseller

D = Decimal


@pytest.fixture()
def books(engine):
    """A reseller with two clients; client `a` has a payment of 50 and a fee of -9.99."""
    with Session(engine, expire_on_commit=False) as s:
        r = Reseller(email="r@example.com", password_hash="x")
        s.add(r)
        s.flush()
        a = Client(reseller_id=r.id, email="a@example.com", password_hash="x", firstname="A")
        b = Client(reseller_id=r.id, email="b@example.com", password_hash="x", firstname="B")
        s.add_all([a, b])
        s.flush()
        pay = LedgerEntry(reseller_id=r.id, client_id=a.id, reference="p1", kind="payment", amount=D("50"))
        fee = LedgerEntry(reseller_id=r.id, client_id=a.id, reference="f1", kind="fee", amount=D("-9.99"))
        s.add_all([pay, fee])
        s.commit()
        return {"engine": engine, "r": r.id, "a": a.id, "b": b.id, "pay": pay.id, "fee": fee.id}


def _rows(engine) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT id, client_id, kind, amount, reverses_id FROM ledgerentry ORDER BY id")
        ).all()


def _refused(engine, sql: str, **params) -> None:
    before = _rows(engine)
    with pytest.raises(IntegrityError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text(sql), params)
    assert _rows(engine) == before


def test_sql_update_of_a_ledger_row_is_refused(books):
    e = books["engine"]
    _refused(e, "UPDATE ledgerentry SET amount = 1000000 WHERE id = :id", id=books["fee"])
    _refused(e, "UPDATE ledgerentry SET description = 'edited'")
    _refused(e, "UPDATE ledgerentry SET client_id = :b WHERE id = :id", b=books["b"], id=books["pay"])


def test_sql_delete_of_a_ledger_row_is_refused(books):
    e = books["engine"]
    _refused(e, "DELETE FROM ledgerentry WHERE id = :id", id=books["fee"])
    _refused(e, "DELETE FROM ledgerentry")


def test_orm_update_and_delete_are_refused(books):
    with Session(books["engine"]) as s:
        s.get(LedgerEntry, books["fee"]).amount = D("-0.01")
        with pytest.raises(IntegrityError, match="append-only"):
            s.commit()
    with Session(books["engine"]) as s:
        s.delete(s.get(LedgerEntry, books["pay"]))
        with pytest.raises(IntegrityError, match="append-only"):
            s.commit()
    with Session(books["engine"]) as s:
        assert s.get(LedgerEntry, books["fee"]).amount == D("-9.99")
        assert s.get(LedgerEntry, books["pay"]) is not None


def test_emptying_the_table_is_refused(books):
    e = books["engine"]
    # PostgreSQL's TRUNCATE fires no row trigger: a statement trigger refuses it. SQLite has no TRUNCATE; its
    # "DELETE FROM t" without WHERE (the truncate optimisation) is off on a table with triggers.
    _refused(e, "TRUNCATE ledgerentry CASCADE" if e.dialect.name == "postgresql" else "DELETE FROM ledgerentry")


def test_deleting_a_client_with_a_ledger_is_refused_by_its_foreign_key(books):
    with pytest.raises(IntegrityError), books["engine"].begin() as conn:
        conn.execute(sa.text("DELETE FROM client WHERE id = :id"), {"id": books["a"]})
    assert len(_rows(books["engine"])) == 2


def _insert(books, **values) -> None:
    row = {"reseller_id": books["r"], "client_id": books["a"], "description": "", "created_by": "test"} | values
    with Session(books["engine"]) as s:
        s.add(LedgerEntry(**row))
        s.commit()


def test_the_exact_opposite_reversal_is_accepted_once(books):
    _insert(books, reference="rev-f1", kind="reversal", amount=D("9.99"), reverses_id=books["fee"])
    assert [r[2] for r in _rows(books["engine"])] == ["payment", "fee", "reversal"]
    with pytest.raises(IntegrityError):  # the unique index: an entry is reversed once
        _insert(books, reference="rev-f1-again", kind="reversal", amount=D("9.99"), reverses_id=books["fee"])


@pytest.mark.parametrize(
    ("amount", "target", "client"),
    [
        (D("9.98"), "fee", "a"),  # not the exact opposite
        (D("-9.99"), "fee", "a"),  # the same amount again
        (D("9.9901"), "fee", "a"),
        (D("-50.000001"), "pay", "a"),
        (D("9.99"), "fee", "b"),  # another client's entry
    ],
)
def test_a_wrong_reversal_is_refused(books, amount, target, client):
    before = _rows(books["engine"])
    with pytest.raises(IntegrityError, match="exact opposite"):
        _insert(books, client_id=books[client], reference="rev", kind="reversal", amount=amount,
                reverses_id=books[target])  # fmt: skip
    assert _rows(books["engine"]) == before


def test_a_reversal_of_a_reversal_is_refused(books):
    _insert(books, reference="rev-f1", kind="reversal", amount=D("9.99"), reverses_id=books["fee"])
    with Session(books["engine"]) as s:
        rev = s.exec(select(LedgerEntry).where(LedgerEntry.reference == "rev-f1")).one()
    with pytest.raises(IntegrityError, match="exact opposite"):
        _insert(books, reference="rev-rev", kind="reversal", amount=D("-9.99"), reverses_id=rev.id)


@pytest.mark.parametrize(
    ("kind", "amount"),
    [("payment", D("-1")), ("charge", D("1")), ("call", D("0.0138")), ("fax", D("0.03")), ("fee", D("9.99"))],
)
def test_signs_follow_the_kind(books, kind, amount):
    with pytest.raises(IntegrityError, match="must be positive"):
        _insert(books, reference="s", kind=kind, amount=amount)
    _insert(books, reference="s", kind=kind, amount=-amount)  # the right sign is accepted


@pytest.mark.parametrize(
    ("kind", "amount", "reverses", "message"),
    [("call", D("0.0138"), None, "must be positive"), ("reversal", D("9.98"), "fee", "exact opposite")],
)
def test_one_wrong_row_in_a_bulk_insert_refuses_the_whole_statement(books, kind, amount, reverses, message):
    """The CDR ingest writes its postings in one statement (COPY on PostgreSQL, where the rules are checked once per
    statement, alembic 0020): a wrong row anywhere in it refuses all of it."""
    from reseller_app.services.telephony import bulk
    from reseller_app.services.telephony.calls import LEDGER_COLUMNS

    def row(n: int, kind: str = "call", amount: D = D("-0.0138"), reverses_id: int | None = None) -> tuple:
        return (books["r"], books["a"], f"bulk-{n}", kind, amount, "", reverses_id, "test", datetime.now(UTC))

    rows = [row(n) for n in range(500)]
    rows[250] = row(250, kind, amount, books[reverses] if reverses else None)
    before = _rows(books["engine"])
    # COPY reports the driver's own IntegrityError (SQLAlchemy's wraps the executemany).
    refused = (IntegrityError, books["engine"].dialect.dbapi.IntegrityError)
    with Session(books["engine"]) as s, pytest.raises(refused, match=message):
        bulk.insert_rows(s, LedgerEntry.__table__, LEDGER_COLUMNS, rows)
        s.commit()
    assert _rows(books["engine"]) == before
    with Session(books["engine"]) as s:  # the same rows, all right, go in
        rows[250] = row(250)
        bulk.insert_rows(s, LedgerEntry.__table__, LEDGER_COLUMNS, rows)
        s.commit()
    assert len(_rows(books["engine"])) == len(before) + 500


def test_the_test_reset_leaves_the_rules_in_place(books):
    """The test suite's own way around the triggers (emptying every table) puts them back at once."""
    from tests.conftest import empty_every_table

    e = books["engine"]
    empty_every_table(e)
    assert _rows(e) == []
    with Session(e, expire_on_commit=False) as s:
        r = Reseller(email="r2@example.com", password_hash="x")
        s.add(r)
        s.flush()
        c = Client(reseller_id=r.id, email="c@example.com", password_hash="x", firstname="C")
        s.add(c)
        s.flush()
        s.add(LedgerEntry(reseller_id=r.id, client_id=c.id, reference="x", kind="payment", amount=D("1")))
        s.commit()
    _refused(e, "DELETE FROM ledgerentry")
    _refused(e, "UPDATE ledgerentry SET amount = 2000000")


def test_the_application_has_no_way_around_the_triggers():
    """Nothing in the application disables, drops or truncates past the ledger's triggers."""
    root = Path(__file__).resolve().parents[2] / "reseller_app"
    sql = re.compile(
        r"(DISABLE|DROP)\s+TRIGGER|TRUNCATE\s+(TABLE\s+)?\w|session_replication_role|recursive_triggers", re.I
    )
    found = [f"{p.relative_to(root)}: {m.group(0)}" for p in root.rglob("*.py") for m in sql.finditer(p.read_text())]
    assert found == []
    assert sql.search("ALTER TABLE ledgerentry DISABLE TRIGGER USER")  # the pattern does see the test reset's way
