"""Every Reflex event handler is a public endpoint: call each one as an attacker with the victim's ids.

The list of handlers is built at run time from the registered state tree, so a handler added later is
probed too. Attackers: another reseller, a client of another reseller, another client of the victim's
own reseller, and a visitor with no session. Every id the victim owns is 9001 in its table, so one
hand-crafted value names the victim's row whatever the handler expects (client, package, sub-account,
DID, e911, voicemail, forwarding, ledger...). Each handler runs on a fresh state, then with every id-like
state var preset to 9001 (the browser can set any var with Reflex's `setvar`), and for the reseller
attacker on its own client's page with the victim's ids as arguments. Afterwards the victim's rows must
be unchanged and no victim secret may sit in the attacker's state.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import pkgutil
import typing
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import reflex as rx
from reflex.istate.data import PageData, RouterData
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, select

import reseller_app.reseller_app  # noqa: F401 - registers every state of the app
from reseller_app.db import session_scope
from reseller_app.models import (
    AreaRate,
    AuditLog,
    BillingProfile,
    Callback,
    CallerIdFilter,
    CallHunting,
    CallQueue,
    CallRecording,
    CardPayment,
    CardProfile,
    Cdr,
    Client,
    Conference,
    Did,
    Disa,
    E911Record,
    Forwarding,
    FreeZone,
    Invoice,
    InvoiceLine,
    IvrMenu,
    LedgerEntry,
    Message,
    MusicOnHold,
    Package,
    PaymentOrder,
    PhonebookEntry,
    Reseller,
    RingGroup,
    SandboxCallFlow,
    StaffMember,
    StripeAccount,
    SubAccount,
    TaxRate,
    TimeCondition,
    UnreadableCdr,
    Voicemail,
)
from reseller_app.models.callflows import CALLFLOW_MODELS
from reseller_app.services.access import auth
from reseller_app.services.access.security import hash_password
from reseller_app.state.session import SessionState

FOREIGN = 9001
OWN = 9002

# The victim reseller's own staff with a limited role, and the tables (of the victim's rows) each role may not change
# whatever handler it calls, with whatever ids: support posts no money and touches no configuration, packages, API or
# staff; billing touches no clients' services, configuration, packages, API or staff (a payment does move the
# client's balance and status, and may unblock sub-accounts: those tables are its own); read-only changes nothing.
_CONFIG = {"reseller", "resellersettings", "billingprofile", "taxrate", "apicredential", "staffmember"}
_PACKAGES = {"package", "arearate", "freezone"}
_MONEY = {"ledgerentry", "invoice", "invoiceline", "invoicedentry", "invoicetax", "paymentorder", "unreadablecdr"}
_SERVICES = {"did", "voicemail", "forwarding", "e911record"}
ROLE_ATTACKERS: dict[str, frozenset[str] | None] = {
    "support": frozenset(_CONFIG | _PACKAGES | _MONEY),
    "billing": frozenset(_CONFIG | _PACKAGES | _SERVICES),
    "readonly": None,  # every table
}
SECRET_MARKERS = ("victim-secret", "victim@example.com", "Vesper", "Vandermeer", "14155550199")

# Handlers that take no id and touch no account data, or are public forms of the portal by design.
ALLOWED = {
    # Reflex's generic setter: it only stores a value in the caller's own state; the test itself uses it to preset
    # foreign ids before every other handler, so what it can set is covered there.
    "setvar",
    # Public, unauthenticated forms. Login attempts with the victim's email count towards the victim's lockout
    # (by design: that is the lockout); signup creates a new WAIT client; a reset request mails the victim's
    # own address. None of them takes an id, and none returns the victim's data (tests/services cover them).
    "LoginState.reseller_login",
    "LoginState.client_login",
    "SignupState.submit",
    "ResetState.request",
    "ResetState.change_password",
}


def _walk(cls: type[rx.State]) -> typing.Iterator[type[rx.State]]:
    for sub in cls.get_substates():
        yield sub
        yield from _walk(sub)


def app_states() -> list[type[rx.State]]:
    """Every state class of the app (Reflex's own internal states excluded)."""
    return [c for c in _walk(rx.State) if c.__module__.startswith("reseller_app.")]


def _defined_states() -> list[type[rx.State]]:
    """Every state class defined in a module of reseller_app/state (found by importing each module)."""
    import reseller_app.state

    found = []
    for info in pkgutil.walk_packages(reseller_app.state.__path__, "reseller_app.state."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, rx.State)
                and value.__module__ == info.name
                and not value._mixin
            ):
                found.append(value)
    return found


