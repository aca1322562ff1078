"""Manage client's accounts: the list, create, edit, activate, delete, low-balance email and the history."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func
from sqlmodel import Session, select

from reseller_app.billing.ledger import THRESHOLD_MIN, validate_threshold
from reseller_app.db import session_scope
from reseller_app.models import (
    AuditLog,
    Client,
    Did,
    E911Record,
    Forwarding,
    LedgerEntry,
    LoginAttempt,
    LoginSession,
    OutboundEmail,
    Package,
    PasswordResetToken,
    SubAccount,
    Voicemail,
    utcnow,
)
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.access.auth import end_client_sessions
from reseller_app.services.access.security import hash_password, password_problem
from reseller_app.services.accounting.postings import Effects, run_effects, set_status, status_for
from reseller_app.services.callflows import objects as callflows
from reseller_app.services.common import audit, fields
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.common.lookup import client_of_reseller as own_client
from reseller_app.services.common.paging import page_size as page_size_of
from reseller_app.services.common.paging import read_page
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role

STATUSES = ("ACTIVE", "WAIT", "SUSPENDED")
MODES = ("SOFT", "HARD")
# Field name -> (label, max length); the guide's client fields besides email, password and dates.
TEXT_FIELDS = {
    "firstname": ("First name", 80),
    "lastname": ("Last name", 80),
    "company": ("Company", 120),
    "address": ("Address", 200),
    "city": ("City", 80),
    "state": ("State", 80),
    "country": ("Country", 2),
    "zip": ("Zip", 20),
    "phone_number": ("Phone number", 32),
}
HISTORY_PAGE = 25


def main_account(reseller_id: int) -> str:
    """The reseller's main carrier account number, the prefix of every sub-account (`<account>_<name>`)."""
    return str(100000 + int(reseller_id))


