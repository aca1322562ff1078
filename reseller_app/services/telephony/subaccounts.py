"""Sub-accounts of a client: create at the carrier, configure, assign a package and its setup fee, unconnect."""

from __future__ import annotations

import logging
import re
import secrets
import uuid

from sqlalchemy import func, or_
from sqlmodel import Session, select

from reseller_app.billing.fees import package_setup_fee
from reseller_app.carrier import CarrierError, get_carrier
from reseller_app.db import session_scope
from reseller_app.models import Did, Package, Reseller, SubAccount, utcnow
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.accounting.postings import Effects, post_to_client, run_effects
from reseller_app.services.clients.accounts import main_account, own_client
from reseller_app.services.common import audit, fields
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.common.lookup import owned
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role

log = logging.getLogger(__name__)

DEVICE_TYPES = {"ip_phone": "IP phone / softphone", "pbx": "PBX", "ata": "ATA", "fax": "Fax ATA"}
AUTH_TYPES = {"password": "User / password", "ip": "Static IP"}
CODECS = ("ulaw", "alaw", "g729", "g722", "gsm", "opus")
DTMF_MODES = ("auto", "rfc2833", "inband", "info")
NAT_MODES = ("yes", "no", "route", "never")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


def check_name(actor: Actor, name: str) -> str:
    """The full account `<main account>_<name>` for a new sub-account; ValidationFailed if bad or taken."""
    require_reseller(actor)
    name = (name or "").strip()
    if not _NAME_RE.match(name):
        raise ValidationFailed(
            {"name": "Use 1 to 32 letters, digits, '_', '.' or '-' (starting with a letter or digit)."}
        )
    account = f"{main_account(actor.reseller_id)}_{name}"
    with session_scope() as session:
        if session.exec(select(SubAccount.id).where(SubAccount.account == account)).first():
            raise ValidationFailed({"name": f"{account} already exists."})
    return account


def connect_on_create(
    actor: Actor, client_id: int | str, choice: str, name: str, package_id: str, *, charge_setup_fee: bool
) -> int | None:
    """The create form's sub-account step: none, a new one (default settings) or an unconnected one; its package."""
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    if choice in ("", "none"):
        return None
    form = subaccount_form(actor, client_id, "new" if choice == "new" else choice)
    form["name"] = name
    form["package_id"] = package_id or "none"
    return save_subaccount(actor, client_id, form["id"], form, charge_setup_fee=charge_setup_fee)


def unconnected_choices(actor: Actor) -> list[dict[str, str]]:
    """The reseller's sub-accounts not connected to any client."""
    require_reseller(actor)
    with session_scope() as session:
        rows = session.exec(
            select(SubAccount.id, SubAccount.account)
            .where(SubAccount.reseller_id == actor.reseller_id, SubAccount.client_id.is_(None))
            .order_by(SubAccount.account)
            .limit(500)
        ).all()
        return [{"id": str(i), "label": a} for i, a in rows]


def own_subaccount(
    session: Session, actor: Actor, sub_id: object, client_id: int | None = None, *, or_unconnected: bool = False
) -> SubAccount:
    """A sub-account of the actor's reseller; given `client_id`, one connected to that client (or, with
    `or_unconnected`, to no client). NotFound otherwise."""
    sub = owned(session, actor, SubAccount, sub_id, "sub-account")
    if client_id is not None and sub.client_id != client_id and not (or_unconnected and sub.client_id is None):
        raise NotFound("No such sub-account.")
    return sub


def _package(session: Session, actor: Actor, package_id: object) -> Package | None:
    """The package chosen in the form: none ("" or "none"), or one of the reseller's."""
    if str(package_id or "").strip() in ("", "none"):
        return None
    return owned(session, actor, Package, package_id, "package")


def subaccount_choices(actor: Actor, client_id: int | str) -> list[dict[str, str]]:
    """Sub-accounts a package can be assigned to: this client's, and the reseller's unconnected ones."""
    require_reseller(actor)
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        rows = session.exec(
            select(SubAccount)
            .where(
                SubAccount.reseller_id == actor.reseller_id,
                or_(SubAccount.client_id == client.id, SubAccount.client_id.is_(None)),
            )
            .order_by(SubAccount.account)
            .limit(500)
        ).all()
        return [
            {"id": str(s.id), "label": s.account if s.client_id == client.id else f"{s.account} (not connected)"}
            for s in rows
        ]


