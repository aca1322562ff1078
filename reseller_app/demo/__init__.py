"""Demo data for `make run`: one branded reseller, two packages, a few clients with services, payments and calls.

Kept apart from product code: nothing in the app imports this package.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from reseller_app.billing.fees import add_months
from reseller_app.carrier import CarrierCdr, get_carrier
from reseller_app.db import session_scope
from reseller_app.models import (
    AreaRate,
    Client,
    Did,
    FreeZone,
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
from reseller_app.services.telephony.calls import ingest_cdrs

RESELLER_EMAIL = "demo@northwind.example"
RESELLER_PASSWORD = "demo-reseller-1"
CLIENT_EMAIL = "dana@acmedental.example"
CLIENT_PASSWORD = "demo-client-1"
D = Decimal

CLIENTS = [
    # email, first, last, company, city, state, mode, status, payment
    (CLIENT_EMAIL, "Dana", "Whitfield", "Acme Dental", "Montreal", "QC", "SOFT", "ACTIVE", "150.00"),
    ("ops@bluebird.example", "Marco", "Silva", "Bluebird Logistics", "Toronto", "ON", "HARD", "ACTIVE", "80.00"),
    ("office@cedarlaw.example", "Priya", "Nair", "Cedar Law", "Vancouver", "BC", "SOFT", "ACTIVE", "40.00"),
    ("hello@deltarealty.example", "Sam", "Okafor", "Delta Realty", "New York", "NY", "SOFT", "WAIT", None),
]
DESTINATIONS = [
    "15145550143", "14165550199", "16045550112", "12125550188", "13105550123", "13125550150",
    "442071234567", "447911123456", "33142685300", "4930123456", "525512345678", "919812345678",
    "15145550177", "16135550101", "14385550142",
]  # fmt: skip


def _logins(rid: int) -> list[str]:
    return [
        "Demo logins",
        f"  Reseller: http://localhost:<PORT>/login   {RESELLER_EMAIL} / {RESELLER_PASSWORD}",
        f"  Client:   http://localhost:<PORT>/r/{rid}/login   {CLIENT_EMAIL} / {CLIENT_PASSWORD}",
    ]


def _phone_system(rid: int, client_id: int) -> None:
    """The first client's phone system: business hours → IVR Main (1 front desk, 2 everyone) → ring group with the
    office voicemail; its first number routed there (SANDBOX_TRAFFIC=1 then shows each call's path)."""
    from reseller_app.services.callflows import numbers, objects

    with session_scope() as s:
        s.add(Voicemail(reseller_id=rid, client_id=client_id, mailbox="200", name="Office", pin="2580"))
        s.flush()
        box = s.exec(select(Voicemail.id).where(Voicemail.client_id == client_id)).one()
        subs = s.exec(select(SubAccount.id).where(SubAccount.client_id == client_id).order_by(SubAccount.id)).all()
        did = s.exec(select(Did.id).where(Did.client_id == client_id).order_by(Did.id)).first()
    me = Actor("client", rid, client_id)
    group = objects.save(
        me,
        "grp",
        {"name": "Everyone", **{f"member_{i}": f"account:{sub}" for i, sub in enumerate(subs, 1)}, "voicemail_id": box},
    )
    menu = objects.save(
        me,
        "ivr",
        {"name": "Main", "choice_1": f"account:{subs[0]}", "choice_2": f"grp:{group}", "timeout_dest": f"grp:{group}"},
    )
    hours = {"rule_1_from": "mon", "rule_1_to": "fri", "rule_1_start": "09:00", "rule_1_end": "17:00"}
    tc = objects.save(me, "tc", {"name": "Business hours", **hours, "match": f"ivr:{menu}", "nomatch": f"vm:{box}"})
    numbers.route_number(me, did, {"routing": f"tc:{tc}", "failover_noanswer": f"vm:{box}"})


def load_demo(now: datetime | None = None) -> list[str]:
    """Create the demo data once (a second run adds nothing) and return the login lines to print."""
    from reseller_app.config import settings

    now = now or datetime.now(UTC)
    with session_scope() as s:
        existing = s.exec(select(Reseller).where(Reseller.email == RESELLER_EMAIL)).first()
    if existing is not None:
        return [line.replace("<PORT>", str(settings.port)) for line in _logins(existing.id)]

    rid = create_reseller(RESELLER_EMAIL, RESELLER_PASSWORD, name="Jordan Lee", company="Northwind Voice")
    carrier = None
    with session_scope() as s:
        reseller = s.get(Reseller, rid)
        reseller.portal_active = True
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.title = "Northwind Voice"
        st.color_navbar = "#0f4c5c"
        st.color_background = "#f4f7f6"
        st.color_link = "#0f766e"
        st.btn_primary_bg = "#0f766e"
        st.panel_header_bg = "#dcebe8"
        st.welcome_html = (
            "<h3>Welcome to Northwind Voice</h3><p>Your balance, calls and phone numbers are all here. "
            "Questions? Write to <a href='mailto:support@northwind.example'>support@northwind.example</a>.</p>"
        )
        st.did_setup, st.did_monthly, st.did_minute = D("1.00"), D("3.50"), D("0.0100")
        st.fax_setup, st.fax_monthly, st.fax_minute = D("1.00"), D("4.00"), D("0.0200")
        st.e911_setup, st.e911_monthly = D("1.50"), D("1.50")
        st.paypal_enabled, st.paypal_email, st.deposit_amounts = True, "billing@northwind.example", "20,50,100"
        standard = Package(
            reseller_id=rid,
            name="Business Standard",
            markup_fixed=D("0.0025"),
            markup_percent=D("20"),
            pulse=6,
            canada_route="premium",
            international_route="value",
            onnet_free=True,
            monthly_fee=D("9.99"),
            setup_fee=D("25.00"),
            free_minutes=100,
            allow_did_purchase=True,
            subaccount_editable=["password", "callerid", "moh"],
        )
        payg = Package(
            reseller_id=rid,
            name="Pay as you go",
            markup_fixed=D("0.005"),
            markup_percent=D("35"),
            pulse=60,
            monthly_fee=D("0"),
            setup_fee=D("0"),
        )
        s.add_all([standard, payg])
        s.flush()
        s.add(AreaRate(reseller_id=rid, package_id=standard.id, country="GB", rate=D("0.0200")))
        s.add(AreaRate(reseller_id=rid, package_id=standard.id, prefix="447", rate=D("0.0500")))
        s.add(FreeZone(reseller_id=rid, package_id=standard.id, kind="prefix", value="1514"))
        packages = [standard.id, payg.id]
        carrier = get_carrier(reseller)

    offers = carrier.available_dids(rid)
    accounts: list[tuple[str, int]] = []
    actor = Actor("reseller", rid)
    for i, (email, first, last, company, city, state, mode, status, pay) in enumerate(CLIENTS):
        pw_hash = hash_password(CLIENT_PASSWORD if email == CLIENT_EMAIL else f"demo-{i}-pass")  # before the write
        with session_scope() as s:
            c = Client(
                reseller_id=rid,
                email=email,
                password_hash=pw_hash,
                firstname=first,
                lastname=last,
                company=company,
                city=city,
                state=state,
                country="US" if state == "NY" else "CA",
                phone_number=f"1514555{1000 + i}",
                balance_management=mode,
                status=status,
                timezone="America/Toronto",
                next_billing_date=add_months(date(now.year, now.month, 1), 1),
                low_balance_threshold=D("20") if i == 1 else None,
                low_balance_email=email if i == 1 else "",
            )
            s.add(c)
            s.flush()
            client_id = c.id
        if status == "WAIT":
            continue
        for j, name in enumerate(("front", "office")[: 2 if i == 0 else 1]):
            account = f"{100000 + rid}_{company.split()[0].lower()}{name}"
            ref = carrier.create_subaccount(rid, account, f"Sip{random.Random(account).randint(10**7, 10**8)}!")
            offer = carrier.claim_did(rid, offers[i * 2 + j].number)
            with session_scope() as s:
                sub = SubAccount(
                    reseller_id=rid,
                    client_id=client_id,
                    package_id=packages[0] if i != 2 else packages[1],
                    account=account,
                    description=f"{company} {name}",
                    sip_password=f"Sip{random.Random(account).randint(10**7, 10**8)}!",
                    callerid=offer.number,
                    carrier_ref=ref,
                )
                s.add(sub)
                s.flush()
                s.add(
                    Did(
                        reseller_id=rid,
                        number=offer.number,
                        kind=offer.kind,
                        rate_center=offer.rate_center,
                        region=offer.region,
                        client_id=client_id,
                        sub_account_id=sub.id,
                        setup_fee=D("1.00"),
                        monthly_fee=D("3.50"),
                        per_minute=D("0.0100"),
                        connected_at=now,
                    )
                )
            accounts.append((account, client_id))
        manual_posting(actor, client_id, "payment", D(pay), "Opening deposit", reference=f"demo-open-{client_id}")

    _phone_system(rid, accounts[0][1])
    rng = random.Random(2026)
    cdrs = []
    for n in range(320):
        account, _client = rng.choice(accounts)
        start = now - timedelta(days=rng.uniform(0, 40), seconds=rng.randint(0, 3600))
        outgoing = rng.random() < 0.75
        disposition = rng.choices(["ANSWERED", "NO ANSWER", "BUSY", "FAILED"], [80, 12, 5, 3])[0]
        duration = rng.choice([rng.randint(5, 120), rng.randint(60, 900)]) if disposition == "ANSWERED" else 0
        with session_scope() as s:
            did = s.exec(select(Did.number).join(SubAccount).where(SubAccount.account == account)).first()
        cdrs.append(
            CarrierCdr(
                uniqueid=f"demo{n:05d}",
                start=start,
                direction="out" if outgoing else "in",
                account=account,
                callerid=f'"{account}" <{did}>' if outgoing else f"<1{rng.randint(2002000000, 9899999999)}>",
                destination=rng.choice(DESTINATIONS) if outgoing else did,
                duration=duration,
                disposition=disposition,
                did=None if outgoing else did,
            )
        )
    ingest_cdrs(rid, sorted(cdrs, key=lambda c: c.start))
    return [line.replace("<PORT>", str(settings.port)) for line in _logins(rid)]
