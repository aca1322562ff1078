"""Seed for the call-flow browser tests: reseller "Delta Voice" and a client with two phones, a number and a box."""

from __future__ import annotations

from sqlmodel import select

from reseller_app.carrier import get_carrier
from reseller_app.db import session_scope
from reseller_app.models import Client, Did, Package, Reseller, ResellerSettings, SubAccount, Voicemail
from reseller_app.models.reseller import DEFAULT_SERVICES
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password
from tests.e2e.seed import PASSWORD

RESELLER_EMAIL = "reseller-pbx@example.com"
CLIENT_EMAIL = "pbx-client@example.com"
ACCOUNTS = ("100900_alice", "100900_bob")


def seed(ids: dict) -> None:
    """Add reseller "pbx" with package PBX (its own services: all of them) and client pbx-client@."""
    rid = create_reseller(RESELLER_EMAIL, PASSWORD, name="Reseller PBX", company="Delta Voice")
    with session_scope() as s:
        reseller = s.get(Reseller, rid)
        reseller.portal_active = True
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.title = "Delta Voice"
        st.color_navbar = "#0c4a6e"
    carrier = get_carrier(reseller)
    for account in ACCOUNTS:
        carrier.create_subaccount(rid, account, "seed-password-1")
    number = carrier.available_dids(rid, "voice")[0].number
    carrier.claim_did(rid, number)
    with session_scope() as s:
        pkg = Package(reseller_id=rid, name="PBX", pulse=6, service_config="package", services=list(DEFAULT_SERVICES))
        s.add(pkg)
        s.flush()
        c = Client(
            reseller_id=rid,
            email=CLIENT_EMAIL,
            password_hash=hash_password(PASSWORD),
            firstname="Pia",
            lastname="Bx",
            timezone="America/Montreal",
        )
        s.add(c)
        s.flush()
        subs = []
        for account in ACCOUNTS:
            sub = SubAccount(reseller_id=rid, client_id=c.id, package_id=pkg.id, account=account, sip_password="pw")
            s.add(sub)
            s.flush()
            subs.append(sub.id)
        s.add(Did(reseller_id=rid, number=number, client_id=c.id, sub_account_id=subs[0]))
        s.add(Voicemail(reseller_id=rid, client_id=c.id, mailbox="200", name="Sales", pin="1234"))
        ids["pbx"] = rid
        ids["pbx_number"] = number