def handlers() -> list[tuple[type[rx.State], str]]:
    """Every (state class, handler name) pair that is not on the allow-list."""
    out = []
    for cls in app_states():
        for name in cls.event_handlers:
            if name in ALLOWED or f"{cls.__name__}.{name}" in ALLOWED:
                continue
            out.append((cls, name))
    return out


class _AnyForm(dict):
    """A submitted form whose every field holds the foreign id."""

    def get(self, key, default=None):
        return str(FOREIGN)

    def __getitem__(self, key):
        return str(FOREIGN)

    def __contains__(self, key) -> bool:
        return True


class _Upload:
    """A stand-in for rx.UploadFile: a tiny PNG named like the victim's upload."""

    filename = f"{FOREIGN}.png"
    name = filename

    async def read(self, size: int = -1) -> bytes:
        return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _arg(annotation: object, name: str) -> object:
    text = str(annotation)
    if "UploadFile" in text:
        return [_Upload()]
    if text in ("dict", "<class 'dict'>") or text.startswith("dict"):
        return _AnyForm()
    if text in ("bool", "<class 'bool'>"):
        return True
    if text in ("int", "<class 'int'>"):
        return 1 if name == "delta" else FOREIGN
    return str(FOREIGN)


def _args(fn) -> list:
    params = list(inspect.signature(fn).parameters.values())[1:]
    return [_arg(p.annotation, p.name) for p in params]


