"""Queueing mail in the caller's transaction."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from reseller_app.models import OutboundEmail, Reseller
from reseller_app.notify import enqueue


def _count(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(OutboundEmail)).one()


def test_enqueue_adds_a_pending_row_without_committing(engine, session):
    row = enqueue(session, to="Client@Example.com", subject="Low balance", body="Top up")
    assert row is not None and row.status == "pending" and row.attempts == 0
    assert row.to_addr == "Client@example.com"  # domain normalized by email-validator
    assert _count(engine) == 0  # the caller decides when to commit
    session.commit()
    assert _count(engine) == 1


def test_rolled_back_business_transaction_sends_nothing(engine, session):
    enqueue(session, to="a@example.com", subject="s", body="b")
    session.rollback()
    assert _count(engine) == 0


def test_enqueue_with_reseller(engine, session):
    reseller = Reseller(email="r@example.com", password_hash="x")
    session.add(reseller)
    session.flush()
    row = enqueue(session, to="a@example.com", subject="s", body="b", reseller_id=reseller.id)
    session.commit()
    assert row.reseller_id == reseller.id


def test_dedupe_key_prevents_double_enqueue(engine, session):
    first = enqueue(session, to="a@example.com", subject="s", body="b", dedupe_key="lowbal:7:1")
    assert first is not None
    # Same transaction, not yet flushed.
    assert enqueue(session, to="a@example.com", subject="s", body="b", dedupe_key="lowbal:7:1") is None
    session.commit()
    with Session(engine) as other:
        assert enqueue(other, to="a@example.com", subject="s", body="b", dedupe_key="lowbal:7:1") is None
        assert enqueue(other, to="a@example.com", subject="s", body="b", dedupe_key="lowbal:7:2") is not None
        other.commit()
    assert _count(engine) == 2


def test_dedupe_race_loses_quietly_and_keeps_the_callers_transaction(engine, session, monkeypatch):
    enqueue(session, to="a@example.com", subject="s", body="b", dedupe_key="k")
    session.commit()
    # Pretend the pre-check missed the row (another transaction committed it just after): the unique
    # constraint must still refuse it without spoiling the rest of the caller's work.
    from reseller_app.notify import outbox

    real_select = outbox.select
    calls = {"n": 0}

    def blind_first_check(*args):
        calls["n"] += 1
        stmt = real_select(*args)
        return stmt.where(OutboundEmail.id < 0) if calls["n"] == 1 else stmt

    monkeypatch.setattr(outbox, "select", blind_first_check)
    other_row = enqueue(session, to="c@example.com", subject="s", body="b")
    assert enqueue(session, to="a@example.com", subject="s", body="b", dedupe_key="k") is None
    session.commit()
    assert other_row.id is not None
    assert _count(engine) == 2


@pytest.mark.parametrize(
    "kw",
    [
        {"to": "a@example.com", "subject": "Hi\r\nBcc: victim@example.com"},
        {"to": "a@example.com", "subject": "Hi\nthere"},
        {"to": "a@example.com\r\nBcc: victim@example.com", "subject": "Hi"},
        {"to": "a@example.com\n", "subject": "Hi"},
    ],
)
def test_header_injection_refused(engine, session, kw):
    with pytest.raises(ValueError):
        enqueue(session, body="b", **kw)
    session.commit()
    assert _count(engine) == 0


@pytest.mark.parametrize("to", ["", "not-an-address", "a@", "a b@example.com", "a@example..com"])
def test_invalid_address_refused(session, to):
    with pytest.raises(ValueError):
        enqueue(session, to=to, subject="s", body="b")


def test_overlong_subject_refused(session):
    with pytest.raises(ValueError):
        enqueue(session, to="a@example.com", subject="x" * 256, body="b")
