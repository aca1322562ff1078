"""Phone and fax numbers of a client: connect (one or several at once), forward, voicemail, unconnect, routing."""

from __future__ import annotations

import logging
import re
import uuid
from decimal import Decimal

import phonenumbers
from sqlalchemy import delete, func
from sqlmodel import Session, select

from reseller_app.billing.fees import did_setup_fee
from reseller_app.carrier import CarrierError, get_carrier
from reseller_app.carrier.base import DID_KINDS
from reseller_app.db import session_scope
from reseller_app.models import Did, E911Record, Forwarding, Package, Reseller, ResellerSettings, SubAccount, Voicemail
from reseller_app.models.types import utcnow
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.accounting.postings import Effects, post_to_client, run_effects
from reseller_app.services.callflows import objects as callflows
from reseller_app.services.clients.accounts import clean_email, own_client
from reseller_app.services.common import audit, fields
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.common.lookup import owned
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role
from reseller_app.services.telephony.subaccounts import own_subaccount

log = logging.getLogger(__name__)

MAX_AT_ONCE = 20


def _reseller(actor: Actor) -> Reseller:
    with session_scope() as session:
        return session.get(Reseller, actor.reseller_id)


def available_numbers(actor: Actor, kind: str = "voice") -> list[dict[str, str]]:
    """Numbers the reseller can connect: its own unconnected ones, then the carrier's available ones."""
    require_reseller(actor)
    if kind not in DID_KINDS:
        raise ValidationFailed({"kind": "Choose voice or fax."})
    with session_scope() as session:
        owned = session.exec(
            select(Did)
            .where(Did.reseller_id == actor.reseller_id, Did.kind == kind, Did.client_id.is_(None))
            .order_by(Did.number)
        ).all()
        mine = [
            {"number": d.number, "label": f"{pretty(d.number)} · {d.rate_center} {d.region} (yours)"} for d in owned
        ]
    try:
        offers = get_carrier(_reseller(actor)).available_dids(actor.reseller_id, kind)
    except CarrierError as e:
        log.warning("available_dids failed: %s", e)
        offers = []
    seen = {m["number"] for m in mine}
    more = [
        {"number": o.number, "label": f"{o.number} · {o.rate_center} {o.region}"}
        for o in offers
        if o.number not in seen
    ]
    return mine + more


def did_defaults(actor: Actor, kind: str = "voice") -> dict[str, str]:
    """The reseller's default setup, monthly and per-minute rates for a voice or fax number."""
    require_reseller(actor)
    prefix = "fax" if kind == "fax" else "did"
    with session_scope() as session:
        s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == actor.reseller_id)).one()
        return {
            "setup": f"{getattr(s, f'{prefix}_setup'):.2f}",
            "monthly": f"{getattr(s, f'{prefix}_monthly'):.2f}",
            "per_minute": fmt.rate(getattr(s, f"{prefix}_minute")),
        }


def pretty(number: str) -> str:
    """A number for people, e.g. +1 514-555-0123 (the stored digits when it does not parse)."""
    try:
        parsed = phonenumbers.parse(f"+{number}")
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def clean_rate(raw: str, field: str, places: int) -> Decimal:
    """A price of 0 or more with at most `places` decimals, at most 10,000; ValidationFailed on `field`."""
    return fields.amount(str(raw or "0").strip() or "0", field, places=places, positive=False, maximum=Decimal(10000))


def local_number(raw: str, region: str = "US") -> str:
    """A forwarding destination as E.164 digits (no '+'); ValidationFailed unless it is a valid number."""
    return fields.phone_digits(raw, "forward_to", region)


def _client_sub(session: Session, actor: Actor, client_id: int, sub_id: str) -> SubAccount | None:
    if str(sub_id or "") in ("", "none"):
        return None
    return own_subaccount(session, actor, sub_id, client_id)


