"""The one status-change function (postings.set_status / status_for): balance rules, mode switches, activation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, SubAccount
from reseller_app.services.accounting.postings import Effects, set_status, status_for
from reseller_app.services.clients import accounts


def _client(**over) -> Client:
    values = {"reseller_id": 1, "email": "x@example.com", "password_hash": "x", "firstname": "X"}
    values.update(over)
    return Client(**values)


@pytest.mark.parametrize(
    ("mode", "status", "by", "balance", "expected"),
    [
        ("HARD", "ACTIVE", None, "0", "SUSPENDED"),
        ("HARD", "ACTIVE", None, "0.01", "ACTIVE"),
        ("HARD", "SUSPENDED", "balance", "0.01", "ACTIVE"),
        ("HARD", "SUSPENDED", "manual", "50", "SUSPENDED"),
        ("HARD", "WAIT", None, "-5", "WAIT"),
        ("SOFT", "ACTIVE", None, "-100", "ACTIVE"),
        ("SOFT", "SUSPENDED", "balance", "-100", "ACTIVE"),  # switched to SOFT: a balance suspension ends
        ("SOFT", "SUSPENDED", "manual", "10", "SUSPENDED"),
    ],
)
def test_status_for(mode, status, by, balance, expected):
    client = _client(balance_management=mode, status=status, suspended_by=by, balance=Decimal(balance))
    assert status_for(client) == expected


def test_set_status_marks_the_time_and_blocks_with_the_sub_accounts_then_lifts_both(world):
    with session_scope() as s:
        c = s.get(Client, world["c"])
        fx = Effects()
        set_status(s, c, "SUSPENDED", fx)
        assert (c.suspended_by, c.suspended_at is not None) == ("balance", True)
        assert [sub.blocked for sub in s.exec(select(SubAccount)).all()] == [True]
        assert fx.block == [(world["ra"], "100001_front")] and fx.unblock == []
        fx = Effects()
        set_status(s, c, "ACTIVE", fx)
        assert (c.suspended_by, c.suspended_at) == (None, None)
        assert [sub.blocked for sub in s.exec(select(SubAccount)).all()] == [False]
        assert fx.unblock == [(world["ra"], "100001_front")]
        fx = Effects()
        set_status(s, c, "ACTIVE", fx)  # no change: nothing to tell the carrier
        assert fx.block == fx.unblock == []


def test_activation_leaves_the_sub_accounts_alone(world):
    with session_scope() as s:
        c = s.get(Client, world["c"])
        c.status = "WAIT"
        s.exec(select(SubAccount)).one().blocked = True  # blocked by hand
    accounts.activate_client(world["actor_a"], world["c"])
    with session_scope() as s:
        assert s.get(Client, world["c"]).status == "ACTIVE"
        assert s.exec(select(SubAccount)).one().blocked is True
