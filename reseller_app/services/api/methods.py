"""The VoIP.ms-compatible reseller methods: each takes the reseller Actor and the request's string parameters.

Every answer value is a string (flags "1"/"0", amounts with 4 decimals); refusals raise ApiError(status).
The client create/update/delete here is a minimal version for the API (the portal's clients service may replace it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from reseller_app.billing.fees import add_months
from reseller_app.billing.money import parse_amount
from reseller_app.db import session_scope
from reseller_app.models import (
    Cdr,
    Client,
    Did,
    E911Record,
    Forwarding,
    LedgerEntry,
    LoginSession,
    Package,
    PasswordResetToken,
    PaymentOrder,
    SubAccount,
    Voicemail,
    utcnow,
)
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.access.auth import end_client_sessions
from reseller_app.services.access.security import hash_password, password_problem
from reseller_app.services.accounting import postings
from reseller_app.services.api.access import ApiError
from reseller_app.services.clients.accounts import TEXT_FIELDS
from reseller_app.services.common import audit
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.common.ids import to_id

Params = dict[str, str]
Q4 = Decimal("0.0001")
MAX_CDR_DAYS = 92
MAX_CDR_ROWS = 10_000
BALANCE_MANAGEMENT = {"1": ("HARD", "Hard (suspend at 0)"), "2": ("SOFT", "Soft (may go negative)")}
DISPOSITION_FILTERS = {"answered": "ANSWERED", "noanswer": "NO ANSWER", "busy": "BUSY", "failed": "FAILED"}
CLIENT_FIELDS = ("firstname", "lastname", "company", "address", "city", "state", "country", "zip", "phone_number")
REQUIRED_FIELDS = ("firstname", "lastname", "address", "city", "state", "country", "zip", "phone_number")
FIELD_LIMITS = {key: limit for key, (_label, limit) in TEXT_FIELDS.items()}  # what the client table takes


def s4(value: Decimal | None) -> str:
    """An amount as VoIP.ms writes it: 4 decimals, half-up."""
    return str((value or Decimal(0)).quantize(Q4, rounding=ROUND_HALF_UP))


def _dec(raw: int | Decimal) -> Decimal:
    # SUM over a Money column comes back as raw micro-units.
    return raw if isinstance(raw, Decimal) else Decimal(int(raw)).scaleb(-6)


def _plain(value: Decimal | None) -> str:
    # Rates and markups without trailing zeros and never in exponent form ("20", "0.0138").
    return f"{(value or Decimal(0)).normalize():f}"


def _hms(seconds: int) -> str:
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def _flag(p: Params, name: str, default: str = "0") -> bool:
    value = (p.get(name) or default).strip()
    if value not in ("0", "1"):
        raise ApiError(f"invalid_{name}")
    return value == "1"


def _is_id(raw: str) -> bool:
    # ASCII digits only: str.isdigit() also accepts other scripts' digits and superscripts.
    return to_id(raw) is not None  # also in the id columns' range: a 500 on PostgreSQL otherwise


def _client(session: Session, actor: Actor, p: Params, *, by_email: bool = False) -> Client:
    raw = (p.get("client") or "").strip()
    if not raw:
        raise ApiError("missing_client")
    client = None
    if _is_id(raw):
        client = session.get(Client, int(raw))
    elif by_email:
        client = session.exec(
            select(Client).where(Client.reseller_id == actor.reseller_id, Client.email == raw.lower())
        ).first()
    if client is None or client.reseller_id != actor.reseller_id:
        raise ApiError("invalid_client")
    return client


def _client_row(c: Client) -> dict[str, str]:
    bm = "1" if c.balance_management == "HARD" else "2"
    row = {"client": str(c.id), "email": c.email}
    row.update({f: str(getattr(c, f) or "") for f in ("company", "firstname", "lastname", "address", "city")})
    row.update({f: str(getattr(c, f) or "") for f in ("state", "country", "zip", "phone_number")})
    row["balance_management"] = bm
    return row


def _email(raw: str | None, code: str = "invalid_email") -> str:
    try:
        return validate_email((raw or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ApiError(code) from None


def _fields(p: Params, *, required: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in CLIENT_FIELDS:
        if name not in p and not required:
            continue
        value = (p.get(name) or "").strip()
        if not value and name in REQUIRED_FIELDS and (required or name in p):
            raise ApiError(f"missing_{name}")
        if len(value) > FIELD_LIMITS[name]:
            raise ApiError(f"invalid_{name}")
        if name == "country" and value:
            if len(value) != 2 or not value.isalpha():
                raise ApiError("invalid_country")
            value = value.upper()
        out[name] = value
    return out


def _balance_management(p: Params, default: str | None) -> str | None:
    raw = (p.get("balance_management") or "").strip()
    if not raw:
        return default
    if raw not in BALANCE_MANAGEMENT:
        raise ApiError("invalid_balance_management")
    return BALANCE_MANAGEMENT[raw][0]


# --- clients ---------------------------------------------------------------------------------------------


def signup_client(actor: Actor, p: Params) -> dict:
    """signupClient: create a client of this reseller; answers its id."""
    require_reseller(actor)
    fields = _fields(p, required=True)
    if not (p.get("email") or "").strip():
        raise ApiError("missing_email")
    email = _email(p.get("email"))
    if not (p.get("confirm_email") or "").strip():
        raise ApiError("missing_confirm_email")
    if (p.get("confirm_email") or "").strip().lower() != email:
        raise ApiError("invalid_confirm_email")
    password = p.get("password") or ""
    if not password:
        raise ApiError("missing_password")
    if password_problem(password):
        raise ApiError("invalid_password")
    if not p.get("confirm_password"):
        raise ApiError("missing_confirm_password")
    if p.get("confirm_password") != password:
        raise ApiError("invalid_confirm_password")
    activate = _flag(p, "activate", "0")
    bm = _balance_management(p, "SOFT")
    password_hash = hash_password(password)
    try:
        with session_scope() as session:
            taken = session.exec(
                select(Client.id).where(Client.reseller_id == actor.reseller_id, Client.email == email)
            ).first()
            if taken is not None:
                raise ApiError("email_exists")
            today = utcnow().date()
            client = Client(
                reseller_id=actor.reseller_id,
                email=email,
                password_hash=password_hash,
                status="ACTIVE" if activate else "WAIT",
                balance_management=bm,
                next_billing_date=add_months(today.replace(day=1), 1),
                **fields,
            )
            session.add(client)
            session.flush()
            audit.record(session, actor, "api_signup_client", "client", client.id)
            return {"client": str(client.id)}
    except IntegrityError:
        raise ApiError("email_exists") from None


def set_client(actor: Actor, p: Params) -> dict:
    """setClient: update a client's contact fields, email, password or balance management."""
    require_reseller(actor)
    fields = _fields(p, required=False)
    email = _email(p.get("email")) if (p.get("email") or "").strip() else None
    password = p.get("password") or ""
    if password and password_problem(password):
        raise ApiError("invalid_password")
    bm = _balance_management(p, None)
    password_hash = hash_password(password) if password else None
    with session_scope() as session:
        client = _client(session, actor, p)
        if email and email != client.email:
            taken = session.exec(
                select(Client.id).where(Client.reseller_id == actor.reseller_id, Client.email == email)
            ).first()
            if taken is not None:
                raise ApiError("email_exists")
            client.email = email
        for name, value in fields.items():
            setattr(client, name, value)
        if bm:
            client.balance_management = bm
            if bm == "SOFT" and client.status == "SUSPENDED" and client.suspended_by == "balance":
                client.status, client.suspended_by = "ACTIVE", None
        if password_hash:
            client.password_hash = password_hash
            end_client_sessions(session, client.id)  # whoever knew the old password is signed out
        audit.record(session, actor, "api_set_client", "client", client.id)
    return {}