def connect_dids(
    actor: Actor,
    client_id: int | str,
    numbers: list[str],
    *,
    kind: str = "voice",
    sub_account_id: str = "",
    setup: str = "0",
    monthly: str = "0",
    per_minute: str = "0",
    forward_to: str = "",
    voicemail: dict | None = None,
    reference: str | None = None,
) -> list[int]:
    """Connect numbers to a client; each DID gets its own setup-fee posting (so N numbers post N fees)."""
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    if kind not in DID_KINDS:
        raise ValidationFailed({"kind": "Choose voice or fax."})
    wanted = list(dict.fromkeys(re.sub(r"\D", "", str(n)) for n in numbers if str(n).strip()))
    if not wanted:
        raise ValidationFailed({"numbers": "Choose at least one number."})
    if len(wanted) > MAX_AT_ONCE:
        raise ValidationFailed({"numbers": f"Connect at most {MAX_AT_ONCE} numbers at once."})
    setup_each = clean_rate(setup, "setup", 2)
    monthly_each = clean_rate(monthly, "monthly", 2)
    minute = clean_rate(per_minute, "per_minute", 6)
    vm = None
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        sub = _client_sub(session, actor, client.id, sub_account_id)
        if kind == "voice" and sub is None:
            raise ValidationFailed({"sub_account": "Choose the sub-account these numbers ring."})
        region = client.country or "US"
        taken = session.exec(
            select(Did.number).where(
                Did.reseller_id == actor.reseller_id, Did.number.in_(wanted), Did.client_id.is_not(None)
            )
        ).all()
        if taken:
            raise ValidationFailed({"numbers": f"Already connected: {', '.join(taken)}."})
    forward = local_number(forward_to, region) if (forward_to or "").strip() else ""
    if voicemail:
        name = str(voicemail.get("name", "") or "").strip()[:80]
        pin = str(voicemail.get("pin", "") or "").strip()
        errors = {}
        if not name:
            errors["vm_name"] = "Name the voicemail box."
        if not re.fullmatch(r"\d{4,10}", pin):
            errors["vm_pin"] = "Use a PIN of 4 to 10 digits."
        try:
            email = clean_email(str(voicemail.get("email", "")), "vm_email")
        except ValidationFailed as e:
            errors.update(e.errors)
            email = ""
        if errors:
            raise ValidationFailed(errors)
        vm = {"name": name, "pin": pin, "email": email}
    reseller = _reseller(actor)
    carrier = get_carrier(reseller)
    claimed = []
    # Claim at the carrier outside the DB transaction; give back what we took if anything fails.
    try:
        for number in wanted:
            claimed.append(carrier.claim_did(actor.reseller_id, number))
    except CarrierError as e:
        _release(carrier, actor.reseller_id, [o.number for o in claimed])
        raise ValidationFailed({"numbers": f"The carrier refused {number}: {e}"}) from None
    try:
        return _record(
            actor, client_id, kind, sub_account_id, claimed, setup_each, monthly_each, minute, forward, vm, reference
        )
    except BaseException:
        _release(carrier, actor.reseller_id, [o.number for o in claimed])
        raise


def _release(carrier, reseller_id: int, numbers: list[str]) -> None:  # noqa: ANN001
    for number in numbers:
        try:
            carrier.release_did(reseller_id, number)
        except CarrierError as e:
            log.warning("release of %s failed: %s", number, e)


