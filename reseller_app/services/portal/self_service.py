"""The client's Services page: sub-accounts, numbers (and buying one), e911, voicemail, forwarding and fax."""

from __future__ import annotations

import logging
import re

from sqlmodel import Session, select

from reseller_app.carrier import CarrierError, get_carrier
from reseller_app.db import session_scope
from reseller_app.i18n import N_, _
from reseller_app.models import (
    Client,
    Did,
    E911Record,
    FaxRecord,
    Forwarding,
    Reseller,
    ResellerSettings,
    SubAccount,
    Voicemail,
    utcnow,
)
from reseller_app.services.access.actor import Actor, require_client
from reseller_app.services.accounting.postings import Effects, post_to_client, run_effects
from reseller_app.services.callflows import graph as callflow_graph
from reseller_app.services.callflows import objects as callflows
from reseller_app.services.common import audit, fields
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import Forbidden, ValidationFailed
from reseller_app.services.common.lookup import own_account, owned
from reseller_app.services.common.paging import page_size as page_size_of
from reseller_app.services.common.paging import read_page
from reseller_app.services.portal.account import PortalView, require_service, subaccounts_with_packages, view_for
from reseller_app.services.telephony.voicemail import clean_mailbox, mailbox_taken

log = logging.getLogger(__name__)

SUSPENDED = N_("Your account is suspended: add funds before buying numbers.")
DEVICE_TYPES = ("ip_phone", "softphone", "ata", "pbx")
AUTH_TYPES = ("password", "ip")
CODECS = ("ulaw", "alaw", "g722", "g729", "gsm", "opus")
DTMF_MODES = ("auto", "rfc2833", "inband", "info")
NAT_MODES = ("yes", "no", "route", "never")
# Editable field name (Package.subaccount_editable) -> SubAccount column.
FIELD_COLUMN = {
    "password": "sip_password",
    "device_type": "device_type",
    "auth_type": "auth_type",
    "callerid": "callerid",
    "moh": "music_on_hold",
    "codecs": "codecs",
    "dtmf": "dtmf_mode",
    "nat": "nat",
}
# What the simple view hides on the Services page ("services-specific information: register type, allowed codecs"):
# the technical settings of a sub-account. The password (when shown) and the caller ID stay.
TECHNICAL_FIELDS = frozenset({"device_type", "auth_type", "moh", "codecs", "dtmf", "nat"})
_DIGITS = re.compile(r"^\d{10,15}$")
_PASSWORD = re.compile(r"^[A-Za-z0-9!#$%&()*+,\-./:;<=>?@\[\]^_{|}~]{8,64}$")
_MOH = re.compile(r"^[a-z0-9_]{1,32}$")


def _client(session: Session, actor: Actor) -> Client:
    require_client(actor)
    return own_account(session, actor)


def _settings(session: Session, reseller_id: int) -> ResellerSettings:
    return session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == reseller_id)).one()


def _clean(form: dict, key: str, limit: int) -> str:
    return str(form.get(key, "") or "").strip()[:limit]


# --- Reading ------------------------------------------------------------------------------------------------


def overview(actor: Actor) -> dict:
    """Everything on the Services page that the client's view allows."""
    with session_scope() as session:
        c = _client(session, actor)
        view = view_for(session, c)
        if not view.services_page:
            raise Forbidden(_("This page is not available."))
        s = _settings(session, c.reseller_id)
        on = set(view.services)
        out: dict = {
            "services": sorted(on),
            "simple": view.simple,
            "show_sip_password": view.show_sip_password,
            "did_purchase": "dids" in on and view.did_purchase,
            "did_setup": fmt.money(s.did_setup),
            "did_monthly": fmt.money(s.did_monthly),
            "e911_setup": fmt.money(s.e911_setup),
            "e911_monthly": fmt.money(s.e911_monthly),
            "suspended": c.status == "SUSPENDED",
        }
        out["subaccounts"] = _subaccounts(session, c, view) if "subaccounts" in on else []
        out["dids"] = _dids(session, c, "voice") if "dids" in on else []
        out["faxes"] = _dids(session, c, "fax") if "fax" in on else []
        out["e911"] = _e911(session, c) if "e911" in on else []
        out["voicemails"] = (
            [
                {"id": str(v.id), "mailbox": v.mailbox, "name": v.name, "email": v.email or "—"}
                for v in session.exec(select(Voicemail).where(Voicemail.client_id == c.id).order_by(Voicemail.id))
            ]
            if "voicemail" in on
            else []
        )
        out["forwardings"] = (
            [
                {"id": str(f.id), "phone_number": f.phone_number, "description": f.description}
                for f in session.exec(select(Forwarding).where(Forwarding.client_id == c.id).order_by(Forwarding.id))
            ]
            if "forwarding" in on
            else []
        )
        return out


