"""Property test of the ledger production runs (`services/accounting/ledger.post` on the real database).

Whatever the sequence of payments, charges, calls, faxes, fees and reversals, each posted in its own transaction:
the cached balance always equals the sum of the client's ledger and the expected figure; a reversal of the wrong
amount, or of an entry already reversed, is refused by the database and changes nothing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, LedgerEntry, Reseller
from reseller_app.services.accounting import ledger

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("payment"), st.integers(1, 10**8)),
        st.tuples(st.sampled_from(["charge", "call", "fax", "fee"]), st.integers(-(10**8), -1)),
        st.tuples(st.just("reverse"), st.integers(0, 10**6)),
        st.tuples(st.just("wrong_reversal"), st.integers(0, 10**6)),
        st.tuples(st.just("reverse_again"), st.integers(0, 10**6)),
    ),
    max_size=30,
)
_clients = itertools.count()


@dataclass
class Posted:
    id: int
    amount: D
    reversed: bool = False


@pytest.fixture()
def reseller(engine):
    with session_scope() as s:
        r = Reseller(email="prop@example.com", password_hash="x")
        s.add(r)
        s.flush()
        return r.id


def _state(client_id: int) -> tuple[D, D]:
    with session_scope() as s:
        balance = s.get(Client, client_id).balance
        total = s.exec(select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(LedgerEntry.client_id == client_id))
        return balance, D(total.one())


def _post(rid: int, cid: int, ref: str, kind: str, amount: D, reverses_id: int | None = None) -> tuple[int, D]:
    with session_scope() as s:
        entry, new_balance = ledger.post(
            s, reseller_id=rid, client_id=cid, kind=kind, amount=amount, description=kind, reference=ref,
            reverses_id=reverses_id,
        )  # fmt: skip
        return entry.id, new_balance


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPS)
def test_the_balance_is_always_the_sum_of_the_ledger(reseller, operations):
    with session_scope() as s:
        client = Client(reseller_id=reseller, email=f"p{next(_clients)}@example.com", password_hash="x", firstname="P")
        s.add(client)
        s.flush()
        cid = client.id
    expected = D(0)
    posted: list[Posted] = []
    for i, (op, value) in enumerate(operations):
        ref = f"prop:{cid}:{i}"
        if op in ("payment", "charge", "call", "fax", "fee"):
            amount = D(value).scaleb(-4)
            entry_id, new_balance = _post(reseller, cid, ref, op, amount)
            posted.append(Posted(entry_id, amount))
            expected += amount
            assert new_balance == expected
        else:
            pool = [p for p in posted if p.reversed == (op == "reverse_again")]
            if not pool:
                continue
            original = pool[value % len(pool)]
            if op == "reverse":
                _id, new_balance = _post(reseller, cid, ref, "reversal", -original.amount, original.id)
                original.reversed = True
                expected -= original.amount
                assert new_balance == expected
            else:
                # Twice the opposite amount (never zero, never right), or the right amount a second time.
                wrong = -2 * original.amount if op == "wrong_reversal" else -original.amount
                with pytest.raises(IntegrityError):
                    _post(reseller, cid, ref, "reversal", wrong, original.id)
        assert _state(cid) == (expected, expected)
