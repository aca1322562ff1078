"""Sub-accounts over the API with their reseller fields: createSubAccount, setSubAccount, getSubAccounts,
delSubAccount. The work is the telephony service the client page's sub-account form uses (carrier call, package,
setup fee, blocking with the client)."""

from __future__ import annotations

import ipaddress
import re
import secrets

from reseller_app.models import utcnow
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.api.access import ApiError
from reseller_app.services.api.catalog import ROUTE_CODE, ROUTES
from reseller_app.services.api.wire import Answer, Params, day, is_id, method, need, opt, req, text, yes, ymd
from reseller_app.services.clients import accounts
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.telephony import subaccounts as subs

PROTOCOLS = {"1": "SIP"}
AUTH_TYPES = {"1": "password", "2": "ip"}
AUTH_VALUE = {v: k for k, v in AUTH_TYPES.items()}
DEVICE_TYPES = {"1": "pbx", "2": "ip_phone"}
LOCK_INTERNATIONAL = ("0", "1")
_MOH = re.compile(r"^[a-z0-9_]{1,32}$")
# A field the telephony service refused -> VoIP.ms's code.
FIELD_CODE = {
    "name": "invalid_username",
    "password": "invalid_password",
    "device_type": "invalid_devicetype",
    "auth_type": "invalid_authtype",
    "dtmf_mode": "invalid_dtmfmode",
    "nat": "invalid_nat",
    "callerid": "invalid_callerid",
    "codecs": "invalid_allowedcodecs",
}
SETTINGS_PARAMS = (
    req("auth_type", "1 = user/password, 2 = static IP."),
    req("password", "SIP password, 8 to 64 printable characters (password authentication)."),
    opt("ip", "The device's IP address (static IP authentication)."),
    req("device_type", "1 = IP PBX / gateway, 2 = ATA / IP phone."),
    req("lock_international", "0 or 1 (getLockInternational)."),
    req("international_route", "1 Value, 2 Premium (getRoutes)."),
    req("music_on_hold", "A music-on-hold name (default)."),
    req("allowed_codecs", "Semicolon-separated: ulaw;g729;gsm (ulaw, alaw, g729, g722, gsm, opus)."),
    req("dtmf_mode", "auto, rfc2833, inband or info."),
    req("nat", "yes, no, route or never."),
    opt("description", "Free text."),
    opt("callerid_number", "Outgoing caller ID, digits."),
    opt("reseller_client", "The client who owns it (with reseller_package)."),
    opt("reseller_package", "The package billed for it (with reseller_client; getClientPackages)."),
    opt("reseller_nextbilling", "YYYY-MM-DD, not in the past (see the note)."),
    opt("reseller_chargesetup", "1/true = charge the package's setup fee now."),
)
SETTINGS_CODES = (
    "missing_authtype",
    "invalid_authtype",
    "missing_password",
    "invalid_password",
    "invalid_password_lessthan_8characters_long",
    "invalid_ip_auth",
    "missing_devicetype",
    "invalid_devicetype",
    "missing_lockinternational",
    "invalid_lockinternational",
    "missing_internationalroute",
    "invalid_internationalroute",
    "missing_musiconhold",
    "invalid_musiconhold",
    "missing_allowedcodecs",
    "invalid_allowedcodecs",
    "missing_dtmfmode",
    "invalid_dtmfmode",
    "missing_nat",
    "invalid_nat",
    "invalid_callerid",
    "missing_resellerclient",
    "missing_resellerpackage",
    "invalid_resellerclient",
    "invalid_resellerpackage",
    "invalid_resellernextbilling",
)
NOTES = (
    "Every sub-account belongs to a client in the portal: `reseller_client` and `reseller_package` are required "
    "(`missing_resellerclient` first). Protocol is SIP only (`1`). `lock_international`, `international_route` "
    "(the package's route applies) and `music_on_hold` are checked and not stored; `ip` is checked, not stored "
    "(as in the portal's form). `reseller_nextbilling` is checked: packages bill on the client's billing date, "
    "which getSubAccounts returns."
)


def _choice(p: Params, name: str, code: str, allowed: tuple[str, ...] | dict, current: str | None) -> str:
    value = text(p, name)
    if not value:
        if current is None:
            raise ApiError(f"missing_{code}")
        return current
    if value not in allowed:
        raise ApiError(f"invalid_{code}")
    return value


