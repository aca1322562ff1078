"""Seed for the language browser tests: reseller "Érable Téléphonie" (CAD) with clients, calls and a balance."""

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

# Calls of lea@: (day offset, hour UTC, disposition, seconds, price)
CALLS = [
    (0, 14, "ANSWERED", 754, "0.1875"),
    (0, 17, "NO ANSWER", 0, "0"),
    (1, 13, "ANSWERED", 65, "0.0250"),
    (1, 19, "BUSY", 0, "0"),
    (2, 15, "ANSWERED", 3725, "0.9300"),
]
FIRST_DAY = datetime(2026, 11, 2, tzinfo=UTC)


def _client(s, rid: int, email: str, first: str, last: str, pkg: int, account: str, language: str = "") -> int:
    c = Client(
        reseller_id=rid,
        email=email,
        password_hash=hash_password(PASSWORD),
        firstname=first,
        lastname=last,
        timezone="America/Montreal",
        language=language,
    )
    s.add(c)
    s.flush()
    s.add(SubAccount(reseller_id=rid, client_id=c.id, package_id=pkg, account=account, sip_password="s3cret-pw"))
    s.flush()
    return c.id


def seed(ids: dict) -> None:
    """Reseller "l" (CAD, all three languages) and its clients: léa (calls, 1 234,50 $), rené (French, stored)."""
    rid = create_reseller("reseller-l@example.com", PASSWORD, name="Reseller L", company="Érable Téléphonie")
    with session_scope() as s:
        r = s.get(Reseller, rid)
        r.portal_active, r.currency = True, "CAD"
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.title = "Érable Téléphonie"
        st.color_navbar = "#7f1d1d"
        st.languages = ["en", "fr_CA", "es_MX"]
        pkg = Package(reseller_id=rid, name="Résidentiel")
        s.add(pkg)
        s.flush()
        lea = _client(s, rid, "lea@example.com", "Léa", "Tremblay", pkg.id, "400001_cuisine")
        sub = s.exec(select(SubAccount).where(SubAccount.client_id == lea)).one()
        for i, (day, hour, disposition, seconds, price) in enumerate(CALLS):
            s.add(
                Cdr(
                    reseller_id=rid,
                    client_id=lea,
                    sub_account_id=sub.id,
                    account=sub.account,
                    uniqueid=f"lang{i}",
                    start=FIRST_DAY + timedelta(days=day, hours=hour),
                    direction="out",
                    callerid="15145550100",
                    destination=f"1418555{i:04d}",
                    disposition=disposition,
                    duration=seconds,
                    price=Decimal(price),
                )
            )
        rene = _client(s, rid, "rene@example.com", "René", "Gagnon", pkg.id, "400002_bureau", language="fr_CA")
        _client(s, rid, "sofia@example.com", "Sofía", "Hernández", pkg.id, "400003_casa")  # switches languages
    manual_posting(Actor("reseller", rid), lea, "payment", "1234.50", "Dépôt initial")
    ids.update(lang_rid=rid, lea=lea, rene=rene)