def subaccount_form(actor: Actor, client_id: int | str, sub_id: int | str | None) -> dict[str, str]:
    """The configuration page's values: a new sub-account's defaults, or an existing one's settings."""
    require_reseller(actor)
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        prefix = main_account(actor.reseller_id) + "_"
        if sub_id in (None, "", "new"):
            return {
                "id": "new",
                "prefix": prefix,
                "name": "",
                "account": "",
                "description": "",
                "password": secrets.token_urlsafe(9),
                "device_type": "ip_phone",
                "auth_type": "password",
                "callerid": "",
                "codecs": "ulaw,g729,gsm",
                "dtmf_mode": "auto",
                "nat": "yes",
                "package_id": "none",
                "connected": "",
            }
        sub = own_subaccount(session, actor, sub_id, client.id, or_unconnected=True)
        return {
            "id": str(sub.id),
            "prefix": prefix,
            "name": sub.account.removeprefix(prefix),
            "account": sub.account,
            "description": sub.description,
            "password": sub.sip_password,
            "device_type": sub.device_type,
            "auth_type": sub.auth_type,
            "callerid": sub.callerid,
            "codecs": sub.codecs,
            "dtmf_mode": sub.dtmf_mode,
            "nat": sub.nat,
            "package_id": str(sub.package_id) if sub.package_id else "none",
            "connected": "1" if sub.client_id == client.id else "",
        }


def _clean(data: dict) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    out: dict = {}
    password = str(data.get("password", "") or "").strip()
    if not 8 <= len(password) <= 64 or not password.isprintable():
        errors["password"] = "Use 8 to 64 printable characters."  # noqa: S105 - a message, not a secret
    out["sip_password"] = password
    out["description"] = str(data.get("description", "") or "").strip()[:120]
    for key, allowed, label in (
        ("device_type", DEVICE_TYPES, "device type"),
        ("auth_type", AUTH_TYPES, "authentication type"),
        ("dtmf_mode", DTMF_MODES, "DTMF mode"),
        ("nat", NAT_MODES, "NAT setting"),
    ):
        value = str(data.get(key, "") or "")
        if value not in allowed:
            errors[key] = f"Choose a {label}."
        out[key] = value
    callerid = str(data.get("callerid", "") or "").strip()
    if callerid:
        try:
            callerid = fields.phone_digits(callerid, "callerid")
        except ValidationFailed as e:
            errors.update(e.errors)
    out["callerid"] = callerid
    raw_codecs = data.get("codecs", "")
    codecs = raw_codecs if isinstance(raw_codecs, list) else str(raw_codecs or "").split(",")
    codecs = [c.strip() for c in codecs if c.strip()]
    if not codecs or any(c not in CODECS for c in codecs):
        errors["codecs"] = f"Choose one or more of: {', '.join(CODECS)}."
    out["codecs"] = ",".join(dict.fromkeys(codecs))
    return out, errors


def save_subaccount(
    actor: Actor,
    client_id: int | str,
    sub_id: int | str | None,
    data: dict,
    *,
    charge_setup_fee: bool = False,
    reference: str | None = None,
) -> int:
    """Create (at the carrier) or update a sub-account of the client and assign its package; returns its id.

    A package newly assigned with `charge_setup_fee` posts the package's setup fee to the client.
    """
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    values, errors = _clean(data)
    is_new = sub_id in (None, "", "new")
    account = ""
    if is_new:
        name = str(data.get("name", "") or "").strip()
        if not _NAME_RE.match(name):
            errors["name"] = "Use 1 to 32 letters, digits, '_', '.' or '-' (starting with a letter or digit)."
        account = f"{main_account(actor.reseller_id)}_{name}"
    if errors:
        raise ValidationFailed(errors)
    # Check ownership and the name before talking to the carrier.
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        _package(session, actor, data.get("package_id", ""))
        reseller = session.get(Reseller, actor.reseller_id)
        if is_new and session.exec(select(SubAccount.id).where(SubAccount.account == account)).first():
            raise ValidationFailed({"name": f"{account} already exists."})
        if not is_new:
            own_subaccount(session, actor, sub_id, client.id, or_unconnected=True)
    carrier_ref = ""
    if is_new:
        # The carrier is called outside any DB transaction.
        try:
            carrier_ref = get_carrier(reseller).create_subaccount(
                actor.reseller_id, account, values["sip_password"], description=values["description"]
            )
        except CarrierError as e:
            field = "name" if e.code == "duplicate" else "carrier"
            raise ValidationFailed({field: f"The carrier refused: {e}"}) from None
    try:
        sub_id_out, fx = _record_subaccount(
            actor, client_id, sub_id, data, values, account, carrier_ref, charge_setup_fee, reference
        )
    except BaseException:
        if is_new:  # the carrier has a sub-account the portal does not: take it back (as dids.py does for numbers)
            _undo_create(reseller, actor.reseller_id, account)
        raise
    run_effects(fx)
    return sub_id_out


def _undo_create(reseller: Reseller, reseller_id: int, account: str) -> None:
    try:
        get_carrier(reseller).delete_subaccount(reseller_id, account)
    except CarrierError as e:
        log.warning("sub-account %s exists at the carrier but was not saved here; deleting it failed: %s", account, e)