def _subaccounts(session: Session, c: Client, view: PortalView) -> list[dict[str, str]]:
    out = []
    for sub, pkg in subaccounts_with_packages(session, c):
        editable = [f for f in view.editable.get(sub.id, ()) if f in FIELD_COLUMN]
        if not view.show_sip_password:
            editable = [f for f in editable if f != "password"]
        if view.simple:
            editable = [f for f in editable if f not in TECHNICAL_FIELDS]
        out.append(
            {
                "id": str(sub.id),
                "account": sub.account,
                "description": sub.description,
                "package": pkg.name if pkg else "—",
                "password": sub.sip_password if view.show_sip_password else "",
                "status": _("Blocked") if sub.blocked else _("Active"),
                "device_type": sub.device_type,
                "auth_type": sub.auth_type,
                "callerid": sub.callerid,
                "moh": sub.music_on_hold,
                "codecs": sub.codecs,
                "dtmf": sub.dtmf_mode,
                "nat": sub.nat,
                "editable": ",".join(editable),
            }
        )
        if view.simple:  # not even sent to the browser
            out[-1].update({f: "" for f in ("device_type", "auth_type", "moh", "codecs", "dtmf", "nat")})
    return out


def _dids(session: Session, c: Client, kind: str) -> list[dict[str, str]]:
    subs = dict(session.exec(select(SubAccount.id, SubAccount.account).where(SubAccount.client_id == c.id)).all())
    rows = session.exec(select(Did).where(Did.client_id == c.id, Did.kind == kind).order_by(Did.number)).all()
    graph = callflow_graph.load_graph(session, c) if kind == "voice" and any(d.routing for d in rows) else None

    def rings(d: Did) -> str:
        if graph is not None and d.routing:  # routed on the Call flows page
            return graph.label(callflow_graph.number_route(d).dest)
        return subs.get(d.sub_account_id, "—")

    e911 = set(
        session.exec(
            select(E911Record.did_id).where(E911Record.client_id == c.id, E911Record.active == True)  # noqa: E712
        ).all()
    )
    return [
        {
            "id": str(d.id),
            "number": d.number,
            "rate_center": d.rate_center or "—",
            "routes_to": rings(d),
            "monthly": fmt.money(d.monthly_fee),
            "e911": _("Yes") if d.id in e911 else _("No"),
            "e911_set": "1" if d.id in e911 else "",
        }
        for d in rows
    ]


def _e911(session: Session, c: Client) -> list[dict[str, str]]:
    rows = session.exec(
        select(E911Record, Did)
        .join(Did, E911Record.did_id == Did.id)
        .where(E911Record.client_id == c.id, E911Record.active == True)  # noqa: E712
        .order_by(Did.number)
    ).all()
    return [
        {
            "id": str(r.id),
            "number": d.number,
            "name": r.full_name,
            "address": f"{r.address}, {r.city}, {r.state} {r.zip}, {r.country}",
            "monthly": fmt.money(r.monthly_fee),
        }
        for r, d in rows
    ]


def fax_history(actor: Actor, page: int = 1, page_size: int = 20) -> dict:
    """One page of the client's sent and received faxes, newest first."""
    with session_scope() as session:
        c = _client(session, actor)
        require_service(session, c, "fax")
        faxes = select(FaxRecord).where(FaxRecord.client_id == c.id)
        order = (FaxRecord.start.desc(), FaxRecord.id.desc())
        w, rows = read_page(session, faxes, page, page_size_of(page_size, 20), *order)
        items = [
            {
                "date": fmt.when(r.start, c.timezone),
                "direction": _("Received") if r.direction == "in" else _("Sent"),
                "remote": r.remote_number,
                "pages": str(r.pages),
                "status": r.status,
                "price": fmt.money(r.price, 4),
            }
            for r in rows
        ]
    return w.page_of(items).as_dict()


