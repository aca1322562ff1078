"""The client's side of text messages: its numbers' SMS settings, conversations, one thread, read marks, CSV."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, func, select

from reseller_app import i18n
from reseller_app.carrier import CarrierError, get_carrier
from reseller_app.db import session_scope
from reseller_app.i18n import N_, _
from reseller_app.models import Client, Did, Message, Reseller
from reseller_app.services.access.actor import Actor, require_client
from reseller_app.services.common import audit
from reseller_app.services.common import format as fmt
from reseller_app.services.common.csv_out import csv_text
from reseller_app.services.common.errors import Forbidden, ValidationFailed
from reseller_app.services.common.lookup import own_account, owned, row_id
from reseller_app.services.common.paging import read_page, window
from reseller_app.services.messaging.messages import SERVICE, clean_number
from reseller_app.services.portal.account import view_for

CONVERSATIONS_PER_PAGE = 20
MESSAGES_PER_PAGE = 50
SEARCH_MAX = 100


def _client(session: Session, actor: Actor) -> Client:
    require_client(actor)
    client = own_account(session, actor)
    if SERVICE not in view_for(session, client).services:
        raise Forbidden(_("This service is not available."))
    return client


def _shown(number: str) -> str:
    return f"+{number}" if number.isdigit() else number


def numbers(actor: Actor) -> list[dict[str, str]]:
    """The client's phone numbers with their SMS settings."""
    with session_scope() as session:
        client = _client(session, actor)
        rows = session.exec(
            select(Did).where(Did.client_id == client.id, Did.kind == "voice").order_by(Did.number)
        ).all()
        return [
            {
                "id": str(d.id),
                "number": d.number,
                "shown": _shown(d.number),
                "sms": "on" if d.sms_enabled else "off",
                "email": d.sms_email,
                "forward": d.sms_forward,
            }
            for d in rows
        ]


def set_sms(actor: Actor, did_id: object, enabled: bool, email: str = "", forward: str = "") -> None:
    """Turn SMS on or off on one of the client's numbers, with the email copy and the forwarding number."""
    email = (email or "").strip()
    if email and ("@" not in email or len(email) > 254 or any(c.isspace() for c in email)):
        raise ValidationFailed({"email": _("Enter an email address, or leave it empty.")})
    forward = clean_number(forward, "forward") if (forward or "").strip() else ""
    with session_scope() as session:
        client = _client(session, actor)
        did = owned(session, actor, Did, did_id, "number", client_id=client.id)
        if did.kind != "voice":
            raise ValidationFailed({"did": _("Text messages need a phone number, not a fax number.")})
        if forward and forward == did.number:
            raise ValidationFailed({"forward": _("Enter another number than this one.")})
        changes = bool(did.sms_enabled) != bool(enabled)
        reseller = session.get(Reseller, client.reseller_id)
        session.expunge(reseller)
        number = did.number
    if changes:
        try:
            get_carrier(reseller).set_sms(reseller.id, number, bool(enabled))
        except CarrierError as e:
            raise ValidationFailed({"did": _("The carrier did not change it ({code}).").format(code=e.code)}) from None
    with session_scope() as session:
        client = _client(session, actor)
        did = owned(session, actor, Did, did_id, "number", client_id=client.id)
        did.sms_enabled, did.sms_email, did.sms_forward = bool(enabled), email, forward
        audit.record(session, actor, "set_sms", "did", did.id, enabled=bool(enabled))


def _filters(client: Client, did_id: object, search: str) -> list:
    cond: list = [Message.client_id == client.id]
    if did_id not in (None, "", "all"):
        cond.append(Message.did_id == (row_id(did_id) or -1))
    text = (search or "").strip()[:SEARCH_MAX]
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        digits = "".join(ch for ch in text if ch.isdigit())
        match = [Message.body.ilike(like, escape="\\")]
        if digits:
            match.append(Message.contact.like(f"%{digits}%"))
        cond.append(sa.or_(*match))
    return cond