def _record_subaccount(
    actor: Actor,
    client_id: int | str,
    sub_id: int | str | None,
    data: dict,
    values: dict,
    account: str,
    carrier_ref: str,
    charge_setup_fee: bool,
    reference: str | None,
) -> tuple[int, Effects]:
    """The database half of save_subaccount: one transaction; the carrier's side is already done."""
    is_new = sub_id in (None, "", "new")
    fx = Effects()
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        pkg = _package(session, actor, data.get("package_id", ""))
        if is_new:
            sub = SubAccount(reseller_id=actor.reseller_id, account=account, carrier_ref=carrier_ref, **values)
            session.add(sub)
            old_package = None
        else:
            sub = own_subaccount(session, actor, sub_id, client.id, or_unconnected=True)
            old_package = sub.package_id
            for key, value in values.items():
                setattr(sub, key, value)
        new_package = pkg.id if pkg else None
        if sub.client_id != client.id or sub.package_id != new_package or sub.package_since is None:
            # The package's monthly fee is billed from now on for this client (billing_run: active_from).
            sub.package_since = utcnow() if new_package is not None else None
        if sub.client_id != client.id:
            sub.client_id = client.id
            # A connected sub-account follows its client: blocked while the client is suspended.
            want_blocked = client.status == "SUSPENDED"
            if sub.blocked != want_blocked:
                (fx.block if want_blocked else fx.unblock).append((actor.reseller_id, sub.account))
            sub.blocked = want_blocked
        sub.package_id = pkg.id if pkg else None
        session.flush()
        if pkg is not None and pkg.id != old_package:
            fee = package_setup_fee(pkg.setup_fee, charge_setup_fee=charge_setup_fee)
            if fee > 0:
                ref = f"setup:pkg:{sub.id}:{reference or uuid.uuid4().hex}"[:120]
                post_to_client(
                    session,
                    client,
                    kind="fee",
                    amount=-fee,
                    description=f"Setup fee: package {pkg.name} on {sub.account}"[:255],
                    reference=ref,
                    by="reseller",
                    fx=fx,
                )
        audit.record(
            session,
            actor,
            "create_subaccount" if is_new else "update_subaccount",
            "subaccount",
            sub.id,
            package=pkg.name if pkg else "",
        )
        return sub.id, fx


def set_blocked(actor: Actor, client_id: int | str, sub_id: int | str, blocked: bool) -> None:
    """Block or unblock one of the client's sub-accounts at the carrier, then record it."""
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        sub = own_subaccount(session, actor, sub_id, client.id)
        reseller = session.get(Reseller, actor.reseller_id)
        account = sub.account
    carrier = get_carrier(reseller)
    try:
        (carrier.block_subaccount if blocked else carrier.unblock_subaccount)(account)
    except CarrierError as e:
        raise ValidationFailed({"carrier": f"The carrier refused: {e}"}) from None
    with session_scope() as session:
        sub = own_subaccount(session, actor, sub_id)
        sub.blocked = bool(blocked)
        audit.record(session, actor, "block_subaccount" if blocked else "unblock_subaccount", "subaccount", sub.id)


def unconnect_subaccount(actor: Actor, client_id: int | str, sub_id: int | str) -> None:
    """Withdraw a sub-account from the client; it is blocked at the carrier until connected again."""
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    fx = Effects()
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        sub = own_subaccount(session, actor, sub_id, client.id)
        routed = session.exec(select(func.count(Did.id)).where(Did.sub_account_id == sub.id)).one()
        if routed:
            raise ValidationFailed(
                {"subaccount": f"{routed} number(s) still route to {sub.account}: unconnect them first."}
            )
        sub.client_id = None
        if not sub.blocked:
            sub.blocked = True
            fx.block.append((actor.reseller_id, sub.account))
        audit.record(session, actor, "unconnect_subaccount", "subaccount", sub.id, client=client.id)
    run_effects(fx)


def list_subaccounts(actor: Actor, account: str = "", client_id: int | str | None = None) -> list[dict]:
    """The reseller's sub-accounts (one by name, or one client's), oldest first, with client and package ids."""
    require_reseller(actor)
    with session_scope() as session:
        stmt = select(SubAccount).where(SubAccount.reseller_id == actor.reseller_id)
        if account:
            stmt = stmt.where(SubAccount.account == account)
        if client_id is not None:
            stmt = stmt.where(SubAccount.client_id == own_client(session, actor, client_id).id)
        rows = session.exec(stmt.order_by(SubAccount.id).limit(5000)).all()
        billing = {}
        pkg_routes = {}
        for s in rows:
            if s.client_id and s.client_id not in billing:
                billing[s.client_id] = own_client(session, actor, s.client_id).next_billing_date
            if s.package_id and s.package_id not in pkg_routes:
                pkg_routes[s.package_id] = session.get(Package, s.package_id).international_route
        return [
            {
                "id": s.id,
                "account": s.account,
                "description": s.description,
                "device_type": s.device_type,
                "auth_type": s.auth_type,
                "callerid": s.callerid,
                "codecs": s.codecs,
                "dtmf_mode": s.dtmf_mode,
                "nat": s.nat,
                "music_on_hold": s.music_on_hold,
                "blocked": s.blocked,
                "client_id": s.client_id,
                "package_id": s.package_id,
                "international_route": pkg_routes.get(s.package_id, "value"),
                "next_billing_date": billing.get(s.client_id),
            }
            for s in rows
        ]
