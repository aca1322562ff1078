"""Voicemail boxes of a client, managed by the reseller (the REST API's voicemail methods).

The box rules (mailbox digits, name, PIN, e-mail) are the client portal's, in `clean_mailbox`, used by both.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, select

from reseller_app.db import session_scope
from reseller_app.i18n import _
from reseller_app.models import Client, Did, Voicemail
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.callflows import objects as callflows
from reseller_app.services.common import audit
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.common.lookup import client_of_reseller, owned
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role


def _text(form: dict, key: str, limit: int) -> str:
    return str(form.get(key, "") or "").strip()[:limit]


def clean_mailbox(form: dict) -> tuple[dict, dict[str, str]]:
    """A box's values (mailbox, name, pin, email) and a message per refused field."""
    values = {key: _text(form, key, limit) for key, limit in (("mailbox", 16), ("name", 80), ("pin", 10))}
    values["email"] = _text(form, "email", 254)
    errors: dict[str, str] = {}
    if not re.fullmatch(r"\d{1,10}", values["mailbox"]):
        errors["mailbox"] = _("Use 1 to 10 digits.")
    if not values["name"]:
        errors["name"] = _("Required.")
    if not re.fullmatch(r"\d{4,10}", values["pin"]):
        errors["pin"] = _("Use 4 to 10 digits.")
    if values["email"]:
        try:
            values["email"] = validate_email(values["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = _("Enter a valid email address.")
    return values, errors


def mailbox_taken(session: Session, client: Client, mailbox: str, except_id: int | None = None) -> bool:
    """Whether the client already has a box with this number."""
    stmt = select(Voicemail.id).where(Voicemail.client_id == client.id, Voicemail.mailbox == mailbox)
    if except_id is not None:
        stmt = stmt.where(Voicemail.id != except_id)
    return session.exec(stmt).first() is not None


def _own_box(session: Session, actor: Actor, voicemail_id: int | str) -> Voicemail:
    return owned(session, actor, Voicemail, voicemail_id, "voicemail")


def list_mailboxes(actor: Actor, client_id: int | str | None = None, mailbox: str = "") -> list[dict]:
    """The reseller's voicemail boxes (a client's, or by number), with their client, oldest first."""
    require_reseller(actor)
    with session_scope() as session:
        stmt = select(Voicemail).where(Voicemail.reseller_id == actor.reseller_id)
        if client_id is not None:
            stmt = stmt.where(Voicemail.client_id == client_of_reseller(session, actor, client_id).id)
        if mailbox:
            stmt = stmt.where(Voicemail.mailbox == mailbox)
        rows = session.exec(stmt.order_by(Voicemail.id).limit(5000)).all()
        return [
            {
                "id": v.id,
                "client_id": v.client_id,
                "mailbox": v.mailbox,
                "name": v.name,
                "pin": v.pin,
                "email": v.email,
                "attach_audio": v.attach_audio,
            }
            for v in rows
        ]


def save_mailbox(actor: Actor, client_id: int | str, form: dict, voicemail_id: int | str | None = None) -> int:
    """Create a box for the client (no id) or change one of its boxes; returns its id."""
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    values, errors = clean_mailbox(form)
    if errors:
        raise ValidationFailed(errors)
    with session_scope() as session:
        client = client_of_reseller(session, actor, client_id)
        box = None
        if voicemail_id is not None:
            box = _own_box(session, actor, voicemail_id)
            if box.client_id != client.id:
                raise NotFound("No such voicemail.")
        if mailbox_taken(session, client, values["mailbox"], box.id if box else None):
            raise ValidationFailed({"mailbox": "The client already has this mailbox."})
        if box is None:
            box = Voicemail(reseller_id=actor.reseller_id, client_id=client.id, **values)
            session.add(box)
        else:
            for key, value in values.items():
                setattr(box, key, value)
        box.attach_audio = bool(form.get("attach_audio", True))
        session.flush()
        audit.record(session, actor, "save_voicemail", "voicemail", box.id, client=client.id)
        return box.id


def delete_mailbox(actor: Actor, voicemail_id: int | str) -> None:
    """Delete one of the reseller's boxes (numbers that used it stop using it)."""
    require_role(actor, roles.CLIENTS)
    require_reseller(actor)
    with session_scope() as session:
        box = _own_box(session, actor, voicemail_id)
        callflows.refuse_endpoint_if_used(session, box.client_id, "vm", box.id, "mailbox")
        for d in session.exec(select(Did).where(Did.voicemail_id == box.id)).all():
            d.voicemail_id = None
        session.flush()
        session.delete(box)
        audit.record(session, actor, "delete_voicemail", "voicemail", int(voicemail_id))