def get_clients(actor: Actor, p: Params) -> dict:
    """getClients: every client of the reseller, or one by id or email."""
    require_reseller(actor)
    with session_scope() as session:
        if (p.get("client") or "").strip():
            rows = [_client(session, actor, p, by_email=True)]
        else:
            rows = session.exec(
                select(Client).where(Client.reseller_id == actor.reseller_id).order_by(Client.id).limit(5000)
            ).all()
        return {"clients": [_client_row(c) for c in rows]}


def del_client(actor: Actor, p: Params) -> dict:
    """delClient: delete a client with nothing connected (sub-accounts, numbers, e911, voicemail, forwarding)."""
    require_reseller(actor)
    with session_scope() as session:
        client = _client(session, actor, p)
        cid = client.id
        for model in (SubAccount, Did, E911Record, Voicemail, Forwarding):
            if session.exec(select(model.id).where(model.client_id == cid).limit(1)).first() is not None:
                raise ApiError("client_in_use")
        # Calls stay in the reseller's books (cost and profit) without the client.
        session.exec(update(Cdr).where(Cdr.client_id == cid).values(client_id=None))
        for model in (LedgerEntry, LoginSession, PasswordResetToken, PaymentOrder):
            session.exec(delete(model).where(model.client_id == cid))
        session.delete(client)
        audit.record(session, actor, "api_del_client", "client", cid)
    return {}


