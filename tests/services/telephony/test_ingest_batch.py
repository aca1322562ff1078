"""The bulk writes of the CDR ingest: every column of the tables written, values as the ORM would store them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Cdr, LedgerEntry
from reseller_app.services.telephony import bulk
from reseller_app.services.telephony.calls import CDR_COLUMNS, LEDGER_COLUMNS


def test_the_bulk_column_lists_are_every_column_but_the_id():
    for table, columns in ((Cdr.__table__, CDR_COLUMNS), (LedgerEntry.__table__, LEDGER_COLUMNS)):
        assert sorted(columns) == sorted(c.name for c in table.columns if c.name != "id")


def test_bulk_rows_read_back_as_the_orm_writes_them(world):
    at = datetime(2026, 11, 10, 12, 0, 0, 123456, tzinfo=UTC)
    values = dict.fromkeys(CDR_COLUMNS, "")
    values.update(
        reseller_id=world["ra"], client_id=world["c"], sub_account_id=world["sub"], did_id=None, uniqueid="bulk-1",
        start=at, direction="out", disposition="ANSWERED", duration=61, billable_seconds=66,
        cost_rate=Decimal("0.012345"), cost=Decimal("0.0124"), sell_rate=Decimal("0.017814"),
        price=Decimal("0.0196"), profit=Decimal("0.0072"), free_minutes_drawn=0, rated_at=at,
    )  # fmt: skip
    with session_scope() as s:
        bulk.insert_rows(s, Cdr.__table__, CDR_COLUMNS, [tuple(values[c] for c in CDR_COLUMNS)])
    with session_scope() as s:
        row = s.exec(select(Cdr).where(Cdr.uniqueid == "bulk-1")).one()
        # A range query on the start compares like any row the ORM wrote.
        hits = s.exec(select(Cdr.uniqueid).where(Cdr.start >= at, Cdr.start <= at)).all()
    assert (row.start, row.rated_at, row.price, row.cost_rate, row.profit) == (
        at, at, Decimal("0.0196"), Decimal("0.012345"), Decimal("0.0072"),
    )  # fmt: skip
    assert hits == ["bulk-1"]
