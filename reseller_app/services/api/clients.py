"""Reseller clients over the API: signupClient, setClient, getClients, delClient, balance management, thresholds.

Each method checks its parameters in the order VoIP.ms documents them, then calls the clients service the portal's
client pages use (create, update, delete, low-balance settings); that service applies the balance rules.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.exc import IntegrityError

from reseller_app.billing.fees import add_months
from reseller_app.models import utcnow
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.api.access import ApiError
from reseller_app.services.api.wire import Answer, Params, client_id, is_id, method, need, opt, req, text, yes
from reseller_app.services.clients import accounts
from reseller_app.services.common.errors import NotFound, ValidationFailed

# VoIP.ms's balance_management values <-> the portal's modes.
BALANCE_MANAGEMENT = {
    "1": ("HARD", "Hard - suspend the client"),
    "2": ("SOFT", "Soft - allow a negative balance"),
}
MODE_VALUE = {mode: value for value, (mode, _) in BALANCE_MANAGEMENT.items()}
# Request parameter -> (clients service field, the name inside its status codes), in the documented order.
FIELDS = (
    ("firstname", "firstname", "firstname"),
    ("lastname", "lastname", "lastname"),
    ("company", "company", "company"),
    ("address", "address", "address"),
    ("city", "city", "city"),
    ("state", "state", "state"),
    ("country", "country", "country"),
    ("zip", "zip", "zip"),
    ("phone_number", "phone_number", "phonenumber"),
)
SIGNUP_REQUIRED = ("firstname", "lastname", "address", "city", "state", "country", "zip", "phone_number")
SET_REQUIRED = ("firstname", "lastname", "phone_number")
SET_MISSING = ("missing_firstname", "missing_lastname", "missing_phonenumber")
# A field the clients service refused -> the status code VoIP.ms documents for it.
FIELD_CODE = {service: f"invalid_{code}" for _, service, code in FIELDS if service != "company"}
FIELD_CODE.update({"email": "invalid_email", "password": "invalid_password"})
FIELD_CODE["balance_management"] = "invalid_balancemanagement"
FIELD_CODES = tuple(f"missing_{code}" for _, _, code in FIELDS if code != "company") + tuple(
    f"invalid_{code}" for _, _, code in FIELDS if code != "company"
)
PASSWORD_CODES = ("missing_password", "invalid_password_lessthan_8characters_long", "invalid_password")


def _refused(e: ValidationFailed) -> ApiError:
    field = next(iter(e.errors), "")
    return ApiError(FIELD_CODE.get(field, "missing_params"))


def _fields(p: Params, required: tuple[str, ...], current: dict | None = None) -> dict[str, str]:
    """The contact fields in documented order: missing_<x> for an absent required one; absent optional = kept."""
    out: dict[str, str] = {}
    for name, service, code in FIELDS:
        value = text(p, name)
        if not value and name in required:
            raise ApiError(f"missing_{code}")
        if not value and current is not None:
            value = current.get(service, "")
        if name == "country" and value:
            from reseller_app.services.api.catalog import country_codes

            if value.upper() not in country_codes():
                raise ApiError("invalid_country")
        out[service] = value
    return out


def _password(p: Params, *, required: bool) -> str:
    password = p.get("password") or ""
    if not password:
        if required:
            raise ApiError("missing_password")
        return ""
    if len(password) < 8:
        raise ApiError("invalid_password_lessthan_8characters_long")
    return password


def _mode(p: Params, default: str | None) -> str | None:
    raw = text(p, "balance_management")
    if not raw:
        return default
    if raw not in BALANCE_MANAGEMENT:
        raise ApiError("invalid_balancemanagement")
    return BALANCE_MANAGEMENT[raw][0]


CLIENT_PARAMS = (
    req("firstname", "First name."),
    req("lastname", "Last name."),
    opt("company", "Company."),
    req("address", "Address."),
    req("city", "City."),
    req("state", "State or province."),
    req("country", "ISO 3166-1 alpha-2 code, a value from getCountries (CA, US)."),
    req("zip", "Zip or postal code."),
    req("phone_number", "Phone number (digits)."),
    req("email", "The client's e-mail (its portal login); one client per address."),
)


@method(
    "signupClient",
    "Create a client of yours; answers its id.",
    (
        *CLIENT_PARAMS,
        req("confirm_email", "The same e-mail again."),
        req("password", "The client's portal password (8 to 128 characters)."),
        req("confirm_password", "The same password again."),
        opt("activate", "1 = active at once; 0 or absent = waiting for activation."),
        opt("balance_management", "1 = hard, 2 = soft (default); see getBalanceManagement."),
    ),
    (
        *FIELD_CODES,
        "missing_email",
        "invalid_email",
        "missing_email_confirm",
        "mismatch_email_confirm",
        *PASSWORD_CODES,
        "missing_password_confirm",
        "mismatch_password_confirm",
        "invalid_balancemanagement",
    ),
    "`invalid_email` also answers an address another of your clients already uses (as VoIP.ms documents).",
)
def signup_client(actor: Actor, p: Params) -> Answer:
    """signupClient."""
    require_reseller(actor)
    data: dict[str, str | None] = dict(_fields(p, SIGNUP_REQUIRED))
    email = need(p, "email")
    try:
        email = accounts.clean_email(email)
    except ValidationFailed:
        raise ApiError("invalid_email") from None
    confirm = need(p, "confirm_email", "email_confirm")
    if confirm.lower() != email.lower():
        raise ApiError("mismatch_email_confirm")
    password = _password(p, required=True)
    if not p.get("confirm_password"):
        raise ApiError("missing_password_confirm")
    if p.get("confirm_password") != password:
        raise ApiError("mismatch_password_confirm")
    active = yes(p, "activate")
    data.update(email=email, password=password, balance_management=_mode(p, "SOFT"))
    # VoIP.ms takes no billing date here: monthly fees start on the first of next month (as before this adapter).
    data["next_billing_date"] = add_months(utcnow().date().replace(day=1), 1).isoformat()
    try:
        cid = accounts.create_client(actor, data, active=active)
    except ValidationFailed as e:
        raise _refused(e) from None
    except IntegrityError:  # the same address raced in from another request
        raise ApiError("invalid_email") from None
    return {"client": str(cid)}


@method(
    "setClient",
    "Update a client: contact fields, e-mail, password, balance management (a switch applies the balance rules).",
    (
        req("client", "Client id."),
        *CLIENT_PARAMS[:3],
        *(opt(x.name, x.doc) for x in CLIENT_PARAMS[3:8]),
        CLIENT_PARAMS[8],
        CLIENT_PARAMS[9],
        opt("password", "A new portal password; empty or absent keeps the current one (see deviations)."),
        opt("balance_management", "1 = hard, 2 = soft."),
    ),
    (
        "missing_client",
        "invalid_client",
        *(c for c in FIELD_CODES if c.startswith("invalid_") or c in SET_MISSING),
        "missing_email",
        "invalid_email",
        *PASSWORD_CODES[1:],
        "invalid_balancemanagement",
    ),
    "An empty or absent `password` keeps the current one (VoIP.ms requires it; getClients never returns it).",
)
def set_client(actor: Actor, p: Params) -> Answer:
    """setClient."""
    require_reseller(actor)
    cid = client_id(actor, p)
    current = accounts.client_details(actor, cid)
    data: dict[str, str | None] = dict(_fields(p, SET_REQUIRED, current))
    try:
        data["email"] = accounts.clean_email(need(p, "email"))
    except ValidationFailed:
        raise ApiError("invalid_email") from None
    data["password"] = _password(p, required=False)
    data["balance_management"] = _mode(p, current["balance_management"])
    data["next_billing_date"] = current["next_billing_date"]
    try:
        accounts.update_client(actor, cid, data)
    except NotFound:
        raise ApiError("invalid_client") from None
    except ValidationFailed as e:
        raise _refused(e) from None
    except IntegrityError:
        raise ApiError("invalid_email") from None
    return {}


def client_row(d: dict) -> dict[str, str]:
    """A getClients row: VoIP.ms's 13 keys, the password always empty."""
    row = {"client": d["id"], "email": d["email"], "password": ""}
    row.update({key: d[key] for key in ("company", "firstname", "lastname", "address", "city", "state", "country")})
    row.update(zip=d["zip"], phone_number=d["phone_number"], balance_management=MODE_VALUE[d["balance_management"]])
    return row