@pytest.fixture()
def arena(engine, monkeypatch):
    """The victim reseller with one row of every kind at id 9001; three attackers with live sessions."""
    victim = auth.create_reseller("victim@example.com", "password-123", name="Victor Owner", company="Victim Telecom")
    other = auth.create_reseller("attacker@example.com", "password-123", company="Attacker Co")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with session_scope() as s:
        for rid in (victim, other):
            s.get(Reseller, rid).portal_active = True
        pkg = Package(id=FOREIGN, reseller_id=victim, name="victim-secret plan", pulse=6)
        c = Client(
            id=FOREIGN,
            reseller_id=victim,
            email="victim@example.com",
            password_hash=hash_password("victim-pass-1"),
            firstname="Vesper",
            lastname="Vandermeer",
            company="victim-secret inc",
            phone_number="14155550199",
        )
        s.add_all([pkg, c])
        s.flush()
        s.add_all(
            [
                AreaRate(id=FOREIGN, reseller_id=victim, package_id=FOREIGN, prefix="1415", rate=Decimal("0.02")),
                FreeZone(id=FOREIGN, reseller_id=victim, package_id=FOREIGN, kind="country", value="CA"),
                SubAccount(
                    id=FOREIGN,
                    reseller_id=victim,
                    client_id=FOREIGN,
                    package_id=FOREIGN,
                    account="900100_victim",
                    description="victim-secret phone",
                    sip_password="victim-secret-sip",
                ),
                Forwarding(id=FOREIGN, reseller_id=victim, client_id=FOREIGN, phone_number="14155550199"),
                Voicemail(
                    id=FOREIGN,
                    reseller_id=victim,
                    client_id=FOREIGN,
                    mailbox="9001",
                    name="victim-secret box",
                    pin="4321",
                ),
            ]
        )
        s.flush()
        s.add(
            Did(
                id=FOREIGN,
                reseller_id=victim,
                number="14155550199",
                client_id=FOREIGN,
                sub_account_id=FOREIGN,
                connected_at=now,
                routing=f"tc:{FOREIGN}",
                failover_noanswer=f"vm:{FOREIGN}",
            )
        )
        s.flush()
        # The victim's phone system: one object of every call-flow kind, all at id 9001, wired to each other.
        owned = {"id": FOREIGN, "reseller_id": victim, "client_id": FOREIGN, "carrier_ref": "victim-secret-ref"}
        s.add(CallRecording(**owned, name="victim-secret greeting", file="/_upload/" + "0" * 32 + ".wav"))
        s.flush()
        s.add(MusicOnHold(**owned, name="victim-secret music", recordings=[FOREIGN]))
        s.flush()
        member = [{"dest": f"account:{FOREIGN}", "ring_time": 25}]
        s.add_all(
            [
                RingGroup(**owned, name="victim-secret group", members=member, voicemail_id=FOREIGN),
                CallHunting(**owned, name="victim-secret hunt", members=member, recording_id=FOREIGN),
                CallQueue(**owned, name="victim-secret queue", number=9001, members=[{**member[0], "priority": 0}]),
                Conference(**owned, name="victim-secret room", pin="4321"),
                Callback(**owned, name="victim-secret callback", number="14155550199"),
                Disa(**owned, name="victim-secret disa", pin="9876"),
                PhonebookEntry(**owned, name="victim-secret contact", number="14155550199"),
            ]
        )
        s.flush()
        s.add(IvrMenu(**owned, name="victim-secret menu", recording_id=FOREIGN, choices={"2": f"grp:{FOREIGN}"}))
        s.flush()
        s.add_all(
            [
                TimeCondition(
                    **owned,
                    name="victim-secret hours",
                    rules=[{"from": "mon", "to": "fri", "start": "09:00", "end": "17:00"}],
                    match_dest=f"ivr:{FOREIGN}",
                    nomatch_dest=f"vm:{FOREIGN}",
                ),
                CallerIdFilter(**owned, name="victim-secret filter", entries=["anonymous"], did_id=FOREIGN),
                SandboxCallFlow(id=FOREIGN, owner_reseller_id=victim, kind="ivr", data={"name": "victim-secret"}),
            ]
        )
        s.flush()
        s.add_all(
            [
                E911Record(
                    id=FOREIGN,
                    reseller_id=victim,
                    client_id=FOREIGN,
                    did_id=FOREIGN,
                    full_name="Vesper Vandermeer",
                    address="1 victim-secret st",
                    city="SF",
                    state="CA",
                    zip="94110",
                ),
                LedgerEntry(
                    id=FOREIGN,
                    reseller_id=victim,
                    client_id=FOREIGN,
                    reference="victim-payment-1",
                    kind="payment",
                    amount=Decimal("50.00"),
                    created_at=now,
                ),
                Cdr(
                    id=FOREIGN,
                    reseller_id=victim,
                    client_id=FOREIGN,
                    sub_account_id=FOREIGN,
                    did_id=FOREIGN,
                    uniqueid="victim-call-1",
                    start=now,
                    direction="out",
                    destination="14155550199",
                    disposition="ANSWERED",
                ),
                Message(
                    id=FOREIGN,
                    reseller_id=victim,
                    client_id=FOREIGN,
                    did_id=FOREIGN,
                    carrier_id="victim-sms-1",
                    direction="in",
                    did="14155550199",
                    contact="14155550199",
                    body="victim-secret text",
                    sent_at=now,
                ),
                PaymentOrder(
                    id=FOREIGN, reseller_id=victim, client_id=FOREIGN, amount=Decimal("20.00"), provider_ref="victim-o"
                ),
                UnreadableCdr(
                    id=FOREIGN,
                    reseller_id=victim,
                    fingerprint="f" * 64,
                    uniqueid="victim-secret-call",
                    reason="bad date",
                    raw='{"uniqueid": "victim-secret-call"}',
                    first_seen_at=now,
                    last_seen_at=now,
                ),
                BillingProfile(reseller_id=victim, legal_name="victim-secret ltd", invoice_prefix="9001-"),
                AuditLog(
                    id=FOREIGN,
                    reseller_id=victim,
                    actor_role="reseller",
                    actor_id=victim,
                    action="create_client",
                    object_type="client",
                    object_id=FOREIGN,
                    detail={"note": "victim-secret audit"},
                    ip="203.0.113.99",
                    created_at=datetime.now(UTC),  # inside the Audit log page's default period
                ),
                # Card payments: keys (off, so no probe reaches Stripe), a saved card with top-up, a paid deposit.
                StripeAccount(
                    reseller_id=victim,
                    publishable_key="pk_test_victim-secret",
                    secret_key="sk_test_victim-secret",
                    webhook_secret="whsec_victim-secret",
                ),
                CardProfile(
                    id=FOREIGN,
                    reseller_id=victim,
                    client_id=FOREIGN,
                    customer_id="cus_victim",
                    payment_method="pm_victim",
                    card_label="visa victim-secret",
                    topup_enabled=True,
                    topup_threshold=Decimal("5"),
                    topup_amount=Decimal("10"),
                    topup_armed=True,
                ),
                CardPayment(
                    id=FOREIGN,
                    reseller_id=victim,
                    client_id=FOREIGN,
                    kind="checkout",
                    amount=Decimal("25"),
                    currency="USD",
                    idempotency_key="victim-checkout",
                    session_id="cs_victim",
                    intent_id="pi_victim",
                    status="completed",
                    created_at=now,
                ),
                TaxRate(id=FOREIGN, reseller_id=victim, name="victim-secret tax", rate=Decimal("5"), applies_to=[]),
                Invoice(
                    id=FOREIGN,
                    reseller_id=victim,
                    client_id=FOREIGN,
                    seq=FOREIGN,
                    number=str(FOREIGN),
                    currency="CAD",
                    period_start=now.date(),
                    period_end=now.date(),
                    issued_on=now.date(),
                    due_on=now.date(),
                    subtotal=Decimal("10"),
                    tax_total=Decimal("0"),
                    total=Decimal("10"),
                    buyer={"name": "Vesper Vandermeer"},
                ),
            ]
        )
        s.flush()
        s.add(
            InvoiceLine(
                id=FOREIGN,
                invoice_id=FOREIGN,
                position=1,
                kind="charge",
                category="manual",
                description="victim-secret line",
                amount=Decimal("10"),
            )
        )
        s.add(
            StaffMember(
                id=FOREIGN,
                reseller_id=victim,
                email="victim-staff@example.com",
                name="Vesper Vandermeer (victim-secret staff)",
                role="billing",
                status="active",
                password_hash=hash_password("victim-staff-1"),
            )
        )
        # Staff of the victim's reseller, one per limited role: the role attackers (see test_staff_roles_...).
        for n, role in enumerate(ROLE_ATTACKERS):
            s.add(
                StaffMember(
                    id=OWN + 10 + n,
                    reseller_id=victim,
                    email=f"{role}-attacker@example.com",
                    role=role,
                    status="active",
                    password_hash=hash_password("staff-pass-123"),
                )
            )
        # Another client of the victim's reseller, and a client of the attacker reseller.
        sibling = Client(
            id=OWN + 1,
            reseller_id=victim,
            email="sib@example.com",
            firstname="Sib",
            password_hash=hash_password("sib-pass-123"),
        )
        # The attacker reseller's own client, package and sub-account (id 9002), to mix own and foreign ids.
        foreign = Client(
            id=OWN,
            reseller_id=other,
            email="far@example.com",
            firstname="Far",
            password_hash=hash_password("far-pass-123"),
        )
        s.add_all([sibling, foreign, Package(id=OWN, reseller_id=other, name="Own plan", pulse=6)])
        s.flush()
        s.add(
            SubAccount(id=OWN, reseller_id=other, client_id=OWN, package_id=OWN, account="900200_own", sip_password="x")
        )
    tokens = {
        "other reseller": (auth.login_reseller("attacker@example.com", "password-123"), victim),
        "client of the same reseller": (auth.login_client(victim, "sib@example.com", "sib-pass-123"), victim),
        "client of another reseller": (auth.login_client(other, "far@example.com", "far-pass-123"), victim),
        "anonymous visitor": ("", victim),
    }

    staff = {
        role: (auth.login_reseller(f"{role}-attacker@example.com", "staff-pass-123"), victim) for role in ROLE_ATTACKERS
    }

    async def no_sleep(_seconds: float) -> None:
        return None

    # Background handlers poll with sleeps; here they run to completion at once, a couple of rounds only.
    monkeypatch.setattr(asyncio, "sleep", no_sleep)
    monkeypatch.setattr("reseller_app.state.portal.dashboard.LIVE_MAX_POLLS", 2)
    monkeypatch.setattr("reseller_app.state.clients.client_list.LIVE_TICKS", 2)
    return {"victim": victim, "tokens": tokens, "staff": staff}


