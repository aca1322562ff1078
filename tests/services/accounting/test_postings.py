"""Manual payments and charges, reversals, HARD suspension and the low-balance email."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, LedgerEntry, OutboundEmail, SubAccount
from reseller_app.services.accounting.postings import manual_posting, reverse
from reseller_app.services.common.errors import NotFound, ValidationFailed

D = Decimal


def _client(cid: int) -> Client:
    with session_scope() as s:
        return s.get(Client, cid)


def _ledger_sum(cid: int) -> Decimal:
    with session_scope() as s:
        return s.exec(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.client_id == cid)).one()


def test_payment_and_charge_move_the_balance_exactly(world):
    manual_posting(world["actor_a"], world["c"], "payment", "25.10", "Deposit")
    manual_posting(world["actor_a"], world["c"], "charge", "0.20", "Fee")
    assert _client(world["c"]).balance == D("24.90") == _ledger_sum(world["c"])


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "Enter a number such as 25.00."),
        ("", "Enter an amount, e.g. 25.00."),
        ("-5", "Enter an amount above 0."),
        ("0", "Enter an amount above 0."),
        ("1.234", "Use at most 2 decimal places."),
        ("1e3", "Enter a number such as 25.00."),
    ],
)
def test_bad_amounts_are_refused_in_plain_words_and_change_nothing(world, amount, message):
    with pytest.raises(ValidationFailed) as e:
        manual_posting(world["actor_a"], world["c"], "payment", amount, "Deposit")
    assert e.value.errors == {"amount": message}
    assert _client(world["c"]).balance == 0


def test_a_description_longer_than_the_ledger_keeps_is_refused_not_cut(world):
    with pytest.raises(ValidationFailed) as e:
        manual_posting(world["actor_a"], world["c"], "payment", "5", "x" * 600)
    assert e.value.errors == {"description": "Use at most 255 characters (this has 600)."}
    assert _client(world["c"]).balance == 0


def test_description_is_required(world):
    with pytest.raises(ValidationFailed) as e:
        manual_posting(world["actor_a"], world["c"], "payment", "5", "  ")
    assert "description" in e.value.errors


def test_posting_to_another_resellers_client_is_refused(world):
    with pytest.raises(NotFound):
        manual_posting(world["actor_a"], world["other"], "payment", "5", "x")
    assert _client(world["other"]).balance == 0


def test_client_actor_cannot_post(world):
    from reseller_app.services.access.actor import Actor

    with pytest.raises(Exception, match="Not allowed"):
        manual_posting(Actor("client", world["ra"], world["c"]), world["c"], "payment", "5", "x")


def test_same_reference_posts_once(world):
    a = manual_posting(world["actor_a"], world["c"], "payment", "5", "x", reference="abc")
    b = manual_posting(world["actor_a"], world["c"], "payment", "5", "x", reference="abc")
    assert a.id == b.id and _client(world["c"]).balance == D("5")


def test_reversal_appends_and_keeps_the_original(world):
    entry = manual_posting(world["actor_a"], world["c"], "charge", "7.50", "Setup")
    rev = reverse(world["actor_a"], world["c"], entry.id)
    assert rev.amount == D("7.50") and rev.reverses_id == entry.id
    assert _client(world["c"]).balance == 0 == _ledger_sum(world["c"])
    with pytest.raises(ValidationFailed, match="already"):
        reverse(world["actor_a"], world["c"], entry.id)
    with session_scope() as s:
        assert s.exec(select(func.count(LedgerEntry.id))).one() == 2


def test_reversing_another_resellers_entry_is_refused(world):
    entry = manual_posting(world["actor_b"], world["other"], "payment", "3", "x")
    with pytest.raises(NotFound):
        reverse(world["actor_a"], world["c"], entry.id)
    with pytest.raises(NotFound):
        reverse(world["actor_a"], world["other"], entry.id)
    for junk in ("x", "", None, -1):  # a hand-made id is answered like a missing one, not a crash
        with pytest.raises(NotFound, match="No such transaction."):
            reverse(world["actor_a"], world["c"], junk)


def test_hard_client_is_suspended_at_zero_and_restored_by_payment(world):
    with session_scope() as s:
        s.get(Client, world["c"]).balance_management = "HARD"
    manual_posting(world["actor_a"], world["c"], "payment", "5", "x")
    manual_posting(world["actor_a"], world["c"], "charge", "5", "x")
    c = _client(world["c"])
    assert (c.status, c.suspended_by, c.balance) == ("SUSPENDED", "balance", D("0"))
    with session_scope() as s:
        assert s.get(SubAccount, world["sub"]).blocked
    manual_posting(world["actor_a"], world["c"], "payment", "0.01", "x")
    assert _client(world["c"]).status == "ACTIVE"
    with session_scope() as s:
        assert not s.get(SubAccount, world["sub"]).blocked


def test_soft_client_goes_negative_and_stays_active(world):
    manual_posting(world["actor_a"], world["c"], "charge", "12", "x")
    c = _client(world["c"])
    assert (c.status, c.balance) == ("ACTIVE", D("-12"))


def test_low_balance_email_once_per_crossing_then_rearmed(world):
    with session_scope() as s:
        c = s.get(Client, world["c"])
        c.low_balance_threshold, c.low_balance_email = D("10"), "alerts@example.com"
    manual_posting(world["actor_a"], world["c"], "payment", "15", "x")
    manual_posting(world["actor_a"], world["c"], "charge", "6", "x")  # 9: below, send
    manual_posting(world["actor_a"], world["c"], "charge", "1", "x")  # 8: still below, no mail
    with session_scope() as s:
        mails = s.exec(select(OutboundEmail)).all()
        assert len(mails) == 1
        assert mails[0].to_addr == "alerts@example.com"
        assert "Cy Cole" in mails[0].body_text and "8" not in mails[0].body_text.split("balance is")[1][:3]
        assert "9.00" in mails[0].body_text and "10.00" in mails[0].body_text
    manual_posting(world["actor_a"], world["c"], "payment", "2", "x")  # 10: at threshold, re-armed
    manual_posting(world["actor_a"], world["c"], "charge", "0.01", "x")  # 9.99: send again
    with session_scope() as s:
        assert s.exec(select(func.count(OutboundEmail.id))).one() == 2
