"""DIDs over the API: getDIDsInfo (with `client`), orderDID / connectDID with the reseller prices, unconnectDID,
cancelDID. The work is the telephony service of the client page's "connect numbers" (carrier claim, setup fee)."""

from __future__ import annotations

from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.api.access import ApiError
from reseller_app.services.api.wire import (
    Answer,
    Params,
    day,
    is_id,
    method,
    need,
    opt,
    plain,
    req,
    text,
    yes,
    ymd,
    ymd_hms,
)
from reseller_app.services.clients import accounts
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.telephony import dids, subaccounts

ROUTING_HEADERS = ("account", "fwd", "vm", "sip", "grp", "ivr", "queue", "cb", "tc", "disa", "recording", "sys", "none")
PRICE_LIMIT = 10_000


def _number(p: Params) -> str:
    raw = need(p, "did").lstrip("+")
    if not is_id(raw) and not (raw.isascii() and raw.isdigit() and len(raw) <= 15):
        raise ApiError("invalid_did")
    return raw


def _sub(actor: Actor, name: str) -> dict:
    row = next(iter(subaccounts.list_subaccounts(actor, account=name[:64])), None)
    if row is None or not row["client_id"]:
        raise ApiError("invalid_account")
    return row


def _price(p: Params, name: str, places: int, required: bool) -> str:
    raw = text(p, name)
    if not raw:
        if required:
            raise ApiError(f"missing_{name}")
        return "0"
    try:
        dids.clean_rate(raw, name, places)
    except ValidationFailed:
        raise ApiError(f"invalid_{name}") from None
    return raw


def did_row(d: dict) -> dict[str, str]:
    """A getDIDsInfo row with VoIP.ms's keys; what the portal does not keep carries VoIP.ms's unset values."""
    routing = f"account:{d['account']}" if d["account"] else "none:"
    row = {
        "did": d["number"],
        "description": f"{d['rate_center']} {d['region']}".strip(),
        "routing": routing,
        "failover_busy": "none:",
        "failover_unreachable": "none:",
        "failover_noanswer": "none:",
        "voicemail": d["mailbox"],
        "pop": "",
        "dialtime": "60",
        "cnam": "0",
        "e911": "0",
        "callerid_prefix": "",
        "note": "",
        "port_out_pin": "",
        "billing_type": "1",
        "next_billing": "0000-00-00",
        "order_date": ymd_hms(d["connected_at"]),
        "reseller_account": d["account"],
        "reseller_next_billing": ymd(d.get("next_billing_date")),
        "reseller_monthly": plain(d["monthly_fee"], 8),
        "reseller_minute": plain(d["per_minute"], 8),
        "reseller_setup": plain(d["setup_fee"], 8),
    }
    for key in (
        "sms_available", "sms_enabled", "sms_email_enabled", "sms_forward_enabled", "sms_url_callback_enabled",
        "sms_url_callback_retry", "smpp_enabled", "transcribe", "transcription_redaction", "transcription_summary",
        "transcription_sentiment", "record_calls", "mms_available", "webhook_enabled", "sms_sipaccount_enabled",
    ):  # fmt: skip
        row[key] = "0"
    for key in (
        "sms_email", "sms_forward", "sms_url_callback", "smpp_url", "smpp_user", "smpp_pass", "transcription_locale",
        "transcription_email", "webhook", "sms_sipaccount",
    ):  # fmt: skip
        row[key] = ""
    row["dialmode"] = "1"
    return row


