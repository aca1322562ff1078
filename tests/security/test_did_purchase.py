"""A refused number purchase gives the number back to the carrier (issue 15, finding 6).

Eight buys at once for a HARD client whose balance equals the setup fee: every buy claims its number at the
(sandbox) carrier first, then one is charged and the others are refused because the client is now suspended.
Each refused buy must release its number: before the fix the clean-up read the client object of the rolled-back
transaction (DetachedInstanceError) and the numbers stayed ordered at the carrier, unknown to the portal.
"""

from __future__ import annotations

import threading
from decimal import Decimal

from sqlmodel import select

from reseller_app.carrier.sandbox import SandboxCarrier
from reseller_app.db import session_scope
from reseller_app.models import Client, Did, Package, Reseller, ResellerSettings, SandboxDid, SubAccount
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting.postings import manual_posting
from reseller_app.services.common.errors import ServiceError
from reseller_app.services.portal import self_service as cs

TABS = 8


def _hard_client_with_the_setup_fee() -> Actor:
    rid = auth.create_reseller("ra@example.com", "password-123")
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.did_setup = Decimal("2.50")
        pkg = Package(reseller_id=rid, name="Std", allow_did_purchase=True)
        s.add(pkg)
        s.flush()
        c = Client(reseller_id=rid, email="c@example.com", password_hash="x", firstname="C", balance_management="HARD")
        s.add(c)
        s.flush()
        s.add(SubAccount(reseller_id=rid, client_id=c.id, package_id=pkg.id, account="100001_a", sip_password="p"))
        cid = c.id
    manual_posting(Actor("reseller", rid), cid, "payment", "2.50", "Deposit")
    return Actor("client", rid, cid)


def test_concurrent_buys_charge_once_and_every_refused_number_is_released(engine, monkeypatch):
    me = _hard_client_with_the_setup_fee()
    numbers = [o["number"] for o in cs.available_numbers(me)[:TABS]]
    assert len(numbers) == TABS
    # Every buy has claimed its number before any is charged: the refusals happen after the claim.
    all_claimed = threading.Barrier(TABS, timeout=30)
    claim = SandboxCarrier.claim_did

    def claim_then_wait(self, reseller_id, number):
        offer = claim(self, reseller_id, number)
        all_claimed.wait()
        return offer

    monkeypatch.setattr(SandboxCarrier, "claim_did", claim_then_wait)
    outcomes: dict[str, str] = {}

    def buy(number: str) -> None:
        try:
            cs.buy_did(me, number)
            outcomes[number] = "bought"
        except ServiceError as e:
            outcomes[number] = f"refused: {type(e).__name__}"
        except Exception as e:  # noqa: BLE001 - what the test is about: anything else is a failure below
            outcomes[number] = f"crashed: {type(e).__name__}: {e}"

    threads = [threading.Thread(target=buy, args=(n,)) for n in numbers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    bought = [n for n, o in outcomes.items() if o == "bought"]
    assert len(outcomes) == TABS and len(bought) == 1, outcomes
    assert all(o == "refused: Forbidden" for n, o in outcomes.items() if n != bought[0]), outcomes
    with session_scope() as s:
        assert s.get(Client, me.client_id).balance == Decimal("0")
        assert [d.number for d in s.exec(select(Did).where(Did.client_id == me.client_id)).all()] == bought
        owners = {
            r.number: r.owner_reseller_id for r in s.exec(select(SandboxDid).where(SandboxDid.number.in_(numbers)))
        }
    # The bought number stays the reseller's at the carrier; every refused one is back in the free inventory.
    assert owners == {n: (me.reseller_id if n in bought else None) for n in numbers}