def _record(actor, client_id, kind, sub_account_id, claimed, setup_each, monthly_each, minute, forward, vm, reference):  # noqa: ANN001, ANN202
    fx = Effects()
    ids: list[int] = []
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        sub = _client_sub(session, actor, client.id, sub_account_id)
        fwd = None
        if forward:
            fwd = Forwarding(
                reseller_id=actor.reseller_id, client_id=client.id, phone_number=forward, description="DID forwarding"
            )
            session.add(fwd)
        box = None
        if vm:
            count = session.exec(select(func.count(Voicemail.id)).where(Voicemail.client_id == client.id)).one()
            box = Voicemail(
                reseller_id=actor.reseller_id,
                client_id=client.id,
                mailbox=f"{client.id}{count + 1:02d}"[:16],
                **vm,
            )
            session.add(box)
        session.flush()
        ref = reference or uuid.uuid4().hex
        for offer in claimed:
            did = session.exec(
                select(Did).where(Did.reseller_id == actor.reseller_id, Did.number == offer.number)
            ).first()
            if did is None:
                did = Did(reseller_id=actor.reseller_id, number=offer.number)
                session.add(did)
            elif did.client_id is not None:
                raise ValidationFailed({"numbers": f"Already connected: {offer.number}."})
            did.kind = offer.kind
            did.rate_center = offer.rate_center
            did.region = offer.region
            did.client_id = client.id
            did.sub_account_id = sub.id if sub else None
            did.forwarding_id = fwd.id if fwd else None
            did.voicemail_id = box.id if box else None
            did.setup_fee = setup_each
            did.monthly_fee = monthly_each
            did.per_minute = minute
            did.connected_at = utcnow()
            session.flush()
            fee = did_setup_fee(setup_each, 1)
            if fee > 0:
                label = "Fax number" if offer.kind == "fax" else "DID"
                post_to_client(
                    session,
                    client,
                    kind="fee",
                    amount=-fee,
                    description=f"{label} setup fee: {offer.number}",
                    reference=f"setup:did:{did.id}:{ref}"[:120],
                    by="reseller",
                    fx=fx,
                )
            ids.append(did.id)
        audit.record(
            session,
            actor,
            "connect_dids",
            "client",
            client.id,
            numbers=",".join(o.number for o in claimed),
            setup_total=did_setup_fee(setup_each, len(claimed)),
        )
    run_effects(fx)
    return ids


def unconnect_did(actor: Actor, client_id: int | str, did_id: int | str) -> None:
    """Withdraw a phone or fax number from the client and give it back to the carrier."""
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        did = owned(session, actor, Did, did_id, "number", client_id=client.id)
        fwd_id, vm_id, number = did.forwarding_id, did.voicemail_id, did.number
        did.client_id = None
        did.sub_account_id = None
        did.forwarding_id = None
        did.voicemail_id = None
        did.connected_at = None
        did.routing = did.failover_busy = did.failover_noanswer = did.failover_unreachable = ""
        session.exec(delete(E911Record).where(E911Record.did_id == did.id))
        session.flush()
        # Forwarding and voicemail made for these numbers go once no number (nor the client's call flow) uses them.
        if (
            fwd_id
            and not session.exec(select(Did.id).where(Did.forwarding_id == fwd_id)).first()
            and not callflows.endpoint_in_use(session, client.id, "fwd", fwd_id)
        ):
            session.exec(delete(Forwarding).where(Forwarding.id == fwd_id))
        if (
            vm_id
            and not session.exec(select(Did.id).where(Did.voicemail_id == vm_id)).first()
            and not callflows.endpoint_in_use(session, client.id, "vm", vm_id)
        ):
            session.exec(delete(Voicemail).where(Voicemail.id == vm_id))
        audit.record(session, actor, "unconnect_did", "did", did.id, number=number, client=client.id)
        reseller = session.get(Reseller, actor.reseller_id)
    try:
        get_carrier(reseller).release_did(actor.reseller_id, number)
    except CarrierError as e:
        # The number stays the reseller's and is offered again in "connect"; nothing is lost.
        log.warning("release of %s failed: %s", number, e)


