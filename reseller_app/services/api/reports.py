"""Reports over the API: getResellerCDR and the lookups of its filters, getResellerSMS / getResellerMMS."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation

from sqlmodel import select

from reseller_app.billing import enums
from reseller_app.db import session_scope
from reseller_app.models import Cdr, Message
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.api.access import ApiError
from reseller_app.services.api.wire import (
    Answer,
    Params,
    amount,
    client_id,
    day,
    hms,
    is_id,
    method,
    need,
    opt,
    req,
    text,
    yes,
)
from reseller_app.services.common.errors import NotFound
from reseller_app.services.reporting import call_records

MAX_CDR_DAYS = 92
CALL_TYPES = {"all": "All Calls", "outgoing": "Outgoing Calls", "incoming": "Incoming Calls"}
CALL_BILLING = {"all": "All Calls", "free": "Free Calls", "billed": "Billed Calls"}
AREAS = {"US": "USA", "CA": "CAN"}


def offset(p: Params, required: bool) -> timezone:
    """The `timezone` parameter: hours from UTC, -12 to 13, in quarter hours (-3.5 allowed)."""
    raw = text(p, "timezone")
    if not raw:
        if required:
            raise ApiError("missing_timezone")
        return UTC
    try:
        hours = Decimal(raw)
    except InvalidOperation:
        raise ApiError("invalid_timezone") from None
    if not hours.is_finite() or not Decimal(-12) <= hours <= Decimal(13) or (hours * 4) % 1 != 0:
        raise ApiError("invalid_timezone")
    return timezone(timedelta(minutes=int(hours * 60)))


def destination_type(c: Cdr) -> str:
    """`DIRECTION:AREA` as VoIP.ms samples it (IN:USA); area USA, CAN or INT."""
    return f"{'IN' if c.direction == 'in' else 'OUT'}:{AREAS.get(c.country or 'US', 'INT')}"


def cdr_row(c: Cdr, tz: timezone) -> dict[str, str]:
    """A getResellerCDR row: exactly VoIP.ms's 12 keys."""
    return {
        "date": c.start.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
        "callerid": c.callerid,
        "destination": c.destination,
        "description": c.description or ("Inbound DID" if c.direction == "in" else "Outbound"),
        "account": c.account,
        "disposition": c.disposition,
        "duration": hms(c.duration),
        "seconds": str(c.duration),
        "total": amount(c.price, 4),
        "uniqueid": c.uniqueid,
        "destination_type": destination_type(c),
        "call_logs": c.call_path,  # the way an inbound call went through the client's call flow
    }