# --- Buying a DID -------------------------------------------------------------------------------------------


def _may_buy(session: Session, c: Client) -> None:
    view = require_service(session, c, "dids")
    if not view.did_purchase:
        raise Forbidden(_("Your package does not allow buying numbers."))
    if c.status != "ACTIVE":
        raise Forbidden(_(SUSPENDED))


def available_numbers(actor: Actor, limit: int = 50) -> list[dict[str, str]]:
    """Numbers the client may buy now (the carrier's free inventory), with the reseller's fees."""
    with session_scope() as session:
        c = _client(session, actor)
        _may_buy(session, c)
        reseller = session.get(Reseller, c.reseller_id)
    offers = get_carrier(reseller).available_dids(c.reseller_id, "voice")  # outside any transaction
    return [{"number": o.number, "rate_center": o.rate_center, "region": o.region} for o in offers[: max(1, limit)]]


def buy_did(actor: Actor, number: str, sub_account_id: str | int | None = None) -> dict[str, str]:
    """Buy a number: claim it at the carrier, connect it, and charge the reseller's DID setup fee once.

    The monthly fee is stored on the number and billed by the billing run on the client's billing date.
    """
    number = re.sub(r"\D", "", str(number or ""))
    if not _DIGITS.match(number):
        raise ValidationFailed({"number": _("Choose a number from the list.")})
    with session_scope() as session:
        c = _client(session, actor)
        _may_buy(session, c)
        sub_id = None
        if sub_account_id not in (None, ""):
            sub_id = owned(session, actor, SubAccount, sub_account_id, "sub-account", client_id=c.id).id
        if session.exec(select(Did.id).where(Did.reseller_id == c.reseller_id, Did.number == number)).first():
            raise ValidationFailed({"number": _("This number is no longer available.")})
        reseller = session.get(Reseller, c.reseller_id)
        reseller_id = c.reseller_id  # plain values: the compensation below must not touch session objects
    carrier = get_carrier(reseller)
    if number not in {o.number for o in carrier.available_dids(reseller_id, "voice")}:
        raise ValidationFailed({"number": _("This number is no longer available.")})
    try:
        offer = carrier.claim_did(reseller_id, number)
    except CarrierError:
        raise ValidationFailed({"number": _("This number is no longer available.")}) from None
    claimed = offer.number
    fx = Effects()
    try:
        with session_scope() as session:
            c = _client(session, actor)
            # The client row locked: of several buys at once each sees the status the previous one left (a HARD
            # client suspended by the first fee is refused), so the fee is never taken twice from one balance.
            session.refresh(c, with_for_update=True)
            _may_buy(session, c)  # the status may have changed while the carrier answered
            s = _settings(session, c.reseller_id)
            did = Did(
                reseller_id=c.reseller_id,
                number=offer.number,
                kind="voice",
                rate_center=offer.rate_center,
                region=offer.region,
                client_id=c.id,
                sub_account_id=sub_id,
                setup_fee=s.did_setup,
                monthly_fee=s.did_monthly,
                per_minute=s.did_minute,
                connected_at=utcnow(),
            )
            session.add(did)
            session.flush()
            if s.did_setup > 0:
                post_to_client(
                    session,
                    c,
                    kind="fee",
                    amount=-s.did_setup,
                    description=f"Phone number {did.number} setup fee",
                    reference=f"didsetup:{did.id}",
                    by="client",
                    fx=fx,
                )
            audit.record(session, actor, "buy_did", "did", did.id, number=did.number, setup=s.did_setup)
            result = {"id": str(did.id), "number": did.number, "setup": fmt.money(s.did_setup)}
    except BaseException:
        # Nothing was connected (refused, or the transaction failed in any way): give the number back so it is
        # not left ordered at the carrier and unknown to the portal. Only plain values here: the objects of the
        # rolled-back transaction are detached and expired.
        _release_claimed(carrier, reseller_id, claimed)
        raise
    run_effects(fx)
    return result


