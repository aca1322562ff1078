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
from reseller_app.services.accounting.postings import Effects, manual_posting, post_to_client
from reseller_app.services.invoicing.issue import issue_for_cycle
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
    gilles = _invoiced_client(rid, pkg.id)
    ids.update(lang_rid=rid, lea=lea, rene=rene, gilles=gilles)


# What the system writes in gilles@'s ledger, in its own English words (translated where a client reads them).
SYSTEM_POSTINGS = [
    ("payment", "40.00", "Card deposit", "card:seed:gilles"),
    ("fee", "-2.50", "Phone number 15145550199 (2026-11-01 to 2026-12-01)", "did:seed-gilles:2026-11-01"),
    ("call", "-0.0250", "Call to 14185550000 (65s)", "cdr:seed:gilles1"),
    ("call", "-0.1875", "Call to 14185550001 (754s)", "cdr:seed:gilles2"),
]


def _invoiced_client(rid: int, pkg: int) -> int:
    """gilles@ (French, stored): the system's postings, a manual charge and an issued invoice INV-000001."""
    with session_scope() as s:
        gilles = _client(s, rid, "gilles@example.com", "Gilles", "Roy", pkg, "400004_atelier", language="fr_CA")
        client = s.get(Client, gilles)
        client.address, client.city, client.state, client.country = "5 rue du Port", "Québec", "QC", "CA"
        for kind, amount, description, reference in SYSTEM_POSTINGS:
            post_to_client(
                s,
                client,
                kind=kind,
                amount=Decimal(amount),
                description=description,
                reference=reference,
                by="rating",
                fx=Effects(),
            )
    manual_posting(Actor("reseller", rid), gilles, "charge", "10.00", "Installation visit")
    with session_scope() as s:
        client = s.get(Client, gilles)
        issue_for_cycle(s, client, datetime.now(UTC).date() + timedelta(days=1), Effects(), email=False)
    return gilles