@method(
    "getResellerCDR",
    "A client's calls between two dates (at most 92 days), by outcome, DID, billing and sub-account.",
    (
        req("date_from", "YYYY-MM-DD, first day (in `timezone`)."),
        req("date_to", "YYYY-MM-DD, last day, inclusive."),
        req("client", "Client id."),
        req("answered", "1 = include answered calls (at least one of the four outcomes must be 1)."),
        req("noanswer", "1 = include unanswered calls."),
        req("busy", "1 = include busy calls."),
        req("failed", "1 = include failed calls."),
        req("timezone", "Hours from UTC, -12 to 13 (-3.5 allowed): the days asked and the dates shown."),
        opt("calltype", "all (default), outgoing, incoming, or one of the client's DIDs (getCallTypes)."),
        opt("callbilling", "all (default), free or billed (getCallBilling)."),
        opt("account", "all (default) or one of the client's sub-accounts (getCallAccounts)."),
    ),
    (
        "missing_client",
        "invalid_client",
        "missing_from_date",
        "missing_to_date",
        "invalid_date",
        "invalid_date_from",
        "invalid_daterange",
        "no_callstatus",
        "missing_timezone",
        "invalid_timezone",
        "invalid_did",
        "invalid_account",
        "missing_params",
        "no_cdr",
    ),
    "`call_logs` is the path an inbound call took through the client's call flow (empty for other calls). An "
    "unknown `callbilling` answers `missing_params`; "
    "a `calltype` that is not a keyword nor the client's DID answers `invalid_did`.",
)
def get_reseller_cdr(actor: Actor, p: Params) -> Answer:
    """getResellerCDR."""
    require_reseller(actor)
    d_from = day(need(p, "date_from", "from_date"))
    d_to = day(need(p, "date_to", "to_date"))
    if d_from > d_to:
        raise ApiError("invalid_date_from")
    if (d_to - d_from).days > MAX_CDR_DAYS:
        raise ApiError("invalid_daterange")
    cid = client_id(actor, p)
    wanted = tuple(disp for name, disp in enums.CALL_TYPES.items() if yes(p, name))
    if not wanted:
        raise ApiError("no_callstatus")
    tz = offset(p, required=True)
    calltype = text(p, "calltype").lower() or "all"
    direction, did = "", ""
    if calltype in ("outgoing", "incoming"):
        direction = "out" if calltype == "outgoing" else "in"
    elif calltype != "all":
        if not is_id(calltype.lstrip("+")):
            raise ApiError("invalid_did")
        did = calltype.lstrip("+")
    billing = text(p, "callbilling").lower() or "all"
    if billing not in CALL_BILLING:
        raise ApiError("missing_params")
    account = text(p, "account")
    account = "" if account.lower() == "all" else account
    q = call_records.CallQuery(
        client_id=int(cid),
        start=datetime.combine(d_from, time(0), tzinfo=tz),
        end=datetime.combine(d_to + timedelta(days=1), time(0), tzinfo=tz),
        dispositions=wanted,
        direction=direction,
        did=did,
        account=account,
        billed=None if billing == "all" else billing == "billed",
    )
    try:
        rows = call_records.client_calls(actor, q)
    except NotFound as e:
        raise ApiError("invalid_did" if "DID" in str(e) else "invalid_account") from None
    if not rows:
        raise ApiError("no_cdr")
    return {"cdr": [cdr_row(r, tz) for r in rows]}


@method(
    "getCallTypes",
    "Values for getResellerCDR's `calltype`: all, outgoing, incoming, then the client's DIDs (or all yours).",
    (opt("client", "Client id; absent = every DID of yours."),),
    ("invalid_client",),
)
def get_call_types(actor: Actor, p: Params) -> Answer:
    """getCallTypes."""
    require_reseller(actor)
    cid = client_id(actor, p, required=False)
    values = call_records.filter_values(actor, cid)
    rows = [{"value": v, "description": d} for v, d in CALL_TYPES.items()]
    rows += [{"value": n, "description": n} for n in values["dids"]]
    return {"call_types": rows}


@method(
    "getCallBilling",
    "Values for getResellerCDR's `callbilling`: all, free, billed.",
    (),
    (),
)
def get_call_billing(actor: Actor, p: Params) -> Answer:
    """getCallBilling."""
    require_reseller(actor)
    return {"call_billing": [{"value": v, "description": d} for v, d in CALL_BILLING.items()]}


@method(
    "getCallAccounts",
    "Values for getResellerCDR's `account`: all, then the client's sub-accounts (or all yours).",
    (opt("client", "Client id; absent = every sub-account of yours."),),
    ("invalid_client",),
)
def get_call_accounts(actor: Actor, p: Params) -> Answer:
    """getCallAccounts."""
    require_reseller(actor)
    cid = client_id(actor, p, required=False)
    values = call_records.filter_values(actor, cid)
    rows = [{"value": "all", "description": "All Accounts"}]
    rows += [{"value": a, "description": a} for a in values["accounts"]]
    return {"accounts": rows}


MESSAGE_LIMIT = 50
MESSAGE_LIMIT_MAX = 10_000


def _nanp10(number: str) -> str:
    """A number as VoIP.ms writes it in message rows: a NANP number's 10 digits, any other as it is."""
    return number[1:] if len(number) == 11 and number.startswith("1") else number


def message_row(m: Message, tz: timezone) -> dict[str, str]:
    """A getResellerSMS / getResellerMMS row: exactly the documented keys, every value a string."""
    return {
        "id": str(m.id),
        "date": m.sent_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
        "type": "1" if m.direction == "in" else "0",
        "did": _nanp10(m.did),
        "contact": _nanp10(m.contact),
        "message": m.body,
    }