def _settings(p: Params, current: dict | None) -> tuple[dict, str, bool]:
    """The service's form values from the documented parameters (absent on set = kept): (form, client, chargesetup)."""
    cur = current or {}
    auth = _choice(p, "auth_type", "authtype", AUTH_TYPES, AUTH_VALUE.get(cur.get("auth_type", "")))
    password = p.get("password") or ""
    if not password:
        if current is None and auth == "1":
            raise ApiError("missing_password")
        # Kept on set; with IP authentication the carrier still gets a random one, as the portal's form does.
        password = cur.get("password", "") if current else secrets.token_urlsafe(12)
    elif len(password) < 8:
        raise ApiError("invalid_password_lessthan_8characters_long")
    ip = text(p, "ip")
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise ApiError("invalid_ip_auth") from None
    device = _choice(p, "device_type", "devicetype", DEVICE_TYPES, _device_value(cur.get("device_type")))
    _choice(p, "lock_international", "lockinternational", LOCK_INTERNATIONAL, "0" if current else None)
    _choice(p, "international_route", "internationalroute", ROUTES, "1" if current else None)
    moh = text(p, "music_on_hold")
    if not moh and current is None:
        raise ApiError("missing_musiconhold")
    if moh and not _MOH.match(moh):
        raise ApiError("invalid_musiconhold")
    codecs = text(p, "allowed_codecs")
    if not codecs and current is None:
        raise ApiError("missing_allowedcodecs")
    dtmf = _choice(p, "dtmf_mode", "dtmfmode", subs.DTMF_MODES, cur.get("dtmf_mode"))
    nat = _choice(p, "nat", "nat", subs.NAT_MODES, cur.get("nat"))
    client = text(p, "reseller_client") or str(cur.get("client_id") or "")
    package = text(p, "reseller_package") or (str(cur.get("package_id") or "") if current else "")
    if not client:
        raise ApiError("missing_resellerclient")
    if not package:
        raise ApiError("missing_resellerpackage")
    if not is_id(client):
        raise ApiError("invalid_resellerclient")
    if not is_id(package):
        raise ApiError("invalid_resellerpackage")
    nextbilling = text(p, "reseller_nextbilling")
    if nextbilling and day(nextbilling, "invalid_resellernextbilling") < utcnow().date():
        raise ApiError("invalid_resellernextbilling")
    form = {
        "password": password,
        "description": text(p, "description") if "description" in p else cur.get("description", ""),
        "device_type": DEVICE_TYPES[device],
        "auth_type": AUTH_TYPES[auth],
        "callerid": text(p, "callerid_number") if "callerid_number" in p else cur.get("callerid", ""),
        "codecs": codecs.replace(";", ",") if codecs else cur.get("codecs", ""),
        "dtmf_mode": dtmf,
        "nat": nat,
        "package_id": package,
    }
    return form, client, yes(p, "reseller_chargesetup")


def _device_value(device: str | None) -> str | None:
    if device is None:
        return None
    return "1" if device == "pbx" else "2"


def _save(actor: Actor, client: str, sub_id: str | None, form: dict, charge: bool) -> int:
    try:
        accounts.client_details(actor, client)
    except NotFound:
        raise ApiError("invalid_resellerclient") from None
    try:
        return subs.save_subaccount(actor, client, sub_id, form, charge_setup_fee=charge)
    except NotFound as e:
        raise ApiError("invalid_resellerpackage" if "package" in str(e) else "invalid_id") from None
    except ValidationFailed as e:
        field, message = next(iter(e.errors.items()))
        if field == "name" and "already exists" in message:
            raise ApiError("used_username") from None
        if field == "carrier" or "carrier refused" in message:
            raise ApiError("provider_outofservice") from None
        raise ApiError(FIELD_CODE.get(field, "missing_params")) from None


@method(
    "createSubAccount",
    "Create a sub-account for a client at the carrier (`<account>_<username>`), with its package.",
    (
        req("username", "1 to 32 letters, digits, '_', '.' or '-'."),
        req("protocol", "1 = SIP (getProtocols)."),
        *SETTINGS_PARAMS,
    ),
    (
        "missing_username",
        "invalid_username",
        "used_username",
        "missing_protocol",
        "invalid_protocol",
        *SETTINGS_CODES,
    ),
    NOTES,
)
def create_sub_account(actor: Actor, p: Params) -> Answer:
    """createSubAccount."""
    require_reseller(actor)
    username = need(p, "username")
    _choice(p, "protocol", "protocol", PROTOCOLS, None)
    form, client, charge = _settings(p, None)
    form["name"] = username
    sid = _save(actor, client, None, form, charge)
    account = next(r["account"] for r in subs.list_subaccounts(actor) if r["id"] == sid)
    return {"id": str(sid), "account": account}


def _own(actor: Actor, p: Params) -> dict:
    raw = need(p, "id")
    if not is_id(raw):
        raise ApiError("invalid_id")
    row = next((r for r in subs.list_subaccounts(actor) if r["id"] == int(raw)), None)
    if row is None:
        raise ApiError("invalid_id")
    return row


