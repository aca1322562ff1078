"""Seed for the browser tests of issue 20 (what a person trips over): reseller "pol" and its clients.

- fees@: a DID and an e911 record whose fees ($2.00 + $1.00) were posted today, and no calls;
- tech@: on a package in simple view whose sub-account settings (caller ID, codecs, DTMF) the client may edit;
- buyer@: on a package that lets it buy numbers, with two sub-accounts;
- calls@: calls on three days, for the call history and its export;
- alice@ and bob@: two more clients for the reseller's manage pages; broke@: suspended (HARD, below zero).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client, Did, E911Record, Package, Reseller, ResellerSettings, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password
from reseller_app.services.accounting import ledger
from reseller_app.services.accounting.postings import manual_posting
from reseller_app.services.reporting.rollup import rebuild_rollup
from tests.e2e.seed import PASSWORD

EMAIL = "reseller-pol@example.com"
# One word longer than a phone is wide: the login card must wrap it, not grow.
LONG_TITLE = "Polytelecommunicationsinternationalcorporation Voice"
WELCOME = "<h3>Our news</h3><p>Plain paragraph text.</p><ul><li>First point</li></ul>"
CALL_DAYS = (
    datetime(2026, 9, 1, 15, tzinfo=UTC),
    datetime(2026, 9, 3, 15, tzinfo=UTC),
    datetime(2026, 9, 2, 15, tzinfo=UTC),
)


def _client(s, rid: int, email: str, first: str, **kw) -> Client:
    c = Client(
        reseller_id=rid, email=email, password_hash=hash_password(PASSWORD), firstname=first, lastname="Pol", **kw
    )
    s.add(c)
    s.flush()
    return c


def seed(ids: dict) -> None:
    """Reseller "pol" (long title, welcome text with a heading, signup with a phone field) and its clients."""
    rid = create_reseller(EMAIL, PASSWORD, name="Polish Reseller", company="Pol Voice")
    now = datetime.now(UTC)
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.title = LONG_TITLE
        st.welcome_html = WELCOME
        st.signup_enabled = True
        st.signup_fields = {**(st.signup_fields or {}), "phone_number": "optional"}
        st.did_setup, st.did_monthly = Decimal("0.50"), Decimal("1.00")
        st.payment_instructions = "Pay by bank transfer to account 12-345, reference your email."
        std = Package(
            reseller_id=rid,
            name="Pol Standard",
            allow_did_purchase=True,
            monthly_fee=Decimal("5.00"),
            subaccount_editable=["callerid", "codecs", "dtmf", "nat"],
        )
        simple = Package(
            reseller_id=rid,
            name="Pol Simple",
            service_config="package",
            view_setting="simple",
            services=["subaccounts", "cdr", "balance"],
            subaccount_editable=["callerid", "codecs", "dtmf"],
        )
        s.add_all([std, simple])
        s.flush()
        fees = _client(s, rid, "fees@example.com", "Fay")
        tech = _client(s, rid, "tech@example.com", "Tec")
        s.add(
            SubAccount(
                reseller_id=rid,
                client_id=tech.id,
                package_id=simple.id,
                account=f"{100000 + rid}_tech",
                sip_password="sip-pass-123",
            )
        )
        buyer = _client(s, rid, "buyer@example.com", "Bea")
        for name in ("main", "spare"):
            s.add(
                SubAccount(
                    reseller_id=rid,
                    client_id=buyer.id,
                    package_id=std.id,
                    account=f"{100000 + rid}_{name}",
                    sip_password="sip-pass-123",
                )
            )
        calls = _client(s, rid, "calls@example.com", "Cal")
        sub = SubAccount(
            reseller_id=rid,
            client_id=calls.id,
            package_id=std.id,
            account=f"{100000 + rid}_calls",
            sip_password="sip-pass-123",
        )
        s.add(sub)
        s.flush()
        for i, start in enumerate(CALL_DAYS):
            s.add(
                Cdr(
                    reseller_id=rid,
                    client_id=calls.id,
                    sub_account_id=sub.id,
                    account=sub.account,
                    uniqueid=f"pol{i}",
                    start=start,
                    direction="out",
                    callerid="15145550100",
                    destination=f"1438555{i:04d}",
                    disposition="ANSWERED",
                    duration=60,
                    price=Decimal("0.0125"),
                )
            )
        alice = _client(s, rid, "alice@example.com", "Alice")
        bob = _client(s, rid, "bob@example.com", "Bob")
        broke = _client(s, rid, "broke-pol@example.com", "Bro", balance_management="HARD")
        did = Did(
            reseller_id=rid, number="15145559001", client_id=fees.id, monthly_fee=Decimal("2.00"), connected_at=now
        )
        s.add(did)
        s.flush()
        s.add(
            E911Record(
                reseller_id=rid,
                client_id=fees.id,
                did_id=did.id,
                full_name="Fay Pol",
                address="1 Main",
                city="Montreal",
                state="QC",
                zip="H1H1H1",
                country="CA",
                monthly_fee=Decimal("1.00"),
            )
        )
        ids.update(pol=rid, pol_fees=fees.id, pol_tech=tech.id, pol_buyer=buyer.id, pol_calls=calls.id)
        ids.update(pol_alice=alice.id, pol_bob=bob.id, pol_broke=broke.id)
        fees_id = fees.id
    manual_posting(Actor("reseller", rid), fees_id, "payment", "20.00", "Opening deposit")
    with session_scope() as s:  # today's monthly fees of the DID and the e911 record, as the billing run posts them
        for ref, amount, text in (("did:pol:today", "-2.00", "Phone number fee"), ("e911:pol:today", "-1.00", "e911")):
            ledger.post(
                s,
                reseller_id=rid,
                client_id=fees_id,
                kind="fee",
                amount=Decimal(amount),
                description=text,
                reference=ref,
                created_by="billing",
            )
    manual_posting(Actor("reseller", rid), ids["pol_broke"], "charge", "3.00", "Equipment")
    rebuild_rollup(rid)  # the reports' daily roll-up of the calls inserted above
    ids["pol_days"] = [d.date().isoformat() for d in sorted(CALL_DAYS)]
