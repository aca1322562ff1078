"""VoIP.ms wire conventions shared by every API method: parameters, value formats, status codes, the method table.

The contract is VoIP.ms's own documentation (see the README's API section): status codes are sent only as VoIP.ms
spells them, every value is a string, dates are `YYYY-MM-DD` and datetimes `YYYY-MM-DD hh:mm:ss`.
Methods here adapt requests to the services the portal UI uses; they hold no business rules of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from reseller_app.services.access.actor import Actor
from reseller_app.services.api.access import ApiError
from reseller_app.services.clients.accounts import client_details
from reseller_app.services.common.errors import NotFound
from reseller_app.services.common.ids import to_id

Params = dict[str, str]
Answer = dict

# Codes any method may answer (authentication, limits, dispatch, failures outside the method).
GENERAL_CODES = (
    "missing_credentials",
    "invalid_credentials",
    "api_not_enabled",
    "ip_not_enabled",
    "api_limit_exceeded",
    "missing_method",
    "invalid_method",
    "unavailable_info",
    "provider_outofservice",
)

# Every status code VoIP.ms documents that this API sends (exact spelling, capitals included).
DOCUMENTED_CODES = frozenset(
    GENERAL_CODES
    + (
        "missing_params",
        "missing_client",
        "invalid_client",
        "no_client",
        "missing_package",
        "invalid_package",
        "no_package",
        "missing_account",
        "invalid_account",
        "no_account",
        "missing_did",
        "invalid_did",
        "no_did",
        "no_cdr",
        "no_callstatus",
        "invalid_date",
        "invalid_daterange",
        "invalid_date_from",
        "missing_from_date",
        "missing_to_date",
        "missing_timezone",
        "invalid_timezone",
        "missing_firstname",
        "missing_lastname",
        "missing_address",
        "missing_city",
        "missing_state",
        "missing_country",
        "missing_zip",
        "invalid_firstname",
        "invalid_lastname",
        "invalid_address",
        "invalid_city",
        "invalid_state",
        "invalid_country",
        "invalid_zip",
        "missing_phonenumber",
        "invalid_phonenumber",
        "missing_email",
        "invalid_email",
        "missing_email_confirm",
        "mismatch_email_confirm",
        "missing_password",
        "missing_password_confirm",
        "mismatch_password_confirm",
        "invalid_password",
        "invalid_password_lessthan_8characters_long",
        "invalid_balancemanagement",
        "Invalid_threshold",
        "missing_charge",
        "invalid_charge",
        "missing_payment",
        "invalid_payment",
        "missing_id",
        "invalid_id",
        "account_with_dids",
        "missing_username",
        "invalid_username",
        "used_username",
        "missing_protocol",
        "invalid_protocol",
        "missing_authtype",
        "invalid_authtype",
        "missing_devicetype",
        "invalid_devicetype",
        "missing_allowedcodecs",
        "invalid_allowedcodecs",
        "missing_dtmfmode",
        "invalid_dtmfmode",
        "missing_nat",
        "invalid_nat",
        "invalid_callerid",
        "missing_musiconhold",
        "invalid_musiconhold",
        "missing_lockinternational",
        "invalid_lockinternational",
        "missing_internationalroute",
        "invalid_internationalroute",
        "invalid_ip_auth",
        "missing_resellerclient",
        "missing_resellerpackage",
        "invalid_resellerclient",
        "invalid_resellerpackage",
        "invalid_resellernextbilling",
        "missing_monthly",
        "invalid_monthly",
        "missing_setup",
        "invalid_setup",
        "missing_minute",
        "invalid_minute",
        "did_in_use",
        "cancel_failed",
        "Unable_to_purchase",
        "missing_routing",
        "invalid_routing_header",
        "missing_mailbox",
        "invalid_mailbox",
        "no_mailbox",
        "missing_digits",
        "invalid_digits",
        "missing_name",
        "missing_skippassword",
        "invalid_skippassword",
        "missing_attachmessage",
        "invalid_attachmessage",
        "missing_deletemessage",
        "invalid_deletemessage",
        "missing_saytime",
        "invalid_saytime",
        "missing_saycallerid",
        "invalid_saycallerid",
        "missing_playinstructions",
        "invalid_playinstructions",
        "missing_language",
        "invalid_language",
        "invalid_email_attachment_format",
        "invalid_contact",
        "no_sms",
        "invalid_type",
        "invalid_route",
        "missing_serverpop",
        "invalid_serverpop",
        "missing_dialtime",
        "invalid_dialtime",
        "missing_cnam",
        "invalid_cnam",
        "missing_billingtype",
        "invalid_billingtype",
    )
)


@dataclass(frozen=True)
class Param:
    """One documented request parameter."""

    name: str
    required: bool
    doc: str


@dataclass(frozen=True)
class Method:
    """One API method: the adapter, its documented parameters and every status code it may answer besides success."""

    name: str
    fn: Callable[[Actor, Params], Answer]
    summary: str
    params: tuple[Param, ...]
    codes: tuple[str, ...]
    notes: str = ""


REGISTRY: dict[str, Method] = {}


def method(name: str, summary: str, params: tuple[Param, ...], codes: tuple[str, ...], notes: str = "") -> Callable:
    """Register an adapter as API method `name`; every code it lists must be one VoIP.ms documents."""
    unknown = [c for c in codes if c not in DOCUMENTED_CODES]
    if unknown:
        raise ValueError(f"{name}: undocumented status codes {unknown}")

    def deco(fn: Callable[[Actor, Params], Answer]) -> Callable[[Actor, Params], Answer]:
        REGISTRY[name] = Method(name, fn, summary, params, codes, notes)
        return fn

    return deco


def req(name: str, doc: str) -> Param:
    """A required parameter."""
    return Param(name, True, doc)


def opt(name: str, doc: str) -> Param:
    """An optional parameter."""
    return Param(name, False, doc)


# --- reading parameters ------------------------------------------------------------------------------------

TRUE = ("1", "true", "yes")


def text(p: Params, name: str) -> str:
    """The parameter stripped; "" when absent (empty optional parameters count as absent)."""
    return (p.get(name) or "").strip()


def need(p: Params, name: str, code: str | None = None) -> str:
    """A required parameter's value, or ApiError(missing_<code>)."""
    value = text(p, name)
    if not value:
        raise ApiError(f"missing_{code or name}")
    return value