@method(
    "setSubAccount",
    "Change a sub-account's settings, client link and package (absent parameters keep their value).",
    (req("id", "The sub-account id (getSubAccounts)."), *SETTINGS_PARAMS),
    ("missing_id", "invalid_id", *SETTINGS_CODES),
    NOTES + " An empty or absent `password` keeps the current one.",
)
def set_sub_account(actor: Actor, p: Params) -> Answer:
    """setSubAccount."""
    require_reseller(actor)
    row = _own(actor, p)
    current = dict(row)
    if row["client_id"]:
        current["password"] = subs.subaccount_form(actor, row["client_id"], row["id"])["password"]
    form, client, charge = _settings(p, current)
    if row["client_id"] and str(row["client_id"]) != client:
        raise ApiError("invalid_resellerclient")  # unconnect it (delSubAccount) before giving it to another
    if not form["password"]:  # an unconnected one being given to a client: its password stays
        try:
            form["password"] = subs.subaccount_form(actor, client, row["id"])["password"]
        except NotFound:
            raise ApiError("invalid_resellerclient") from None
    _save(actor, client, str(row["id"]), form, charge)
    return {}


def sub_row(r: dict) -> dict[str, str]:
    """A getSubAccounts row with VoIP.ms's keys (SIP password empty, see the note)."""
    prefix, _, username = r["account"].partition("_")
    return {
        "id": str(r["id"]),
        "account": r["account"],
        "username": username,
        "description": r["description"],
        "protocol": "1",
        "auth_type": AUTH_VALUE.get(r["auth_type"], "1"),
        "password": "",
        "ip": "",
        "device_type": _device_value(r["device_type"]) or "2",
        "callerid_number": r["callerid"] or "-1",
        "canada_routing": "-1",
        "lock_international": "0",
        "international_route": ROUTE_CODE.get(r["international_route"], "1"),
        "music_on_hold": r["music_on_hold"],
        "language": "en",
        "allowed_codecs": r["codecs"].replace(",", ";"),
        "dtmf_mode": r["dtmf_mode"],
        "nat": r["nat"],
        "sip_traffic": "1",
        "max_expiry": "3600",
        "rtp_timeout": "60",
        "rtp_hold_timeout": "600",
        "ip_restriction": "",
        "enable_ip_restriction": "0",
        "pop_restriction": "",
        "enable_pop_restriction": "0",
        "send_bye": "1",
        "record_calls": "0",
        "internal_extension": "",
        "internal_voicemail": "",
        "internal_dialtime": "60",
        "reseller_client": str(r["client_id"] or "0"),
        "reseller_package": str(r["package_id"] or "0"),
        "reseller_nextbilling": ymd(r["next_billing_date"]),
        "transcribe": "0",
        "transcription_locale": "",
        "transcription_redaction": "0",
        "transcription_summary": "0",
        "transcription_sentiment": "0",
        "transcription_email": "",
        "parking_lot": "",
        "enable_internal_cnam": "0",
        "internal_cnam": "",
        "tfcarrier": "-1",
        "default_e911": "-1",
        "call_pickup_behavior": "1",
        "internal_extension_location": "",
    }


@method(
    "getSubAccounts",
    "Your sub-accounts, one by name, or a client's (by client id).",
    (opt("account", "A sub-account name (100001_front) or a client id; empty = all."),),
    ("invalid_account", "no_account"),
    "`password` is empty (the SIP password is shown only in the portal). Settings the portal does not keep are "
    "sent with VoIP.ms's defaults.",
)
def get_sub_accounts(actor: Actor, p: Params) -> Answer:
    """getSubAccounts."""
    require_reseller(actor)
    wanted = text(p, "account")
    if not wanted:
        rows = subs.list_subaccounts(actor)
        if not rows:
            raise ApiError("no_account")
    elif is_id(wanted):
        try:
            rows = subs.list_subaccounts(actor, client_id=wanted)
        except NotFound:
            raise ApiError("invalid_account") from None
        if not rows:
            raise ApiError("no_account")
    else:
        rows = subs.list_subaccounts(actor, account=wanted[:64])
        if not rows:
            raise ApiError("invalid_account")
    return {"accounts": [sub_row(r) for r in rows]}


@method(
    "delSubAccount",
    "Take a sub-account from its client (the portal's Unconnect: blocked at the carrier, kept unconnected).",
    (req("id", "The sub-account id."),),
    ("missing_id", "invalid_id", "account_with_dids"),
    "The sub-account is unconnected and blocked rather than deleted at the carrier; an unconnected one is "
    "`invalid_id`.",
)
def del_sub_account(actor: Actor, p: Params) -> Answer:
    """delSubAccount."""
    require_reseller(actor)
    row = _own(actor, p)
    if not row["client_id"]:
        raise ApiError("invalid_id")
    try:
        subs.unconnect_subaccount(actor, row["client_id"], row["id"])
    except NotFound:
        raise ApiError("invalid_id") from None
    except ValidationFailed:
        raise ApiError("account_with_dids") from None
    return {}
