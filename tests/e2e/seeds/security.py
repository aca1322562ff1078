"""Seed for the security browser tests: reseller "sx" whose every shown text holds a script payload.

The payloads go straight into the tables (not through the forms, which refuse some of them), so the test checks
that rendering is safe whatever got stored: by a form, the API, an import or the carrier's CDRs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import (
    Cdr,
    Client,
    Did,
    E911Record,
    FaxRecord,
    Forwarding,
    Package,
    Reseller,
    ResellerSettings,
    SubAccount,
    Voicemail,
)
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.access.security import hash_password
from reseller_app.services.accounting.postings import manual_posting
from tests.e2e.seed import PASSWORD

# Each sets window.__xss if it ever runs; short enough for every column they go into.
PAYLOADS = (
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    "javascript:window.__xss=1",
    '"><svg onload=window.__xss=1>',
)
MARK = "Zx"  # every payload is prefixed, so the tests can find the fields on the page


def p(i: int, limit: int = 80) -> str:
    """The i-th payload (rotating), tagged and cut to a column's length."""
    return f"{MARK}{i}{PAYLOADS[i % len(PAYLOADS)]}"[:limit]


def seed(ids: dict) -> None:
    """Reseller sx with one client whose names, services, calls and ledger all carry payloads."""
    rid = create_reseller("reseller-sx@example.com", PASSWORD, name=p(0), company=p(1))
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.title = "Sx Phone"
        st.signup_enabled = True
        pkg = Package(reseller_id=rid, name=p(2, 60), pulse=6)
        s.add(pkg)
        s.flush()
        c = Client(
            reseller_id=rid,
            email="sx-client@example.com",
            password_hash=hash_password(PASSWORD),
            firstname=p(3),
            lastname=p(4),
            company=p(5),
            address=p(6),
            city=p(7),
            state=p(8),
            zip="H2X1Y4",
            phone_number="15145550100",
        )
        s.add(c)
        s.flush()
        sub = SubAccount(
            reseller_id=rid,
            client_id=c.id,
            package_id=pkg.id,
            account="700001_desk",
            description=p(9),
            callerid="15145550100",
            sip_password="s3cret-pw",
        )
        vm = Voicemail(reseller_id=rid, client_id=c.id, mailbox="1001", name=p(10), pin="1234")
        fw = Forwarding(reseller_id=rid, client_id=c.id, phone_number="15145550111", description=p(11))
        s.add_all([sub, vm, fw])
        s.flush()
        did = Did(
            reseller_id=rid,
            number="15145550122",
            rate_center=p(12),
            region=p(13, 40),
            client_id=c.id,
            sub_account_id=sub.id,
            forwarding_id=fw.id,
            voicemail_id=vm.id,
            connected_at=now,
        )
        s.add(did)
        s.flush()
        s.add(
            E911Record(
                reseller_id=rid,
                client_id=c.id,
                did_id=did.id,
                full_name=p(14),
                address=p(15),
                city=p(16),
                state=p(17),
                zip="H2X1Y4",
            )
        )
        for i in range(3):
            s.add(
                Cdr(
                    reseller_id=rid,
                    client_id=c.id,
                    sub_account_id=sub.id,
                    did_id=did.id,
                    account=sub.account,
                    uniqueid=f"sx{i}",
                    start=now - timedelta(minutes=10 * i),
                    direction="out",
                    callerid=p(18 + i),
                    destination="15145550199",
                    description=p(21 + i),
                    disposition="ANSWERED",
                    duration=60,
                    price=Decimal("0.0125"),
                )
            )
        s.add(
            FaxRecord(
                reseller_id=rid,
                client_id=c.id,
                did_id=did.id,
                uniqueid="sxfax",
                start=now,
                direction="in",
                remote_number="15145550133",
            )
        )
        cid, sub_id = c.id, sub.id
    manual_posting(Actor("reseller", rid), cid, "payment", "20.00", p(24))
    manual_posting(Actor("reseller", rid), cid, "charge", "1.00", p(25))
    ids.update(sx=rid, sx_client=cid, sx_sub=sub_id)