@method(
    "getDIDsInfo",
    "Your DIDs with their reseller fields: all, a client's (id), a sub-account's (name), or one.",
    (opt("client", "A client id or a sub-account name; empty = all your DIDs."), opt("did", "One DID.")),
    ("invalid_client", "invalid_did", "no_did"),
    "Reseller prices carry 8 decimals; routing is `account:<sub-account>` or `none:`; settings the portal does "
    "not keep (pop, cnam, SMS, transcription) carry VoIP.ms's unset values.",
)
def get_dids_info(actor: Actor, p: Params) -> Answer:
    """getDIDsInfo."""
    require_reseller(actor)
    who = text(p, "client")
    number = text(p, "did").lstrip("+")
    if number and not (number.isascii() and number.isdigit() and len(number) <= 15):
        raise ApiError("invalid_did")
    try:
        if not who:
            rows = dids.list_dids(actor, number=number)
        elif is_id(who):
            rows = dids.list_dids(actor, client_id=who, number=number)
        else:
            rows = dids.list_dids(actor, account=who[:64], number=number)
    except NotFound:
        raise ApiError("invalid_client") from None
    rows = [r for r in rows if r["client_id"] is not None or not who]
    if number and not rows:
        raise ApiError("invalid_did")
    if not rows:
        raise ApiError("no_did")
    dates = {}
    for r in rows:
        if r["client_id"] and r["client_id"] not in dates:
            raw = accounts.client_details(actor, r["client_id"])["next_billing_date"]
            dates[r["client_id"]] = day(raw) if raw else None
        r["next_billing_date"] = dates.get(r["client_id"])
    return {"dids": [did_row(r) for r in rows]}


def _connect(actor: Actor, number: str, sub: dict, prices: dict, test: bool, refused: str) -> None:
    if test:
        return
    try:
        dids.connect_dids(
            actor,
            sub["client_id"],
            [number],
            sub_account_id=str(sub["id"]),
            setup=prices["setup"],
            monthly=prices["monthly"],
            per_minute=prices["minute"],
        )
    except NotFound:
        raise ApiError("invalid_account") from None
    except ValidationFailed as e:
        message = next(iter(e.errors.values()), "")
        raise ApiError("did_in_use" if "Already connected" in message else refused) from None


ORDER_CODES = (
    "missing_did",
    "invalid_did",
    "missing_routing",
    "invalid_routing_header",
    "missing_serverpop",
    "invalid_serverpop",
    "missing_dialtime",
    "invalid_dialtime",
    "missing_cnam",
    "invalid_cnam",
    "missing_billingtype",
    "invalid_billingtype",
    "missing_account",
    "invalid_account",
    "invalid_monthly",
    "invalid_setup",
    "invalid_minute",
    "did_in_use",
    "Unable_to_purchase",
)


@method(
    "orderDID",
    "Buy a DID from the carrier's inventory and connect it to a client's sub-account with the client's prices.",
    (
        req("did", "The DID, digits."),
        req("routing", "account:<the client's sub-account> (the sub-account the DID rings)."),
        req("pop", "Server POP id (getServersInfo), digits."),
        req("dialtime", "Seconds, 1 to 999."),
        req("cnam", "1/0."),
        req("billing_type", "1 per minute, 2 flat."),
        opt("failover_busy", "Routing when busy."),
        opt("failover_unreachable", "Routing when unreachable."),
        opt("failover_noanswer", "Routing when unanswered."),
        opt("voicemail", "Mailbox."),
        opt("callerid_prefix", "Text."),
        opt("note", "Text."),
        req("account", "The client's sub-account (100001_front): the client the DID is for."),
        opt("monthly", "Client's monthly price (3.50)."),
        opt("setup", "Client's setup price, posted on connect (1.99)."),
        opt("minute", "Client's per-minute price (0.03)."),
        opt("test", "1/true = check everything, order nothing."),
    ),
    ORDER_CODES,
    "The portal buys numbers only for a client: `account` is required and `routing` must be `account:` that "
    "sub-account. pop, dialtime, cnam, billing_type and failovers are checked, not stored.",
)
def order_did(actor: Actor, p: Params) -> Answer:
    """orderDID."""
    require_reseller(actor)
    number = _number(p)
    routing = need(p, "routing")
    header, _, target = routing.partition(":")
    if header not in ROUTING_HEADERS:
        raise ApiError("invalid_routing_header")
    for name, code, ok in (
        ("pop", "serverpop", lambda v: is_id(v)),
        ("dialtime", "dialtime", lambda v: is_id(v) and 1 <= int(v) <= 999),
        ("cnam", "cnam", lambda v: v.lower() in ("0", "1", "true", "false")),
        ("billing_type", "billingtype", lambda v: v in ("1", "2")),
    ):
        if not ok(need(p, name, code)):
            raise ApiError(f"invalid_{code}")
    for name in ("failover_busy", "failover_unreachable", "failover_noanswer"):
        if text(p, name) and text(p, name).partition(":")[0] not in ROUTING_HEADERS:
            raise ApiError("invalid_routing_header")
    sub = _sub(actor, need(p, "account"))
    if header != "account" or target != sub["account"]:
        raise ApiError("invalid_routing_header")
    prices = {name: _price(p, name, 6 if name == "minute" else 2, False) for name in ("monthly", "setup", "minute")}
    if any(r["client_id"] for r in dids.list_dids(actor, number=number)):
        raise ApiError("did_in_use")
    _connect(actor, number, sub, prices, yes(p, "test"), "Unable_to_purchase")
    return {}


