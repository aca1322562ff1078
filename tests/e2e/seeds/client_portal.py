"""Seed for the client-portal browser tests: reseller "Cobalt Phone" with themed clients, calls and packages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client, Package, Reseller, ResellerSettings, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password
from reseller_app.services.accounting.postings import manual_posting
from tests.e2e.seed import PASSWORD

LOGO = (
    "data:image/svg+xml;utf8,<svg xmlns='http://www.w3.org/2000/svg' width='32' height='32'>"
    "<circle cx='16' cy='16' r='14' fill='%23facc15'/></svg>"
)
NAVBAR = "#5b21b6"
# Calls of porter@: (day offset, hour UTC, disposition, sub-account index)
CALLS = [
    (0, 14, "ANSWERED", 0),
    (0, 15, "BUSY", 0),
    (0, 16, "FAILED", 1),
    (1, 14, "ANSWERED", 1),
    (1, 15, "NO ANSWER", 0),
    (1, 16, "BUSY", 1),
]
FIRST_DAY = datetime(2026, 10, 5, tzinfo=UTC)


def _client(s, rid: int, email: str, pkg_id: int, account: str) -> int:
    c = Client(
        reseller_id=rid,
        email=email,
        password_hash=hash_password(PASSWORD),
        firstname="Pat",
        lastname="Porter",
        timezone="America/Montreal",
    )
    s.add(c)
    s.flush()
    s.add(SubAccount(reseller_id=rid, client_id=c.id, package_id=pkg_id, account=account, sip_password="s3cret-pw"))
    return c.id


def seed(ids: dict) -> None:
    """Add reseller "c" and its clients: porter (calls, buys numbers), live, forgetful, simple, hidden, broke."""
    rid = create_reseller("reseller-c@example.com", PASSWORD, name="Reseller C", company="Cobalt Phone")
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.title = "Cobalt Phone"
        st.color_navbar = NAVBAR
        st.color_background = "#faf5ff"
        st.btn_primary_bg = "#9333ea"
        st.img_header = LOGO
        st.welcome_html = "<p>Welcome to <b>Cobalt Phone</b>. Call us any time.</p>"
        st.did_setup, st.did_monthly = Decimal("2.50"), Decimal("1.25")
        st.reset_url_subject = "Cobalt Phone: reset your password"
        st.reset_url_body = "Hello [firstname],\n\nChoose a new password here: [url]\n"
        st.reset_done_subject = "Cobalt Phone: password changed"
        std = Package(reseller_id=rid, name="Standard", allow_did_purchase=True, subaccount_editable=["callerid"])
        simple = Package(
            reseller_id=rid, name="Simple", service_config="package", view_setting="simple", services=["cdr", "balance"]
        )
        hidden = Package(
            reseller_id=rid, name="Hidden", service_config="package", view_setting="simple_hide", services=["balance"]
        )
        s.add_all([std, simple, hidden])
        s.flush()
        porter = _client(s, rid, "porter@example.com", std.id, "300001_front")
        back = SubAccount(reseller_id=rid, client_id=porter, package_id=std.id, account="300001_back", sip_password="x")
        s.add(back)
        s.flush()
        subs = s.exec(select(SubAccount).where(SubAccount.client_id == porter).order_by(SubAccount.id)).all()
        for i, (day, hour, disposition, sub) in enumerate(CALLS):
            s.add(
                Cdr(
                    reseller_id=rid,
                    client_id=porter,
                    sub_account_id=subs[sub].id,
                    account=subs[sub].account,
                    uniqueid=f"cp{i}",
                    start=FIRST_DAY + timedelta(days=day, hours=hour),
                    direction="out",
                    callerid="15145550100",
                    destination=f"1514555{i:04d}",
                    disposition=disposition,
                    duration=60 if disposition == "ANSWERED" else 0,
                    price=Decimal("0.0125") if disposition == "ANSWERED" else Decimal("0"),
                )
            )
        live = _client(s, rid, "live@example.com", std.id, "300002_desk")
        forgetful = _client(s, rid, "forgetful@example.com", std.id, "300003_desk")
        simple_c = _client(s, rid, "simple@example.com", simple.id, "300004_desk")
        hidden_c = _client(s, rid, "hidden@example.com", hidden.id, "300005_desk")
        broke = _client(s, rid, "broke@example.com", std.id, "300006_desk")
        s.get(Client, broke).balance_management = "HARD"
    manual_posting(Actor("reseller", rid), porter, "payment", "20.00", "Opening deposit")
    # A HARD client whose balance went below zero is suspended by the posting rules.
    manual_posting(Actor("reseller", rid), broke, "charge", "3.00", "Equipment")
    ids.update(c=rid, porter=porter, live=live, forgetful=forgetful, simple=simple_c, hidden=hidden_c)
