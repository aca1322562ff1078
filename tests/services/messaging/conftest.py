"""Fixtures of the messaging tests: two clients of one reseller with SMS-enabled numbers on the sandbox."""

from __future__ import annotations

import pytest

from reseller_app.carrier import get_carrier
from reseller_app.db import session_scope
from reseller_app.models import Client, Did, Reseller, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting.postings import manual_posting
from reseller_app.services.messaging import inbox


@pytest.fixture()
def fresh_sandbox(monkeypatch):
    """A new process-wide sandbox for the test (its received messages live in memory, and ids are reused)."""
    from reseller_app.carrier import base

    monkeypatch.setattr(base, "_default_sandbox", None)


@pytest.fixture()
def pair(world, fresh_sandbox):
    """Client c and a second client d of reseller A, each with a number (SMS on) and $10."""
    ra = world["ra"]
    with session_scope() as s:
        reseller = s.get(Reseller, ra)
        s.expunge(reseller)
    carrier = get_carrier(reseller)
    offers = carrier.available_dids(ra)
    n1, n2 = offers[0].number, offers[1].number
    carrier.claim_did(ra, n1)
    carrier.claim_did(ra, n2)
    with session_scope() as s:
        d = Client(reseller_id=ra, email="d@example.com", password_hash="x", firstname="Di")
        s.add(d)
        s.flush()
        s.add(SubAccount(reseller_id=ra, client_id=d.id, package_id=world["pkg"], account="100001_d", sip_password="p"))
        did1 = Did(reseller_id=ra, number=n1, client_id=world["c"], sub_account_id=world["sub"])
        did2 = Did(reseller_id=ra, number=n2, client_id=d.id)
        s.add_all([did1, did2])
        s.flush()
        ids = {"d": d.id, "did1": did1.id, "did2": did2.id}
    c_actor = Actor("client", ra, client_id=world["c"])
    d_actor = Actor("client", ra, client_id=ids["d"])
    inbox.set_sms(c_actor, ids["did1"], True)
    inbox.set_sms(d_actor, ids["did2"], True)
    for cid in (world["c"], ids["d"]):
        manual_posting(world["actor_a"], cid, "payment", "10", "top-up")
    return {**world, **ids, "n1": n1, "n2": n2, "c_actor": c_actor, "d_actor": d_actor, "carrier": carrier}