@method(
    "getClients",
    "Your clients, or one by id or e-mail.",
    (opt("client", "A client id or a client's e-mail; empty = every client."),),
    ("invalid_client", "no_client"),
    "`password` is always empty (VoIP.ms sends the portal password in clear).",
)
def get_clients(actor: Actor, p: Params) -> Answer:
    """getClients."""
    require_reseller(actor)
    wanted = text(p, "client")
    if not wanted:
        rows = accounts.all_client_details(actor)
        if not rows:
            raise ApiError("no_client")
    elif is_id(wanted):
        try:
            rows = [accounts.client_details(actor, wanted)]
        except NotFound:
            raise ApiError("invalid_client") from None
    else:
        rows = accounts.all_client_details(actor, email=wanted[:254], limit=1)
        if not rows:
            raise ApiError("invalid_client")
    return {"clients": [client_row(d) for d in rows]}


@method(
    "delClient",
    "Delete a client (the portal's Delete client: the person goes, the books stay).",
    (req("client", "Client id."),),
    ("missing_client", "invalid_client", "account_with_dids"),
    "A client with sub-accounts, DIDs or fax numbers still connected is refused with `account_with_dids` "
    "(VoIP.ms documents no code for it; unconnect them first).",
)
def del_client(actor: Actor, p: Params) -> Answer:
    """delClient."""
    require_reseller(actor)
    cid = client_id(actor, p)
    try:
        accounts.delete_client(actor, cid)
    except NotFound:
        raise ApiError("invalid_client") from None
    except ValidationFailed:
        raise ApiError("account_with_dids") from None
    return {}