@method(
    "connectDID",
    "Connect a DID of yours (not connected to a client) to a client's sub-account with the client's prices.",
    (
        req("did", "A DID of yours."),
        req("account", "The client's sub-account (100001_front)."),
        req("monthly", "Client's monthly price (3.50)."),
        req("setup", "Client's setup price (1.99), posted on connect."),
        req("minute", "Client's per-minute price (0.03)."),
        opt("next_billing", "YYYY-MM-DD (checked; the client's billing date applies)."),
        opt("dont_charge_setup", "1 = do not post the setup price now."),
        opt("dont_charge_monthly", "1 = accepted; monthly fees post on the client's billing date."),
    ),
    (
        "missing_did",
        "invalid_did",
        "missing_account",
        "invalid_account",
        "missing_monthly",
        "invalid_monthly",
        "missing_setup",
        "invalid_setup",
        "missing_minute",
        "invalid_minute",
        "invalid_date",
        "did_in_use",
    ),
)
def connect_did(actor: Actor, p: Params) -> Answer:
    """connectDID."""
    require_reseller(actor)
    number = _number(p)
    sub = _sub(actor, need(p, "account"))
    prices = {name: _price(p, name, 6 if name == "minute" else 2, True) for name in ("monthly", "setup", "minute")}
    if text(p, "next_billing"):
        day(text(p, "next_billing"))
    if yes(p, "dont_charge_setup"):
        prices["setup"] = "0"
    owned = dids.list_dids(actor, number=number)
    if not owned:
        raise ApiError("invalid_did")
    if owned[0]["client_id"]:
        raise ApiError("did_in_use")
    _connect(actor, number, sub, prices, False, "invalid_did")
    return {}


def _connected(actor: Actor, p: Params) -> dict:
    number = _number(p)
    row = next(iter(dids.list_dids(actor, number=number)), None)
    if row is None or not row["client_id"]:
        raise ApiError("invalid_did")
    return row


@method(
    "unconnectDID",
    "Take a DID from its client (the portal's Unconnect: the number goes back to the carrier).",
    (req("did", "The DID."),),
    ("missing_did", "invalid_did"),
    "The portal gives an unconnected number back to the carrier (VoIP.ms keeps it in your account).",
)
def unconnect_did(actor: Actor, p: Params) -> Answer:
    """unconnectDID."""
    require_reseller(actor)
    row = _connected(actor, p)
    try:
        dids.unconnect_did(actor, row["client_id"], row["id"])
    except NotFound:
        raise ApiError("invalid_did") from None
    return {}


@method(
    "cancelDID",
    "Cancel a client's DID: unconnected and given back to the carrier.",
    (
        req("did", "The DID."),
        opt("cancelcomment", "Text."),
        opt("portout", "1/0."),
        opt("test", "1/true = check, cancel nothing."),
    ),
    ("missing_did", "invalid_did", "cancel_failed"),
    "Only a DID connected to a client can be cancelled here (the portal keeps no others).",
)
def cancel_did(actor: Actor, p: Params) -> Answer:
    """cancelDID."""
    require_reseller(actor)
    row = _connected(actor, p)
    if yes(p, "test"):
        return {}
    try:
        dids.unconnect_did(actor, row["client_id"], row["id"])
    except (NotFound, ValidationFailed):
        raise ApiError("cancel_failed") from None
    return {}