def conversations(actor: Actor, did_id: object = "all", search: str = "", page: object = 1) -> dict:
    """The client's conversations (one per own number and other party), newest first, paged in SQL.

    With `search`, only conversations holding a message whose text (or the other party's number) matches.
    """
    with session_scope() as session:
        client = _client(session, actor)
        cond = _filters(client, did_id, search)
        groups = (
            select(
                Message.did,
                Message.contact,
                func.max(Message.sent_at).label("last"),
                func.sum(sa.case((sa.and_(Message.direction == "in", sa.not_(Message.read)), 1), else_=0)).label(
                    "unread"
                ),
                func.count().label("n"),
            )
            .where(*cond)
            .group_by(Message.did, Message.contact)
        )
        total = session.exec(select(func.count()).select_from(groups.subquery())).one()
        w = window(total, page, CONVERSATIONS_PER_PAGE)
        rows = session.exec(w.rows(groups.order_by(sa.desc("last"), Message.did, Message.contact))).all()
        items = []
        for did, contact, last, unread, n in rows:
            latest = session.exec(
                select(Message)
                .where(Message.client_id == client.id, Message.did == did, Message.contact == contact)
                .order_by(Message.sent_at.desc(), Message.id.desc())
                .limit(1)
            ).first()
            preview = (latest.body if latest else "") or (_("(picture)") if latest and latest.media else "")
            items.append(
                {
                    "did": did,
                    "contact": contact,
                    "shown": _shown(contact),
                    "via": _shown(did),
                    "last": fmt.when(last, client.timezone),
                    "preview": preview[:80],
                    "unread": str(int(unread or 0)),
                    "count": str(n),
                }
            )
        return w.page_of(items).as_dict()


def _thread_cond(client: Client, did: str, contact: str) -> list:
    return [Message.client_id == client.id, Message.did == str(did)[:20], Message.contact == str(contact)[:20]]


def thread(actor: Actor, did: str, contact: str, page: object = 1) -> dict:
    """One conversation, a page of its messages (page 1 = the newest), shown oldest first on the page."""
    with session_scope() as session:
        client = _client(session, actor)
        stmt = select(Message).where(*_thread_cond(client, did, contact))
        w, rows = read_page(session, stmt, page, MESSAGES_PER_PAGE, Message.sent_at.desc(), Message.id.desc())
        items = [
            {
                "id": str(m.id),
                "direction": m.direction,
                "kind": m.kind,
                "body": m.body,
                "image": next((u for u in m.media if str(u).startswith(("data:image/", "https://"))), ""),
                "when": fmt.when(m.sent_at, client.timezone),
                "price": fmt.money(m.price, 4) if m.price else "",
                "segments": str(m.segments),
                "unread": "yes" if m.direction == "in" and not m.read else "",
            }
            for m in reversed(rows)
        ]
        return w.page_of(items).as_dict()


def mark_read(actor: Actor, did: str, contact: str) -> int:
    """Mark a conversation's received messages read; how many changed."""
    with session_scope() as session:
        client = _client(session, actor)
        result = session.execute(
            sa.update(Message)
            .where(*_thread_cond(client, did, contact), Message.direction == "in", sa.not_(Message.read))
            .values(read=True)
        )
        return int(result.rowcount or 0)


def inbox_version(actor: Actor) -> str:
    """A cheap fingerprint of the client's messages: it changes when one arrives, is sent or is read."""
    require_client(actor)
    with session_scope() as session:
        client = own_account(session, actor)
        newest, unread = session.exec(
            select(
                func.max(Message.id),
                func.sum(sa.case((sa.and_(Message.direction == "in", sa.not_(Message.read)), 1), else_=0)),
            ).where(Message.client_id == client.id)
        ).one()
        return f"{newest or 0}:{unread or 0}"


def unread_count(actor: Actor) -> int:
    """How many received messages the client has not read."""
    return int(inbox_version(actor).split(":")[1])


CSV_HEADER = ["date", "direction", "from", "to", "type", "text", "parts", "price"]
# The header row in a language other than English (English keeps the column keys, which scripts already read).
CSV_TITLES = {
    "date": N_("Date"),
    "direction": N_("Direction"),
    "from": N_("From number"),
    "to": N_("To number"),
    "type": N_("Type"),
    "text": N_("Text"),
    "parts": N_("Parts"),
    "price": N_("Price"),
}


def csv_header() -> list[str]:
    """The conversation export's header row in the current language."""
    if i18n.current_language() == i18n.SOURCE:
        return list(CSV_HEADER)
    return [_(CSV_TITLES[k]) for k in CSV_HEADER]


def conversation_csv(actor: Actor, did: str, contact: str) -> str:
    """A conversation as CSV (the one CSV writer): date, direction, from, to, type, text, parts, price."""
    with session_scope() as session:
        client = _client(session, actor)
        rows = session.exec(
            select(Message).where(*_thread_cond(client, did, contact)).order_by(Message.sent_at, Message.id)
        ).all()
        out: list[list[object]] = [csv_header()]
        for m in rows:
            src, dst = (m.did, m.contact) if m.direction == "out" else (m.contact, m.did)
            out.append(
                [
                    fmt.when(m.sent_at, client.timezone),
                    _("sent") if m.direction == "out" else _("received"),
                    src,
                    dst,
                    m.kind.upper(),
                    m.body,
                    m.segments,
                    f"{m.price:.4f}",
                ]
            )
        return csv_text(out)