def _release_claimed(carrier, reseller_id: int, number: str) -> None:  # noqa: ANN001 - a Carrier
    """Give back a number claimed for a purchase that did not go through (logged when the carrier refuses)."""
    try:
        carrier.release_did(reseller_id, number)
    except Exception:
        log.exception("could not release number %s of reseller %s after a refused purchase", number, reseller_id)


# --- e911 ---------------------------------------------------------------------------------------------------


def add_e911(actor: Actor, did_id: str | int, form: dict) -> str:
    """Create the e911 record of one of the client's voice numbers, charging the reseller's e911 setup fee."""
    fields = {
        "full_name": _clean(form, "full_name", 120),
        "address": _clean(form, "address", 200),
        "city": _clean(form, "city", 80),
        "state": _clean(form, "state", 80),
        "zip": _clean(form, "zip", 20),
        "country": _clean(form, "country", 2).upper() or "US",
    }
    errors = {k: _("Required.") for k in ("full_name", "address", "city", "state", "zip") if not fields[k]}
    if fields["country"] not in ("US", "CA"):
        errors["country"] = "e911 covers US and CA addresses only."
    fx = Effects()
    with session_scope() as session:
        c = _client(session, actor)
        require_service(session, c, "e911")
        did = owned(session, actor, Did, did_id, "number", client_id=c.id)
        if did.kind != "voice":
            raise ValidationFailed({"did": "e911 is for phone numbers only."})
        if errors:
            raise ValidationFailed(errors)
        existing = session.exec(select(E911Record).where(E911Record.did_id == did.id)).first()
        if existing is not None and existing.active:
            raise ValidationFailed({"did": _("This number already has an e911 record.")})
        s = _settings(session, c.reseller_id)
        if existing is not None:
            # Re-activating an old record is a new record for billing: new setup fee and a new start date.
            session.delete(existing)
            session.flush()
        rec = E911Record(
            reseller_id=c.reseller_id,
            client_id=c.id,
            did_id=did.id,
            setup_fee=s.e911_setup,
            monthly_fee=s.e911_monthly,
            **fields,
        )
        session.add(rec)
        session.flush()
        if s.e911_setup > 0:
            post_to_client(
                session,
                c,
                kind="fee",
                amount=-s.e911_setup,
                description=f"e911 setup fee, {did.number}",
                reference=f"e911setup:{rec.id}:{utcnow().isoformat()}"[:120],
                by="client",
                fx=fx,
            )
        audit.record(session, actor, "add_e911", "e911record", rec.id, did=did.number)
        rec_id = rec.id
    run_effects(fx)
    return str(rec_id)


def remove_e911(actor: Actor, record_id: str | int) -> None:
    """Deactivate one of the client's e911 records (its monthly fee stops)."""
    with session_scope() as session:
        c = _client(session, actor)
        require_service(session, c, "e911")
        rec = owned(session, actor, E911Record, record_id, "e911 record", client_id=c.id)
        rec.active = False
        audit.record(session, actor, "remove_e911", "e911record", rec.id)


# --- Voicemail and forwarding -------------------------------------------------------------------------------


def add_voicemail(actor: Actor, form: dict) -> str:
    """Create a voicemail box whose messages are emailed to the client."""
    values, errors = clean_mailbox(form)
    with session_scope() as session:
        c = _client(session, actor)
        require_service(session, c, "voicemail")
        if not errors and mailbox_taken(session, c, values["mailbox"]):
            errors["mailbox"] = _("You already have this mailbox.")
        if errors:
            raise ValidationFailed(errors)
        vm = Voicemail(reseller_id=c.reseller_id, client_id=c.id, **values)
        session.add(vm)
        session.flush()
        audit.record(session, actor, "add_voicemail", "voicemail", vm.id)
        return str(vm.id)


def delete_voicemail(actor: Actor, voicemail_id: str | int) -> None:
    """Delete one of the client's voicemail boxes (numbers that used it stop using it)."""
    _delete_number_service(actor, Voicemail, voicemail_id, "voicemail")


