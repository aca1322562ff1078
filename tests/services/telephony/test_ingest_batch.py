"""The bulk writes of the CDR ingest: every column of the tables written, values as the ORM would store them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import func, select

from reseller_app.carrier import CarrierCdr
from reseller_app.db import engine, session_scope
from reseller_app.models import Cdr, Client, LedgerEntry, OutboundEmail, utcnow
from reseller_app.services.accounting.postings import manual_posting
from reseller_app.services.telephony import bulk
from reseller_app.services.telephony.calls import CDR_COLUMNS, LEDGER_COLUMNS, checkpoints_apart, ingest_cdrs


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


def _soft_batch(world, threshold: Decimal | None) -> tuple[Client, list[Decimal], int]:
    """A SOFT client starting at 0.05, driven below zero by one batch of three calls; (client, its postings, mails)."""
    manual_posting(world["actor_a"], world["c"], "payment", "0.05", "Top-up")
    with session_scope() as s:
        s.get(Client, world["c"]).low_balance_threshold = threshold
    at = utcnow() - timedelta(hours=1)
    cdrs = [
        CarrierCdr(uniqueid=f"soft-{i}", start=at + timedelta(minutes=i), direction="out", account="100001_front",
                   callerid='"Front" <15145550000>', destination="442071234567", duration=600, disposition="ANSWERED")
        for i in range(3)
    ]  # fmt: skip
    res = ingest_cdrs(world["ra"], cdrs)
    assert res.stored == 3 and res.suspended == 0 and res.billed > Decimal("0.05")
    with session_scope() as s:
        client = s.get(Client, world["c"])
        s.expunge(client)
        amounts = list(s.exec(select(LedgerEntry.amount).where(LedgerEntry.client_id == world["c"])).all())
        mails = s.exec(select(func.count(OutboundEmail.id))).one()
    return client, amounts, mails


def test_a_soft_client_without_threshold_goes_below_zero_with_its_balance_moved(world):
    # No threshold and no automatic top-up: the walk skips the balance rules for this client (nothing can follow a
    # posting); the balance still moves by every posting and the client stays active.
    client, amounts, mails = _soft_batch(world, None)
    assert len(amounts) == 4 and client.balance == sum(amounts) < 0
    assert client.status == "ACTIVE" and client.suspended_at is None and mails == 0


def test_a_soft_client_with_a_threshold_gets_its_low_balance_mail_from_the_batch(world):
    client, amounts, mails = _soft_batch(world, Decimal("10"))
    assert len(amounts) == 4 and client.balance == sum(amounts) < 0
    assert client.status == "ACTIVE" and mails == 1 and not client.low_balance_armed


def test_batches_with_checkpoints_apart_store_and_give_their_connection_back_as_it_was(world):
    # The sync's batches on SQLite commit without the WAL checkpoint (the sync runs it in a thread): the setting is
    # the batch's own connection's and goes back to SQLite's default before the connection returns to the pool, after
    # a batch that failed as after one that committed. On PostgreSQL the block changes nothing.
    cdr = CarrierCdr(uniqueid="apart-1", start=utcnow() - timedelta(hours=1), direction="out",
                     account="100001_front", callerid='"Front" <15145550000>', destination="442071234567",
                     duration=60, disposition="ANSWERED")  # fmt: skip
    with checkpoints_apart():
        assert ingest_cdrs(world["ra"], [cdr]).stored == 1
        with pytest.raises(ValueError, match="no reseller"):
            ingest_cdrs(-1, [replace(cdr, uniqueid="apart-2")])
    with session_scope() as s:
        assert s.exec(select(Cdr.uniqueid)).all() == ["apart-1"]
    bind = engine()
    if bind.dialect.name == "sqlite":
        held = [bind.raw_connection() for _ in range(3)]  # every connection the pool holds idle, and more
        try:
            for conn in held:
                assert conn.driver_connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
        finally:
            for conn in held:
                conn.close()