def client_services(actor: Actor, client_id: int | str) -> dict:
    """What is connected to a client: sub-accounts with packages, and each number with where it routes."""
    require_reseller(actor)
    with session_scope() as session:
        client = own_client(session, actor, client_id)
        subs = session.exec(
            select(SubAccount).where(SubAccount.client_id == client.id).order_by(SubAccount.account)
        ).all()
        pkg_ids = {s.package_id for s in subs if s.package_id}
        pkgs = (
            {p.id: p.name for p in session.exec(select(Package).where(Package.id.in_(pkg_ids))).all()}
            if pkg_ids
            else {}
        )
        dids = session.exec(select(Did).where(Did.client_id == client.id).order_by(Did.kind, Did.number)).all()
        fwd_ids = {d.forwarding_id for d in dids if d.forwarding_id}
        vm_ids = {d.voicemail_id for d in dids if d.voicemail_id}
        fwds = (
            {f.id: f for f in session.exec(select(Forwarding).where(Forwarding.id.in_(fwd_ids))).all()}
            if fwd_ids
            else {}
        )
        vms = {v.id: v for v in session.exec(select(Voicemail).where(Voicemail.id.in_(vm_ids))).all()} if vm_ids else {}
        accounts = {s.id: s.account for s in subs}
        sub_rows = [
            {
                "id": str(s.id),
                "account": s.account,
                "package": pkgs.get(s.package_id, "No package"),
                "device": s.device_type,
                "blocked": "1" if s.blocked else "",
                "numbers": str(sum(1 for d in dids if d.sub_account_id == s.id)),
            }
            for s in subs
        ]

        def route(d: Did) -> str:
            parts = []
            if d.forwarding_id in fwds:
                parts.append(f"Forwarded to +{fwds[d.forwarding_id].phone_number} (both legs billed)")
            elif d.sub_account_id in accounts:
                parts.append(f"Rings {accounts[d.sub_account_id]}")
            elif d.kind == "fax":
                parts.append("Fax to email")
            else:
                parts.append("Not routed")
            if d.voicemail_id in vms:
                v = vms[d.voicemail_id]
                parts.append(f"voicemail {v.mailbox} → {v.email}")
            return "; ".join(parts)

        did_rows = [
            {
                "id": str(d.id),
                "number": d.number,
                "display": pretty(d.number),
                "kind": "Fax" if d.kind == "fax" else "Phone",
                "route": route(d),
                "monthly": fmt.money(d.monthly_fee),
                "per_minute": fmt.rate(d.per_minute),
                "location": f"{d.rate_center} {d.region}".strip(),
            }
            for d in dids
        ]
        return {
            "subaccounts": sub_rows,
            "dids": [r for r in did_rows if r["kind"] == "Phone"],
            "fax": [r for r in did_rows if r["kind"] == "Fax"],
        }


def list_dids(actor: Actor, client_id: int | str | None = None, number: str = "", account: str = "") -> list[dict]:
    """The reseller's numbers (a client's, one number, or those ringing one sub-account), raw values, by number."""
    require_reseller(actor)
    with session_scope() as session:
        stmt = select(Did).where(Did.reseller_id == actor.reseller_id)
        if client_id is not None:
            stmt = stmt.where(Did.client_id == own_client(session, actor, client_id).id)
        if number:
            stmt = stmt.where(Did.number == number)
        if account:
            sub = session.exec(
                select(SubAccount).where(SubAccount.reseller_id == actor.reseller_id, SubAccount.account == account)
            ).first()
            if sub is None:
                raise NotFound("No such sub-account.")
            stmt = stmt.where(Did.sub_account_id == sub.id)
        rows = session.exec(stmt.order_by(Did.number).limit(5000)).all()
        subs = {
            s.id: s.account
            for s in session.exec(select(SubAccount).where(SubAccount.reseller_id == actor.reseller_id)).all()
        }
        boxes = {
            v.id: v.mailbox
            for v in session.exec(select(Voicemail).where(Voicemail.reseller_id == actor.reseller_id)).all()
        }
        return [
            {
                "id": d.id,
                "number": d.number,
                "kind": d.kind,
                "client_id": d.client_id,
                "account": subs.get(d.sub_account_id, ""),
                "mailbox": boxes.get(d.voicemail_id, ""),
                "forwarding_id": d.forwarding_id,
                "rate_center": d.rate_center,
                "region": d.region,
                "setup_fee": d.setup_fee,
                "monthly_fee": d.monthly_fee,
                "per_minute": d.per_minute,
                "connected_at": d.connected_at,
            }
            for d in rows
        ]
