"""A client with two sub-accounts, a phone number, a voicemail box and a forwarding, at the sandbox carrier too."""

from __future__ import annotations

import pytest
from sqlmodel import select

from reseller_app.carrier import get_carrier
from reseller_app.db import session_scope
from reseller_app.models import Client, Did, Forwarding, Package, Reseller, ResellerSettings, SubAccount, Voicemail
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import create_reseller

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00" + b"\x00" * 64
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 64


def _client(s, rid: int, email: str, tz: str = "America/Montreal") -> Client:
    c = Client(reseller_id=rid, email=email, password_hash="x", firstname="Pat", timezone=tz)
    s.add(c)
    s.flush()
    return c


@pytest.fixture()
def pbx(engine):
    """Reseller R (sandbox) with client `c` (alice, bob, number, box 200, forwarding) and client `sib`; reseller X."""
    rid = create_reseller("pbx@example.com", "password-123")
    xid = create_reseller("x@example.com", "password-123")
    with session_scope() as s:
        reseller = s.get(Reseller, rid)
        reseller.portal_active = True
    carrier = get_carrier(reseller)
    for account in ("100001_alice", "100001_bob", "100002_sib"):
        carrier.create_subaccount(rid, account, "pw-123456")
    offers = carrier.available_dids(rid, "voice")
    number, other_number = offers[0].number, offers[1].number
    carrier.claim_did(rid, number)
    carrier.claim_did(rid, other_number)
    with session_scope() as s:
        pkg = Package(reseller_id=rid, name="PBX", pulse=6)
        s.add(pkg)
        s.flush()
        c = _client(s, rid, "c@example.com")
        sib = _client(s, rid, "sib@example.com")
        far = _client(s, xid, "far@example.com")
        subs = {}
        for owner, account in ((c, "100001_alice"), (c, "100001_bob"), (sib, "100002_sib")):
            sub = SubAccount(reseller_id=rid, client_id=owner.id, package_id=pkg.id, account=account, sip_password="p")
            s.add(sub)
            s.flush()
            subs[account] = sub.id
        did = Did(reseller_id=rid, number=number, client_id=c.id, sub_account_id=subs["100001_alice"])
        sib_did = Did(reseller_id=rid, number=other_number, client_id=sib.id, sub_account_id=subs["100002_sib"])
        box = Voicemail(reseller_id=rid, client_id=c.id, mailbox="200", name="Sales", pin="1234")
        sib_box = Voicemail(reseller_id=rid, client_id=sib.id, mailbox="300", name="Sib", pin="1234")
        fwd = Forwarding(reseller_id=rid, client_id=c.id, phone_number="15145550177")
        s.add_all([did, sib_did, box, sib_box, fwd])
        s.flush()
        ids = {
            "rid": rid,
            "xid": xid,
            "pkg": pkg.id,
            "c": c.id,
            "sib": sib.id,
            "far": far.id,
            "alice": subs["100001_alice"],
            "bob": subs["100001_bob"],
            "sib_sub": subs["100002_sib"],
            "did": did.id,
            "number": number,
            "sib_did": sib_did.id,
            "box": box.id,
            "sib_box": sib_box.id,
            "fwd": fwd.id,
        }
    ids["actor"] = Actor("client", rid, ids["c"])
    ids["sib_actor"] = Actor("client", rid, ids["sib"])
    ids["far_actor"] = Actor("client", xid, ids["far"])
    ids["reseller_actor"] = Actor("reseller", rid)
    ids["carrier"] = carrier
    return ids


def set_services(rid: int, services: list[str], view: str = "standard") -> None:
    """The reseller's default services (Services tab) and view setting."""
    with session_scope() as s:
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.services = services
        st.view_setting = view
