"""Text-message browser test data: a reseller whose package sells outgoing texts at $0.05 a part and incoming ones
free, two clients with an SMS-enabled number and $5 each, and a suspended client with a number."""

from __future__ import annotations

from decimal import Decimal

from reseller_app.carrier.sandbox import SandboxCarrier
from reseller_app.db import session_scope
from reseller_app.models import Client, Did, Package, Reseller, SubAccount
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password
from reseller_app.services.accounting.postings import Effects, post_to_client
from tests.e2e.seed import PASSWORD

CLIENTS = (("sms-ann@example.com", "Ann", "ACTIVE"), ("sms-bob@example.com", "Bob", "ACTIVE"),
           ("sms-sue@example.com", "Sue", "SUSPENDED"))  # fmt: skip


def seed(ids: dict) -> None:
    """The SMS reseller, its package and its three clients with numbers."""
    rid = create_reseller("sms-reseller@example.com", PASSWORD, name="Sam Sender", company="Texting Telecom")
    sandbox = SandboxCarrier()
    offers = sandbox.available_dids(rid)[-len(CLIENTS) :]
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        pkg = Package(
            reseller_id=rid,
            name="Texting",
            markup_percent=Decimal("20"),
            sms_out_rate=Decimal("0.05"),
            sms_in_rate=Decimal("0"),
        )
        s.add(pkg)
        s.flush()
        for (email, name, status), offer in zip(CLIENTS, offers, strict=True):
            c = Client(reseller_id=rid, email=email, password_hash=hash_password(PASSWORD), firstname=name)
            s.add(c)
            s.flush()
            sub = SubAccount(reseller_id=rid, client_id=c.id, package_id=pkg.id, account=f"{rid}_{name.lower()}",
                             sip_password="x")  # fmt: skip
            s.add(sub)
            s.flush()
            s.add(Did(reseller_id=rid, number=offer.number, client_id=c.id, sub_account_id=sub.id, sms_enabled=True))
            post_to_client(s, c, kind="payment", amount=Decimal("5"), description="Top-up",
                           reference=f"e2e-sms-{c.id}", by="reseller", fx=Effects())  # fmt: skip
            c.status, c.suspended_by = status, ("manual" if status == "SUSPENDED" else None)
            ids[f"sms_{name.lower()}_number"] = offer.number
    for offer in offers:
        sandbox.claim_did(rid, offer.number)
        sandbox.set_sms(rid, offer.number, True)
    ids["sms_reseller"] = rid