def _messages(actor: Actor, p: Params, id_names: tuple[str, ...], kind: str) -> Answer:
    """The client's stored messages of `kind` (both with all_messages=1), newest first, at most `limit`."""
    require_reseller(actor)
    cid = client_id(actor, p)
    wanted: int | None = None
    for name in id_names:
        if text(p, name) and text(p, name) != "0":
            if not is_id(text(p, name)):
                raise ApiError("no_sms")  # no such message
            wanted = int(text(p, name))
    dates = [day(text(p, name)) for name in ("from", "to") if text(p, name)]
    if len(dates) == 2 and (dates[0] > dates[1] or (dates[1] - dates[0]).days > MAX_CDR_DAYS):
        raise ApiError("invalid_daterange")
    kind_of_type = text(p, "type")
    if kind_of_type not in ("", "0", "1"):
        raise ApiError("invalid_type")
    did = text(p, "did").lstrip("+")
    dids = call_records.filter_values(actor, cid)["dids"]
    if did and did not in dids and "1" + did not in dids:
        raise ApiError("invalid_did")
    contact = text(p, "contact").lstrip("+")
    if contact and not (contact.isascii() and contact.isdigit() and len(contact) <= 15):
        raise ApiError("invalid_contact")
    tz = offset(p, required=False)
    today = datetime.now(tz).date()
    first = day(text(p, "from")) if text(p, "from") else today
    last = day(text(p, "to")) if text(p, "to") else today
    if first > last:
        raise ApiError("invalid_daterange")
    raw_limit = text(p, "limit")
    limit = min(int(raw_limit), MESSAGE_LIMIT_MAX) if raw_limit.isdigit() and int(raw_limit) > 0 else MESSAGE_LIMIT
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz)
    cond = [
        Message.reseller_id == actor.reseller_id,
        Message.client_id == int(cid),
        Message.sent_at >= start.astimezone(UTC),
        Message.sent_at < end.astimezone(UTC),
    ]
    if text(p, "all_messages") != "1":
        cond.append(Message.kind == kind)
    if wanted is not None:
        cond.append(Message.id == wanted)
    if kind_of_type:
        cond.append(Message.direction == ("in" if kind_of_type == "1" else "out"))
    if did:
        cond.append(Message.did.in_((did, "1" + did)))
    if contact:
        cond.append(Message.contact.in_((contact, "1" + contact)))
    with session_scope() as session:
        rows = session.exec(
            select(Message).where(*cond).order_by(Message.sent_at.desc(), Message.id.desc()).limit(limit)
        ).all()
        if not rows:
            raise ApiError("no_sms")
        return {"sms": [message_row(m, tz) for m in rows]}


SMS_PARAMS = (
    req("client", "Client id."),
    opt("from", "YYYY-MM-DD (default today)."),
    opt("to", "YYYY-MM-DD (default today)."),
    opt("type", "1 received, 0 sent."),
    opt("did", "One of the client's DIDs."),
    opt("contact", "The other party's number."),
    opt("limit", "Rows at most (default 50)."),
    opt("timezone", "Hours from UTC, -12 to 13."),
    opt("all_messages", "1 = SMS and MMS together."),
)
SMS_CODES = (
    "missing_client",
    "invalid_client",
    "invalid_date",
    "invalid_daterange",
    "invalid_type",
    "invalid_did",
    "invalid_contact",
    "invalid_timezone",
    "no_sms",
)


@method(
    "getResellerSMS",
    "A client's SMS messages.",
    (opt("sms", "One message id."), *SMS_PARAMS),
    SMS_CODES,
    "Answers from the stored messages, newest first; `no_sms` when none match.",
)
def get_reseller_sms(actor: Actor, p: Params) -> Answer:
    """getResellerSMS."""
    return _messages(actor, p, ("sms",), "sms")


@method(
    "getResellerMMS",
    "A client's MMS messages (list key `sms`, as VoIP.ms sends it).",
    (opt("mms", "One message id (`sms` accepted too)."), *SMS_PARAMS),
    SMS_CODES,
    "Answers from the stored messages, newest first (list key `sms`); `no_sms` when none match.",
)
def get_reseller_mms(actor: Actor, p: Params) -> Answer:
    """getResellerMMS."""
    return _messages(actor, p, ("mms", "sms"), "mms")