# Statements that cannot change a row (a probe that ran only these cannot have touched the victim's data).
_READS = ("SELECT", "PRAGMA", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "SET ", "SHOW")


class _Writes:
    """Counts every statement that is not plainly a read, on every engine, while the probe runs: the victim's
    snapshot (one query per table) is taken again only after a probe that ran one, so every change is still seen."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, _conn, _cursor, statement: str, *_args) -> None:
        if not statement.lstrip().upper().startswith(_READS):
            self.count += 1


@pytest.fixture()
def writes():
    counter = _Writes()
    sa_event.listen(Engine, "before_cursor_execute", counter)
    yield counter
    sa_event.remove(Engine, "before_cursor_execute", counter)


def victim_snapshot(victim: int, only: frozenset[str] | None = None) -> str:
    """Every row the victim owns, in every table with a reseller id (sessions, attempts and audit aside), or in the
    tables named in `only`."""
    # twofactor: a login's own two-factor setting (any signed-in login sets up its own).
    skip = {"loginsession", "loginattempt", "auditlog", "outboundemail", "twofactor"}
    rows = {}
    with session_scope() as s:
        conn = s.connection()
        for table in SQLModel.metadata.sorted_tables:
            if table.name in skip or (only is not None and table.name not in only):
                continue
            col = table.c.get("reseller_id") if "reseller_id" in table.c else table.c.get("owner_reseller_id")
            if col is None and table.name == "reseller":
                col = table.c.id
            if col is None:
                continue
            got = conn.execute(table.select().where(col == victim).order_by(*table.primary_key.columns)).all()
            rows[table.name] = [[str(v) for v in r] for r in got]
    return json.dumps(rows, sort_keys=True)


def _root(token: str, rid: int, page_id: int = FOREIGN) -> rx.State:
    """A root state as Reflex builds it for one browser tab, on a page URL naming `page_id`."""
    root = rx.State(_reflex_internal_init=True)
    params = {"rid": str(rid), "client_id": str(page_id), "sub_id": str(page_id), "kind": "voice", "token": "x"}
    root.router = RouterData(_page=PageData(path=f"/r/{rid}/dashboard", params=params))
    session = root.get_substate(SessionState.get_full_name().split(".")[1:])
    session.reseller_token = token
    session.client_token = token
    return root


def _preset_ids(state: rx.State, value: int) -> None:
    """Set every id-like var as a hostile browser could with `setvar`."""
    for name, field in state.get_fields().items():
        if name.startswith("_") or name in ("router", "is_hydrated"):
            continue
        if "id" in name.split("_") or name.endswith("id") or name in ("cid", "sid", "editing", "pending_delete"):
            try:
                if field.annotated_type is int:
                    setattr(state, name, value)
                elif field.annotated_type is str:
                    setattr(state, name, str(value))
            except Exception:  # noqa: BLE001 - a var that refuses the value is simply not preset
                pass


async def _run(state: rx.State, name: str) -> None:
    fn = type(state).event_handlers[name].fn
    result = fn(state, *_args(fn))
    if inspect.isasyncgen(result):
        async for _ in result:
            pass
    elif inspect.isgenerator(result):
        for _ in result:
            pass
    elif inspect.isawaitable(result):
        await result


def _state_text(root: rx.State) -> str:
    return json.dumps(root.dict(), default=str)


# How the state is set up before the call: the page URL's ids, and the value preset into id-like vars (or none).
MODES = {
    "foreign page": (FOREIGN, None),
    "foreign page and vars": (FOREIGN, FOREIGN),
    # The attacker on its own client's page (its own ids in the URL and vars), passing the victim's ids as arguments.
    "own page, foreign arguments": (OWN, OWN),
}


def _probe(cls: type[rx.State], name: str, token: str, rid: int, mode: str) -> tuple[bool, str]:
    """Call one handler; (raised, the attacker's whole state afterwards)."""
    page_id, preset = MODES[mode]
    root = _root(token, rid, page_id)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    if preset is not None:
        # Every state of the tab: a handler may read the ids it acts on from another state (the package wizard's
        # tabs read the open package from its draft state), and a browser can `setvar` on any of them.
        for other in app_states():
            _preset_ids(root.get_substate(other.get_full_name().split(".")[1:]), preset)
    raised = False
    try:
        asyncio.run(_run(state, name))
    except Exception:  # noqa: BLE001 - a refusal may surface as an exception; the data check below decides
        raised = True
    return raised, _state_text(root)


def test_the_handler_list_is_the_whole_app():
    names = {f"{c.__name__}.{n}" for c, n in handlers()}
    # A sample from each area, so an enumeration that silently finds nothing fails.
    for expected in (
        "ManageState.reverse",
        "ServicesState.remove_e911",
        "PackagesState.delete",
        "AreaRatesTab.import_csv",
        "SimulatorTab.run_simulation",
        "ConfigState.save",
        "ClientListState.login_as",
        "ReportsState.set_tab",
        "ApiSettingsState.save_password",
        "DepositState.start",
        "PhoneSystemState.delete",
        "PhoneSystemState.upload_recording",
        "CallFlowsState.save_route",
        "CallFlowsState.simulate",
        "TwoFactorState.disable",
        "SecurityState.begin",
        "SecurityState.confirm",
        "SecurityState.disable",
    ):
        assert expected in names
    assert len(names) > 120
    # Every state class defined under reseller_app/state is in the registered tree, with every handler probed.
    defined = _defined_states()
    assert len(defined) > 25
    probed = set(app_states())
    for cls in defined:
        assert cls in probed, f"{cls.__module__}.{cls.__name__} is not registered (the probe would miss it)"
        for handler in cls.event_handlers:
            assert f"{cls.__name__}.{handler}" in names or handler in ALLOWED or f"{cls.__name__}.{handler}" in ALLOWED
    for entry in ALLOWED - {"setvar"}:
        cls_name, handler = entry.split(".")
        assert any(c.__name__ == cls_name and handler in c.event_handlers for c in app_states()), entry


def test_no_handler_touches_or_reveals_another_accounts_data(arena, writes):
    victim = arena["victim"]
    before = victim_snapshot(victim)
    crashed = []
    failures = []
    for who, (token, rid) in arena["tokens"].items():
        modes = list(MODES) if who == "other reseller" else list(MODES)[:2]
        for cls, name in handlers():
            for mode in modes:
                written = writes.count
                raised, text = _probe(cls, name, token, rid, mode)
                if raised:
                    crashed.append(f"{cls.__name__}.{name} as {who} ({mode})")
                after = victim_snapshot(victim) if writes.count != written else before
                if after != before:
                    failures.append(f"{cls.__name__}.{name} as {who} ({mode}) changed the victim's data")
                    before = after
                leaked = [m for m in SECRET_MARKERS if m in text]
                if leaked:
                    failures.append(f"{cls.__name__}.{name} as {who} ({mode}) revealed {leaked}")
    assert not failures, "\n".join(failures)
    # Every refusal is polite: the handler runs to its end (a message, a redirect), never an exception that the
    # browser would show as an error toast, whatever ids and arguments it is handed.
    assert not crashed, "\n".join(crashed)


@pytest.mark.parametrize("role", list(ROLE_ATTACKERS))
def test_staff_roles_change_nothing_their_role_does_not_allow(arena, writes, role):
    """A support user calling billing handlers, a billing user calling client handlers, a read-only user calling
    every write: each handler, on the reseller's own ids (the rows at 9001), changes nothing outside the role.
    One fresh arena per role: a row that one role may change (support marking a record handled, deleting a client)
    would otherwise hide the same change by the next role."""
    victim = arena["victim"]
    failures, crashed = [], []
    token, rid = arena["staff"][role]
    only = ROLE_ATTACKERS[role]
    before = victim_snapshot(victim, only)
    for cls, name in handlers():
        for mode in list(MODES)[:2]:
            written = writes.count
            raised, _text = _probe(cls, name, token, rid, mode)
            if raised:
                crashed.append(f"{cls.__name__}.{name} as {role} staff ({mode})")
            after = victim_snapshot(victim, only) if writes.count != written else before
            if after != before:
                failures.append(f"{cls.__name__}.{name} as {role} staff ({mode}) changed what the role may not")
                before = after
    assert not failures, "\n".join(failures)
    assert not crashed, "\n".join(crashed)


def test_the_victims_session_does_reach_its_own_data(arena):
    """The probe can see a leak: the victim's own session on its dashboard shows its own name."""
    victim = arena["victim"]
    token = auth.login_client(victim, "victim@example.com", "victim-pass-1")
    from reseller_app.state.portal.dashboard import DashboardState

    _raised, text = _probe(DashboardState, "load", token, victim, "foreign page")
    assert any(m in text for m in SECRET_MARKERS)


def test_a_check_removed_from_a_service_is_caught(arena, writes, monkeypatch):
    """Mutation check: if a service stops checking ownership, the probe reports it (and its write counter, which
    decides when the victim's data is read again, sees the change)."""
    from reseller_app.services.clients import accounts as client_services

    def careless_delete(actor, client_id):
        with session_scope() as s:
            row = s.exec(select(Client).where(Client.id == int(client_id))).one()
            row.company = "changed by the attacker"

    monkeypatch.setattr(client_services, "delete_client", careless_delete)
    victim = arena["victim"]
    before = victim_snapshot(victim)
    from reseller_app.state.clients.client_form import ClientFormState

    token, rid = arena["tokens"]["other reseller"]
    written = writes.count
    _probe(ClientFormState, "delete", token, rid, "foreign page and vars")
    assert writes.count > written
    assert victim_snapshot(victim) != before


def test_the_victim_has_a_row_of_every_call_flow_kind(arena):
    """A call-flow table added later without a victim row here would go unprobed: this fails first."""
    with session_scope() as s:
        for model in (*CALLFLOW_MODELS, SandboxCallFlow):
            assert s.get(model, FOREIGN) is not None, model.__tablename__
    snapshot = json.loads(victim_snapshot(arena["victim"]))
    for model in CALLFLOW_MODELS:
        assert snapshot[model.__tablename__], model.__tablename__


def test_snapshot_covers_every_table_with_a_reseller():
    tables = {t.name for t in SQLModel.metadata.sorted_tables if "reseller_id" in t.c}
    assert {"client", "subaccount", "did", "e911record", "voicemail", "forwarding", "ledgerentry"} <= tables
    assert sa_inspect(Client).primary_key


def test_a_tab_reading_the_open_package_from_another_state_is_probed(arena, monkeypatch):
    """Mutation check: the package wizard's tabs act on the package of the draft state; a careless service is caught.

    The probe presets ids in every state of the tab, as a browser could with `setvar`, so the draft's package id
    is the victim's when the free-zone tab's handler runs.
    """
    from reseller_app.services.catalog import free_zones
    from reseller_app.state.catalog.free_zones import FreeZonesTab

    def careless_add(actor, package_id, kind, value):
        with session_scope() as s:
            pkg = s.get(Package, int(package_id))
            s.add(FreeZone(reseller_id=pkg.reseller_id, package_id=pkg.id, kind="prefix", value="44"))

    monkeypatch.setattr(free_zones, "add_free_zone", careless_add)
    victim = arena["victim"]
    before = victim_snapshot(victim)
    token, rid = arena["tokens"]["other reseller"]
    _probe(FreeZonesTab, "add", token, rid, "foreign page and vars")
    assert victim_snapshot(victim) != before


def test_a_call_flow_service_that_forgets_the_owner_is_caught(arena, monkeypatch):
    """Mutation check: the phone-system handlers pass the victim's ids to the services; a careless one is caught."""
    from reseller_app.services.callflows import numbers as call_numbers
    from reseller_app.state.callflows.call_flows import CallFlowsState

    def careless_route(actor, did_id, form):
        with session_scope() as s:
            s.get(Did, int(did_id)).routing = "sys:hangup"

    monkeypatch.setattr(call_numbers, "route_number", careless_route)
    victim = arena["victim"]
    before = victim_snapshot(victim)
    token, rid = arena["tokens"]["client of the same reseller"]
    _probe(CallFlowsState, "save_route", token, rid, "foreign page and vars")
    assert victim_snapshot(victim) != before


def test_a_careless_building_block_delete_is_caught(arena, monkeypatch):
    """Mutation check: the Phone system page's delete reaches the service with the victim's id."""
    from reseller_app.services.callflows import objects as callflows
    from reseller_app.state.callflows.phone_system import PhoneSystemState

    def careless_delete(actor, kind, object_id, upload_dir=None):
        with session_scope() as s:
            s.get(callflows.MODELS[kind], int(object_id)).name = "changed by the attacker"

    monkeypatch.setattr(callflows, "delete", careless_delete)
    victim = arena["victim"]
    before = victim_snapshot(victim)
    token, rid = arena["tokens"]["client of the same reseller"]
    _probe(PhoneSystemState, "delete", token, rid, "foreign page")
    assert victim_snapshot(victim) != before