@method(
    "getBalanceManagement",
    "The balance-management options: 1 hard, 2 soft.",
    (opt("balance_management", "One value (1 or 2)."),),
    ("invalid_balancemanagement",),
)
def get_balance_management(actor: Actor, p: Params) -> Answer:
    """getBalanceManagement."""
    require_reseller(actor)
    wanted = text(p, "balance_management")
    if wanted and wanted not in BALANCE_MANAGEMENT:
        raise ApiError("invalid_balancemanagement")
    return {
        "balance_management": [
            {"value": value, "description": desc}
            for value, (_, desc) in BALANCE_MANAGEMENT.items()
            if not wanted or value == wanted
        ]
    }


@method(
    "getClientThreshold",
    "A client's low-balance notice: threshold (whole units) and the address notified.",
    (req("client", "Client id."),),
    ("missing_client", "invalid_client"),
    "`threshold` is empty while no notice is set.",
)
def get_client_threshold(actor: Actor, p: Params) -> Answer:
    """getClientThreshold."""
    d = accounts.client_details(actor, client_id(actor, p))
    raw = d["low_balance_threshold"]
    threshold = str(int(Decimal(raw))) if raw else ""
    return {"threshold_information": {"threshold": threshold, "email": d["low_balance_email"]}}


@method(
    "setClientThreshold",
    "Set a client's low-balance notice.",
    (
        req("client", "Client id."),
        req("threshold", "Whole amount, 1 to 500 (VoIP.ms's 1-250 and the guide's 10-500)."),
        opt("email", "Notification address; when given it replaces the stored one."),
    ),
    ("missing_client", "invalid_client", "Invalid_threshold", "invalid_email"),
)
def set_client_threshold(actor: Actor, p: Params) -> Answer:
    """setClientThreshold."""
    require_reseller(actor)
    cid = client_id(actor, p)
    raw = text(p, "threshold")
    if not is_id(raw.lstrip("+")) or not 1 <= int(raw) <= 500:
        raise ApiError("Invalid_threshold")
    current = accounts.client_details(actor, cid)
    email = text(p, "email") or current["low_balance_email"]
    try:
        accounts.set_low_balance(actor, cid, str(int(raw)), email, minimum=Decimal(1))
    except ValidationFailed as e:
        raise ApiError("Invalid_threshold" if "threshold" in e.errors else "invalid_email") from None
    return {}
