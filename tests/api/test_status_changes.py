"""Issue 14: the API's client methods go through the clients service, with the one status-change function."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, FaxRecord, LedgerEntry, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting.postings import manual_posting
from tests.api.helpers import call


def _state(cid: int) -> tuple[str, str | None, bool, list[bool]]:
    with session_scope() as s:
        c = s.get(Client, cid)
        subs = s.exec(select(SubAccount.blocked).where(SubAccount.client_id == cid)).all()
        return c.status, c.suspended_by, c.suspended_at is not None, list(subs)


def _set_mode(api: dict, value: str) -> dict:
    cid = str(api["c"])
    return call(api, "setClient", client=cid, firstname="Cy", lastname="Cole", phone_number="5145550100",
                email="c@example.com", balance_management=value)  # fmt: skip


def test_del_client_with_fax_history_succeeds_and_keeps_the_fax_in_the_books(api):
    cid = str(api["c"])
    with session_scope() as s:
        s.exec(select(SubAccount)).first().client_id = None  # nothing connected any more
        s.add(FaxRecord(reseller_id=api["ra"], client_id=api["c"], uniqueid="fx1", start=datetime.now(UTC),
                        direction="out", remote_number="15145550000", pages=2, price=Decimal("0.20")))  # fmt: skip
    assert call(api, "delClient", client=cid)["status"] == "success"
    assert call(api, "getClients", client=cid)["status"] == "invalid_client"
    with session_scope() as s:
        fax = s.exec(select(FaxRecord)).one()
        assert fax.price == Decimal("0.20")  # still counted in the reseller's fax report


def test_set_client_to_soft_restores_a_balance_suspended_client_and_its_sub_accounts(api):
    actor = Actor("reseller", api["ra"])
    assert _set_mode(api, "1")["status"] == "success"  # HARD at 0: suspended at once
    assert _state(api["c"]) == ("SUSPENDED", "balance", True, [True])
    manual_posting(actor, api["c"], "charge", "5", "usage")
    assert _set_mode(api, "2")["status"] == "success"  # SOFT: back, at -5
    assert _state(api["c"]) == ("ACTIVE", None, False, [False])
    assert call(api, "getClients", client=str(api["c"]))["clients"][0]["balance_management"] == "2"


def test_set_client_to_hard_at_a_negative_balance_suspends(api):
    actor = Actor("reseller", api["ra"])
    manual_posting(actor, api["c"], "charge", "3.50", "usage")
    assert _state(api["c"]) == ("ACTIVE", None, False, [False])  # SOFT: negative and still active
    assert _set_mode(api, "1")["status"] == "success"
    assert _state(api["c"]) == ("SUSPENDED", "balance", True, [True])
    # A payment above 0 restores it through the same rules (postings).
    assert call(api, "addPayment", client=str(api["c"]), payment="10")["status"] == "success"
    assert _state(api["c"]) == ("ACTIVE", None, False, [False])
    with session_scope() as s:
        assert [e.description for e in s.exec(select(LedgerEntry).order_by(LedgerEntry.id)).all()] == [
            "usage",
            "Payment",
        ]