def _delete_number_service(actor: Actor, model: type[Voicemail] | type[Forwarding], raw_id: object, name: str) -> None:
    """Delete one of the client's voicemail boxes or forwardings (`name`); the numbers that used it stop using it."""
    link = f"{name}_id"  # Did.voicemail_id, Did.forwarding_id
    with session_scope() as session:
        c = _client(session, actor)
        require_service(session, c, name)
        row = owned(session, actor, model, raw_id, name, client_id=c.id)
        # The client's call flow may still send calls there: refused, naming what uses it.
        callflows.refuse_endpoint_if_used(session, c.id, "vm" if name == "voicemail" else "fwd", row.id)
        for d in session.exec(select(Did).where(getattr(Did, link) == row.id)).all():
            setattr(d, link, None)
        session.flush()
        session.delete(row)
        audit.record(session, actor, f"delete_{name}", name, row.id)


def add_forwarding(actor: Actor, form: dict) -> str:
    """Create a call forwarding to a phone number (both legs are billed)."""
    raw = _clean(form, "phone_number", 40)
    description = fields.text(form.get("description"), "description", 120)
    with session_scope() as session:
        c = _client(session, actor)
        require_service(session, c, "forwarding")
        phone = fields.phone_digits(raw, "phone_number", c.country or "US")
        fw = Forwarding(reseller_id=c.reseller_id, client_id=c.id, phone_number=phone, description=description)
        session.add(fw)
        session.flush()
        audit.record(session, actor, "add_forwarding", "forwarding", fw.id)
        return str(fw.id)


def delete_forwarding(actor: Actor, forwarding_id: str | int) -> None:
    """Delete one of the client's call forwardings (numbers that used it stop using it)."""
    _delete_number_service(actor, Forwarding, forwarding_id, "forwarding")


# --- Sub-accounts -------------------------------------------------------------------------------------------


def _check_field(name: str, value: str) -> str:
    value = value.strip()
    if name == "password":
        if not _PASSWORD.match(value):
            raise ValidationFailed({name: _("Use 8 to 64 letters, digits or symbols, without spaces.")})
    elif name == "device_type" and value not in DEVICE_TYPES:
        raise ValidationFailed({name: _("Choose a device type from the list.")})
    elif name == "auth_type" and value not in AUTH_TYPES:
        raise ValidationFailed({name: _("Choose password or IP.")})
    elif name == "callerid" and value:
        value = fields.phone_digits(value, name)
    elif name == "moh" and not _MOH.match(value):
        raise ValidationFailed({name: _("Use lower-case letters, digits or _.")})
    elif name == "codecs":
        parts = [p.strip().lower() for p in value.split(",") if p.strip()]
        if not parts or any(p not in CODECS for p in parts) or len(set(parts)) != len(parts):
            raise ValidationFailed({name: _("Choose codecs from: {codecs}.").format(codecs=", ".join(CODECS))})
        value = ",".join(parts)
    elif name == "dtmf" and value not in DTMF_MODES:
        raise ValidationFailed({name: _("Choose a DTMF mode from the list.")})
    elif name == "nat" and value not in NAT_MODES:
        raise ValidationFailed({name: _("Choose a NAT mode from the list.")})
    return value


def update_subaccount(actor: Actor, sub_account_id: str | int, changes: dict) -> None:
    """Change the fields of one of the client's sub-accounts that its package lets the client edit."""
    with session_scope() as session:
        c = _client(session, actor)
        view = require_service(session, c, "subaccounts")
        sub = owned(session, actor, SubAccount, sub_account_id, "sub-account", client_id=c.id)
        allowed = set(view.editable.get(sub.id, ()))
        if not view.show_sip_password:
            allowed.discard("password")
        if view.simple:
            allowed -= TECHNICAL_FIELDS
        cleaned = {}
        for name, raw in (changes or {}).items():
            if name not in FIELD_COLUMN or name not in allowed:
                raise Forbidden(_("You cannot change {name}.").format(name=name))
            cleaned[name] = _check_field(name, str(raw or ""))
        for name, value in cleaned.items():
            setattr(sub, FIELD_COLUMN[name], value)
        audit.record(session, actor, "edit_subaccount", "subaccount", sub.id, fields=",".join(sorted(cleaned)))