def yes(p: Params, name: str) -> bool:
    """A documented boolean: 1/true/yes (any case) is true, anything else (0/false/no/absent) false.

    VoIP.ms documents no invalid_ code for its boolean flags, so no value is refused.
    """
    return text(p, name).lower() in TRUE


def is_id(raw: str) -> bool:
    """A database id: ASCII digits only (str.isdigit also accepts other scripts' digits) and not absurdly long."""
    return to_id(raw) is not None  # also within the id columns' range (2**31 - 1): a 500 on PostgreSQL otherwise


def client_id(actor: Actor, p: Params, *, required: bool = True, name: str = "client") -> str | None:
    """The id of the caller's client the parameter names: missing_client (when required) / invalid_client.

    None when the parameter is absent and optional. Ownership is the clients service's check (NotFound).
    """
    raw = text(p, name)
    if not raw:
        if required:
            raise ApiError("missing_client")
        return None
    if not is_id(raw):
        raise ApiError("invalid_client")
    try:
        client_details(actor, raw)
    except NotFound:
        raise ApiError("invalid_client") from None
    return raw


def day(raw: str, code: str = "invalid_date") -> date:
    """A `YYYY-MM-DD` date (years 1900-9998, so a time-zone shift never overflows), or ApiError(code)."""
    try:
        value = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        value = None
    if value is None or not 1900 <= value.year <= 9998:
        raise ApiError(code)
    return value


# --- writing values ----------------------------------------------------------------------------------------


def amount(value: Decimal | None, places: int = 2) -> str:
    """An amount with `places` decimals, half-up (VoIP.ms: charges 2, balances 4, DID prices 8)."""
    q = Decimal(1).scaleb(-places)
    return str((value or Decimal(0)).quantize(q, rounding=ROUND_HALF_UP))


def plain(value: Decimal | None, at_least: int = 0) -> str:
    """A decimal as stored, never in exponent form, with at least `at_least` decimals ("0.0025", "0.01")."""
    v = (value or Decimal(0)).normalize()
    if -v.as_tuple().exponent < at_least:  # type: ignore[operator]
        v = v.quantize(Decimal(1).scaleb(-at_least))
    return f"{v:f}"


def ymd(value: date | datetime | None) -> str:
    """A date as VoIP.ms writes it; unset = "0000-00-00"."""
    return value.strftime("%Y-%m-%d") if value else "0000-00-00"


def ymd_hms(value: datetime | None) -> str:
    """A datetime as VoIP.ms writes it (24 h, no zone); unset = "0000-00-00 00:00:00"."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "0000-00-00 00:00:00"


def hms(seconds: int) -> str:
    """A CDR duration `hh:mm:ss`."""
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def talk_time(seconds: int) -> str:
    """Talk time as getResellerBalance writes it: `[h:]mm:ss` with leading zero units dropped ("2:50", "51:35")."""
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