# --- balance management and thresholds -----------------------------------------------------------------


def get_balance_management(actor: Actor, p: Params) -> dict:
    """getBalanceManagement: the two modes (1 hard, 2 soft), or one of them."""
    require_reseller(actor)
    wanted = (p.get("balance_management") or "").strip()
    if wanted and wanted not in BALANCE_MANAGEMENT:
        raise ApiError("invalid_balance_management")
    items = [
        {"value": value, "description": desc}
        for value, (_, desc) in BALANCE_MANAGEMENT.items()
        if not wanted or value == wanted
    ]
    return {"balance_management": items}


def get_client_threshold(actor: Actor, p: Params) -> dict:
    """getClientThreshold: the low-balance threshold and the address it notifies."""
    require_reseller(actor)
    with session_scope() as session:
        c = _client(session, actor, p)
        threshold = "" if c.low_balance_threshold is None else str(int(c.low_balance_threshold))
        return {"threshold_information": {"threshold": threshold, "email": c.low_balance_email or ""}}


def set_client_threshold(actor: Actor, p: Params) -> dict:
    """setClientThreshold: threshold 10–500 (whole units) and an optional notification address."""
    require_reseller(actor)
    raw = (p.get("threshold") or "").strip()
    if not raw:
        raise ApiError("missing_threshold")
    if not _is_id(raw) or not 10 <= int(raw) <= 500:
        raise ApiError("invalid_threshold")
    email = _email(p.get("email")) if (p.get("email") or "").strip() else ""
    with session_scope() as session:
        c = _client(session, actor, p)
        c.low_balance_threshold = Decimal(int(raw))
        c.low_balance_email = email
        # Re-arm from the current balance so the next crossing mails once.
        c.low_balance_armed = c.balance >= c.low_balance_threshold
        audit.record(session, actor, "api_set_threshold", "client", c.id, threshold=raw)
    return {}


# --- money ---------------------------------------------------------------------------------------------


def _amount(raw: str | None, name: str) -> Decimal:
    raw = (raw or "").strip()
    if not raw:
        raise ApiError(f"missing_{name}")
    try:
        value = parse_amount(raw, places=2, what=name)
    except ValueError:
        raise ApiError("invalid_amount") from None
    if value <= 0 or value > Decimal("1000000"):
        raise ApiError("invalid_amount")
    return value


def _posting(actor: Actor, p: Params, kind: str, name: str) -> dict:
    require_reseller(actor)
    if not (p.get("client") or "").strip():
        raise ApiError("missing_client")
    amount = _amount(p.get(name), name)
    description = (p.get("description") or "").strip()
    if not description:
        raise ApiError("missing_description")
    if len(description) > 255:
        raise ApiError("invalid_description")
    key = (p.get("idempotency_key") or "").strip()
    if len(key) > 80 or (key and not key.isprintable()):
        raise ApiError("invalid_idempotency_key")
    test = _flag(p, "test", "0")
    with session_scope() as session:
        client = _client(session, actor, p)
        cid = client.id
    if test:
        return {}
    try:
        postings.manual_posting(actor, cid, kind, amount, description, reference=key or None)
    except NotFound:
        raise ApiError("invalid_client") from None
    except ValidationFailed as e:
        field = next(iter(e.errors), "amount")
        raise ApiError("missing_description" if field == "description" else "invalid_amount") from None
    except IntegrityError:
        # The same idempotency key raced in from another request: it posted once there.
        pass
    return {}


def add_charge(actor: Actor, p: Params) -> dict:
    """addCharge: charge the client (test=1 validates only; idempotency_key posts once)."""
    return _posting(actor, p, "charge", "charge")