def clean_email(raw: str, field: str = "email") -> str:
    """A normalised email address, or ValidationFailed on the field."""
    try:
        return validate_email((raw or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed({field: "Enter a valid email address."}) from None


def _clean_details(data: dict, current_billing: date | None = None) -> tuple[dict, dict[str, str]]:
    """The client's fields from a form or the API, with a message per bad field.

    `current_billing` is the edited client's next billing date: kept as it is even once past (the billing run
    moves it on); any other date in the past is refused.
    """
    values: dict = {}
    errors: dict[str, str] = {}
    for key, (label, limit) in TEXT_FIELDS.items():
        value = str(data.get(key, "") or "").strip()
        if len(value) > limit:
            errors[key] = f"{label}: at most {limit} characters."
        values[key] = value
    if not values["firstname"]:
        errors["firstname"] = "Enter the first name."
    values["country"] = values["country"].upper()
    if values["country"] and not (len(values["country"]) == 2 and values["country"].isalpha()):
        errors["country"] = "Use the two-letter country code, e.g. CA or US."
    if values["phone_number"] and "phone_number" not in errors:
        try:
            # Checked with phonenumbers, kept as typed (the API answers it back as it was given).
            fields.phone_e164(values["phone_number"], "phone_number", values["country"] or "US")
        except ValidationFailed as e:
            errors.update(e.errors)
    values["next_billing_date"] = None
    try:
        values["next_billing_date"] = fields.billing_date(
            str(data.get("next_billing_date", "") or "").strip(),
            current=current_billing,
        )
    except ValidationFailed as e:
        errors.update(e.errors)
    mode = str(data.get("balance_management", "SOFT") or "SOFT").upper()
    if mode not in MODES:
        errors["balance_management"] = "Choose SOFT or HARD."
    values["balance_management"] = mode
    try:
        values["email"] = clean_email(str(data.get("email", "")))
    except ValidationFailed as e:
        errors.update(e.errors)
    return values, errors


def _email_taken(session: Session, reseller_id: int, email: str, except_id: int | None = None) -> bool:
    stmt = select(Client.id).where(Client.reseller_id == reseller_id, Client.email == email)
    if except_id is not None:
        stmt = stmt.where(Client.id != except_id)
    return session.exec(stmt).first() is not None


def create_client(actor: Actor, data: dict, *, active: bool = True) -> int:
    """Create a client with the guide's fields, ACTIVE (or WAITing for activation); returns its id."""
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    values, errors = _clean_details(data)
    password = str(data.get("password", "") or "")
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    pw_hash = hash_password(password)  # slow argon2 work outside the write transaction
    with session_scope() as session:
        if _email_taken(session, actor.reseller_id, values["email"]):
            raise ValidationFailed({"email": "Another client of yours already uses this email."})
        status = "ACTIVE" if active else "WAIT"
        client = Client(reseller_id=actor.reseller_id, password_hash=pw_hash, status=status, **values)
        session.add(client)
        session.flush()
        audit.record(session, actor, "create_client", "client", client.id, email=client.email)
        return client.id


def _details(c: Client) -> dict:
    out = {key: str(getattr(c, key) or "") for key in TEXT_FIELDS}
    out.update(
        id=str(c.id),
        email=c.email,
        next_billing_date=c.next_billing_date.isoformat() if c.next_billing_date else "",
        balance_management=c.balance_management,
        status=c.status,
        balance=fmt.money(c.balance),
        balance_negative="1" if c.balance < 0 else "",
        low_balance_threshold=f"{c.low_balance_threshold:.2f}" if c.low_balance_threshold is not None else "",
        low_balance_email=c.low_balance_email,
        name=f"{c.firstname} {c.lastname}".strip(),
    )
    return out


def client_details(actor: Actor, client_id: int | str) -> dict:
    """The editable fields and state of one client, as strings."""
    require_reseller(actor)
    with session_scope() as session:
        return _details(own_client(session, actor, client_id))


def all_client_details(actor: Actor, email: str = "", limit: int = 5000) -> list[dict]:
    """`client_details` of every client of the reseller (or the one with this email), oldest first."""
    require_reseller(actor)
    stmt = select(Client).where(Client.reseller_id == actor.reseller_id, Client.deleted_at.is_(None))
    if email:
        stmt = stmt.where(Client.email == email.strip().lower())
    with session_scope() as session:
        return [_details(c) for c in session.exec(stmt.order_by(Client.id).limit(limit)).all()]


def update_client(actor: Actor, client_id: int | str, data: dict) -> None:
    """Save the client's details and balance management (a switch re-applies the balance rules)."""
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    with session_scope() as session:
        current_billing = own_client(session, actor, client_id).next_billing_date
    values, errors = _clean_details(data, current_billing)
    password = str(data.get("password", "") or "")
    pw_hash = None
    if password:
        problem = password_problem(password)
        if problem:
            errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    if password:
        pw_hash = hash_password(password)
    fx = Effects()
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        if _email_taken(session, actor.reseller_id, values["email"], except_id=client.id):
            raise ValidationFailed({"email": "Another client of yours already uses this email."})
        old_mode = client.balance_management
        for key, value in values.items():
            setattr(client, key, value)
        if pw_hash:
            client.password_hash = pw_hash
            end_client_sessions(session, client.id)  # whoever knew the old password is signed out
        if old_mode != client.balance_management:
            set_status(session, client, status_for(client), fx)
        audit.record(session, actor, "update_client", "client", client.id, mode=client.balance_management)
    run_effects(fx)


def set_low_balance(
    actor: Actor, client_id: int | str, threshold: str, email: str, *, minimum: Decimal = THRESHOLD_MIN
) -> None:
    """Set (or, with an empty threshold, turn off) the low-balance email and its address.

    The guide's range is 10 to 500; the REST API also takes VoIP.ms's 1 to 250 (`minimum=1`).
    """
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    raw = (threshold or "").strip()
    value: Decimal | None = None
    errors: dict[str, str] = {}
    if raw:
        try:
            value = validate_threshold(raw, minimum)
        except ValueError:
            errors["threshold"] = f"Enter an amount between {minimum} and 500 (at most 2 decimals)."
    address = ""
    if (email or "").strip():
        try:
            address = clean_email(email, "low_balance_email")
        except ValidationFailed as e:
            errors.update(e.errors)
    if errors:
        raise ValidationFailed(errors)
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        client.low_balance_threshold = value
        client.low_balance_email = address
        # Armed again: the next fall below the new threshold sends one email.
        client.low_balance_armed = value is None or client.balance >= value
        audit.record(session, actor, "set_low_balance", "client", client.id, threshold=raw or "off")


def activate_client(actor: Actor, client_id: int | str) -> None:
    """Activate a client who signed up and is WAITing, so it can sign in."""
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        if client.status != "WAIT":
            raise ValidationFailed({"status": "Only a client awaiting activation (WAIT) can be activated."})
        set_status(session, client, "ACTIVE", Effects())  # leaving WAIT blocks or unblocks nothing
        audit.record(session, actor, "activate_client", "client", client.id)


def connections(session: Session, client_id: int) -> dict[str, int]:
    """How many sub-accounts, DIDs and fax numbers are connected to a client."""
    subs = session.exec(select(func.count(SubAccount.id)).where(SubAccount.client_id == client_id)).one()
    kinds = dict(
        session.exec(select(Did.kind, func.count(Did.id)).where(Did.client_id == client_id).group_by(Did.kind)).all()
    )
    return {"subaccounts": int(subs), "dids": int(kinds.get("voice", 0)), "fax": int(kinds.get("fax", 0))}


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _named(n: int, one: str, many: str, names: list[str], shown: int = 5) -> str:
    more = f" and {n - shown} more" if n > shown else ""
    return f"{_plural(n, one, many)} ({', '.join(names[:shown])}{more})"


def connected_names(session: Session, client_id: int) -> list[str]:
    """What still holds a client, named: "1 sub-account (100001_desk)", "2 DIDs (15145550100, 15145550101)"."""
    subs = list(
        session.exec(select(SubAccount.account).where(SubAccount.client_id == client_id).order_by(SubAccount.account))
    )
    rows = session.exec(select(Did.kind, Did.number).where(Did.client_id == client_id).order_by(Did.number)).all()
    voice = [number for kind, number in rows if kind == "voice"]
    fax = [number for kind, number in rows if kind == "fax"]
    out = []
    if subs:
        out.append(_named(len(subs), "sub-account", "sub-accounts", subs))
    if voice:
        out.append(_named(len(voice), "DID", "DIDs", voice))
    if fax:
        out.append(_named(len(fax), "fax number", "fax numbers", fax))
    return out


def deleted_label(client_id: int) -> str:
    """How a deleted client is named from then on (its tombstone's `email`, so every report shows it)."""
    return f"Deleted client #{client_id}"


def delete_client(actor: Actor, client_id: int | str) -> None:
    """Delete a client: the person goes, the books stay; refused while anything is still connected.

    Removed: name, company, address, phone, emails, the password hash, sessions (impersonations too), password-reset
    links, e911 records, voicemail boxes, forwardings, failed-login counters, the mail written to it and the email in
    earlier audit rows. Kept: the row itself as an anonymised tombstone (`deleted_at`, named "Deleted client #id"),
    so its ledger, calls, faxes and payment orders keep their owner and the reseller's reports and totals do not
    change. The email address is free again; nobody can log in as the tombstone, and every lookup, list and the
    API skip it. The REST API's delClient calls this too.
    """
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        left = connected_names(session, client.id)
        if left:
            raise ValidationFailed({"delete": f"Unconnect first: {'; '.join(left)} still connected."})
        cid = client.id
        addresses = {a for a in (client.email, client.low_balance_email) if a}
        # Its phone system goes first (ring groups point at its voicemail boxes), at the carrier after commit.
        flow_refs = callflows.forget_client(session, cid)
        for model in (E911Record, Voicemail, Forwarding, PasswordResetToken, LoginSession):
            session.exec(delete(model).where(model.client_id == cid))
        session.exec(
            delete(LoginAttempt).where(
                LoginAttempt.realm == f"client:{client.reseller_id}", LoginAttempt.login == client.email
            )
        )
        if addresses:
            session.exec(
                delete(OutboundEmail).where(
                    OutboundEmail.reseller_id == client.reseller_id, OutboundEmail.to_addr.in_(addresses)
                )
            )
        for row in session.exec(
            select(AuditLog).where(
                AuditLog.reseller_id == client.reseller_id, AuditLog.object_type == "client", AuditLog.object_id == cid
            )
        ).all():
            if "email" in (row.detail or {}):
                row.detail = {k: v for k, v in row.detail.items() if k != "email"}
        for key in TEXT_FIELDS:
            setattr(client, key, "")
        client.email = deleted_label(cid)
        client.password_hash = ""
        client.low_balance_threshold = None
        client.low_balance_email = ""
        client.next_billing_date = None
        client.last_login_at = None
        client.deleted_at = utcnow()
        audit.record(session, actor, "delete_client", "client", cid)
    callflows.release_at_carrier(actor.reseller_id, flow_refs)


def list_clients(actor: Actor, search: str = "", status: str = "", page: int = 1, page_size: int = 25) -> dict:
    """One page of the reseller's clients, searched and filtered in SQL (indexed on reseller and status)."""
    require_reseller(actor)
    stmt = select(Client).where(Client.reseller_id == actor.reseller_id, Client.deleted_at.is_(None))
    if status in STATUSES:
        stmt = stmt.where(Client.status == status)
    term = (search or "").strip().lower()[:100]
    if term:
        esc = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{esc}%"
        cond = (
            func.lower(Client.email).like(like, escape="\\")
            | func.lower(Client.firstname).like(like, escape="\\")
            | func.lower(Client.lastname).like(like, escape="\\")
            | func.lower(Client.company).like(like, escape="\\")
            | Client.phone_number.like(like, escape="\\")
        )
        if term.isdigit() and len(term) < 12:
            cond = cond | (Client.id == int(term))
        stmt = stmt.where(cond)
    with session_scope() as session:
        w, rows = read_page(session, stmt, page, page_size_of(page_size, 25), Client.id.desc())
        items = [
            {
                "id": str(c.id),
                "email": c.email,
                "name": f"{c.firstname} {c.lastname}".strip(),
                "company": c.company,
                "phone": c.phone_number,
                "status": c.status,
                "last_login": fmt.when(c.last_login_at),
                "balance": fmt.money(c.balance),
                "balance_negative": "1" if c.balance < 0 else "",
            }
            for c in rows
        ]
    return w.page_of(items).as_dict()


def package_choices(actor: Actor) -> list[dict[str, str]]:
    """The reseller's packages for a drop-down: id, name and setup fee."""
    require_reseller(actor)
    with session_scope() as session:
        rows = session.exec(
            select(Package.id, Package.name, Package.setup_fee)
            .where(Package.reseller_id == actor.reseller_id)
            .order_by(Package.name)
        ).all()
        return [
            {"id": str(pid), "name": name, "label": f"{name} (setup {fmt.money(setup)})"} for pid, name, setup in rows
        ]


def history(actor: Actor, client_id: int | str, page: int = 1) -> dict:
    """One page of the client's transactions, newest first; reversed entries and reversals are both shown."""
    require_reseller(actor)
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        entries = select(LedgerEntry).where(LedgerEntry.client_id == client.id)
        w, rows = read_page(session, entries, page, HISTORY_PAGE, LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        ids = [r.id for r in rows]
        reversed_ids = set(session.exec(select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.in_(ids))).all())
        items = [
            {
                "id": str(r.id),
                "date": fmt.when(r.created_at, client.timezone),
                "kind": fmt.ledger_kind(r.kind),
                "description": r.description,
                "amount": fmt.posting(r.amount),
                "negative": "1" if r.amount < 0 else "",
                "reversed": "1" if r.id in reversed_ids else "",
                "can_delete": "1" if r.kind != "reversal" and r.id not in reversed_ids else "",
            }
            for r in rows
        ]
        return {**w.page_of(items).as_dict(), "balance": fmt.money(client.balance)}


def new_form_token() -> str:
    """A one-use token a form carries so a repeated submit posts once."""
    return uuid.uuid4().hex