def add_payment(actor: Actor, p: Params) -> dict:
    """addPayment: credit the client (test=1 validates only; idempotency_key posts once)."""
    return _posting(actor, p, "payment", "payment")


def _entries(actor: Actor, p: Params, kind: str, key: str) -> dict:
    require_reseller(actor)
    with session_scope() as session:
        c = _client(session, actor, p)
        rows = session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.client_id == c.id, LedgerEntry.kind == kind)
            .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
            .limit(5000)
        ).all()
        return {
            key: [
                {
                    "id": str(e.id),
                    "date": e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    "amount": s4(abs(e.amount)),
                    "description": e.description,
                }
                for e in rows
            ]
        }


def get_charges(actor: Actor, p: Params) -> dict:
    """getCharges: the client's charges, newest first."""
    return _entries(actor, p, "charge", "charges")


def get_deposits(actor: Actor, p: Params) -> dict:
    """getDeposits: the client's payments, newest first."""
    return _entries(actor, p, "payment", "deposits")


# --- packages ------------------------------------------------------------------------------------------


def _package_row(pk: Package) -> dict[str, str]:
    return {
        "package": str(pk.id),
        "name": pk.name,
        "markup_fixed": _plain(pk.markup_fixed),
        "markup_percentage": _plain(pk.markup_percent),
        "pulse": str(pk.pulse),
        "international_route": pk.international_route,
        "canada_route": pk.canada_route,
        "monthly_fee": s4(pk.monthly_fee),
        "setup_fee": s4(pk.setup_fee),
        "free_minutes": str(pk.free_minutes),
    }


def get_packages(actor: Actor, p: Params) -> dict:
    """getPackages: the reseller's packages, or one."""
    require_reseller(actor)
    raw = (p.get("package") or "").strip()
    with session_scope() as session:
        stmt = select(Package).where(Package.reseller_id == actor.reseller_id)
        if raw:
            if not _is_id(raw):
                raise ApiError("invalid_package")
            stmt = stmt.where(Package.id == int(raw))
        rows = session.exec(stmt.order_by(Package.id)).all()
        if raw and not rows:
            raise ApiError("invalid_package")
        return {"packages": [_package_row(pk) for pk in rows]}


def get_client_packages(actor: Actor, p: Params) -> dict:
    """getClientPackages: the packages on the client's sub-accounts."""
    require_reseller(actor)
    with session_scope() as session:
        c = _client(session, actor, p)
        # DISTINCT over whole rows fails on PostgreSQL (json columns have no equality): filter by id instead.
        used = select(SubAccount.package_id).where(SubAccount.client_id == c.id)
        rows = session.exec(
            select(Package).where(Package.id.in_(used), Package.reseller_id == actor.reseller_id).order_by(Package.id)
        ).all()
        return {"packages": [{"value": str(pk.id), "description": pk.name} for pk in rows]}


# --- balance and calls ---------------------------------------------------------------------------------


def get_reseller_balance(actor: Actor, p: Params) -> dict:
    """getResellerBalance: the client's balance, spend, calls and talk time (total and today, UTC)."""
    require_reseller(actor)
    with session_scope() as session:
        c = _client(session, actor, p)
        today = datetime.combine(utcnow().date(), time(0), tzinfo=UTC)

        def agg(since: datetime | None) -> tuple[Decimal, int, int]:
            stmt = select(
                func.coalesce(func.sum(Cdr.price), 0), func.count(Cdr.id), func.coalesce(func.sum(Cdr.duration), 0)
            ).where(Cdr.client_id == c.id)
            if since is not None:
                stmt = stmt.where(Cdr.start >= since)
            total, count, secs = session.exec(stmt).one()
            return _dec(total), int(count), int(secs)

        spent, calls, secs = agg(None)
        spent_d, calls_d, secs_d = agg(today)
        return {
            "balance": {
                "current_balance": s4(c.balance),
                "spent_total": s4(spent),
                "calls_total": str(calls),
                "time_total": _hms(secs),
                "spent_today": s4(spent_d),
                "calls_today": str(calls_d),
                "time_today": _hms(secs_d),
            }
        }


def _date(p: Params, name: str) -> date:
    raw = (p.get(name) or "").strip()
    if not raw:
        raise ApiError(f"missing_{name.replace('_', '')}")
    try:
        return date.fromisoformat(raw[:10]) if len(raw) == 10 else date.fromisoformat(raw)
    except ValueError:
        raise ApiError(f"invalid_{name.replace('_', '')}") from None


def _tz(p: Params) -> timezone:
    raw = (p.get("timezone") or "0").strip()
    try:
        hours = Decimal(raw)
    except ArithmeticError:
        raise ApiError("invalid_timezone") from None
    if not hours.is_finite() or not Decimal(-12) <= hours <= Decimal(14) or (hours * 4) % 1 != 0:
        raise ApiError("invalid_timezone")
    return timezone(timedelta(minutes=int(hours * 60)))


def get_reseller_cdr(actor: Actor, p: Params) -> dict:
    """getResellerCDR: one client's calls between two dates (at most 92 days), filtered by outcome."""
    require_reseller(actor)
    d_from, d_to = _date(p, "date_from"), _date(p, "date_to")
    if d_to < d_from or (d_to - d_from).days > MAX_CDR_DAYS:
        raise ApiError("invalid_daterange")
    tz = _tz(p)
    wanted = [disp for flag, disp in DISPOSITION_FILTERS.items() if _flag(p, flag, "0")]
    calltype = (p.get("calltype") or "all").strip().lower()
    if calltype not in ("all", "outgoing", "incoming"):
        raise ApiError("invalid_calltype")
    billing = (p.get("callbilling") or "all").strip().lower()
    if billing not in ("all", "free", "billed"):
        raise ApiError("invalid_callbilling")
    account = (p.get("account") or "").strip()
    start = datetime.combine(d_from, time(0), tzinfo=tz)
    end = datetime.combine(d_to + timedelta(days=1), time(0), tzinfo=tz)
    with session_scope() as session:
        c = _client(session, actor, p)
        stmt = select(Cdr).where(Cdr.client_id == c.id, Cdr.start >= start, Cdr.start < end)
        if wanted:
            stmt = stmt.where(Cdr.disposition.in_(wanted))
        if calltype != "all":
            stmt = stmt.where(Cdr.direction == ("out" if calltype == "outgoing" else "in"))
        if billing == "free":
            stmt = stmt.where(Cdr.price == 0)
        elif billing == "billed":
            stmt = stmt.where(Cdr.price != 0)
        if account and account.lower() != "all":
            stmt = stmt.where(Cdr.account == account)
        rows = session.exec(stmt.order_by(Cdr.start.desc(), Cdr.id.desc()).limit(MAX_CDR_ROWS)).all()
    if not rows:
        raise ApiError("no_cdr")
    return {"cdr": [_cdr_row(r, tz) for r in rows]}


def _cdr_row(r: Cdr, tz: timezone) -> dict[str, str]:
    inbound = r.direction == "in"
    return {
        "date": r.start.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
        "callerid": r.callerid,
        "destination": r.destination,
        "description": r.description or ("Inbound DID" if inbound else "Outbound"),
        "account": r.account,
        "disposition": r.disposition,
        "duration": _hms(r.duration),
        "seconds": str(r.duration),
        "rate": _plain(r.sell_rate),
        "total": s4(r.price),
        "uniqueid": r.uniqueid,
        "destination_type": "inbound" if inbound else (r.country or "unknown"),
    }


# --- dispatch ------------------------------------------------------------------------------------------

METHODS: dict[str, Callable[[Actor, Params], dict]] = {
    "signupClient": signup_client,
    "setClient": set_client,
    "getClients": get_clients,
    "delClient": del_client,
    "getBalanceManagement": get_balance_management,
    "getClientThreshold": get_client_threshold,
    "setClientThreshold": set_client_threshold,
    "addCharge": add_charge,
    "addPayment": add_payment,
    "getCharges": get_charges,
    "getDeposits": get_deposits,
    "getPackages": get_packages,
    "getClientPackages": get_client_packages,
    "getResellerBalance": get_reseller_balance,
    "getResellerCDR": get_reseller_cdr,
}


def call(actor: Actor, method: str, params: Params) -> dict:
    """Run one method; ApiError("invalid_method") for an unknown name."""
    fn = METHODS.get(method)
    if fn is None:
        raise ApiError("invalid_method" if method else "missing_method")
    return fn(actor, params)
