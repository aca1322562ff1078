"""Text messages of the clients' numbers: send, receive (the sync), store and bill each message once.

A message and its ledger entry (kind `message`, reference `msg:<reseller>:<carrier id>`) are written in one
transaction, so a message is stored and billed together or not at all, and a carrier id already stored is skipped
(the sync can be re-run after a crash). The balance rules of calls follow every posting (HARD suspension,
low-balance email), and a suspended client cannot send (receiving still works and is billed).

The carrier is called outside any transaction (it may block on the network): a send is first checked, then sent,
then stored with its price; a send the carrier refused (or whose outcome is unknown) stores and charges nothing.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

import phonenumbers
from sqlmodel import Session, select

from reseller_app import i18n
from reseller_app.billing.messages import (
    MAX_PARTS,
    MessageKind,
    MessageRates,
    billed_parts,
    count_segments,
    load_costs_csv,
    price_message,
)
from reseller_app.carrier import CarrierError, CarrierMessage, get_carrier
from reseller_app.db import session_scope
from reseller_app.i18n import _
from reseller_app.models import Client, Did, Message, Package, Reseller, SubAccount, utcnow
from reseller_app.notify import enqueue
from reseller_app.services.access.actor import Actor, require_client
from reseller_app.services.accounting.postings import Effects, post_to_client, run_effects
from reseller_app.services.common.errors import Forbidden, ValidationFailed
from reseller_app.services.common.lookup import own_account, owned, reseller_settings
from reseller_app.services.portal.account import view_for
from reseller_app.services.settings import texts

log = logging.getLogger(__name__)

ZERO = Decimal(0)
SERVICE = "messages"
MMS_MAX_BYTES = 1_000_000  # what carriers accept for one picture
MMS_MAX_CHARS = 2048
IMAGE_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"GIF87a": "image/gif"}
IMAGE_TYPES[b"GIF89a"] = "image/gif"
BATCH_SIZE = 200
OVERLAP = timedelta(hours=2)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
NO_RATES = MessageRates()


# --- checks ------------------------------------------------------------------------------------------------


def clean_number(raw: str, field_name: str = "to") -> str:
    """A valid phone number (phonenumbers; national numbers read as North American) as international digits."""
    text = (raw or "").strip()
    try:
        parsed = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationFailed({field_name: _("Enter a valid phone number.")})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def image_type(data: bytes) -> str | None:
    """The MIME type of a JPEG, PNG or GIF picture, read from its first bytes; None for anything else."""
    return next((mime for magic, mime in IMAGE_TYPES.items() if data.startswith(magic)), None)


def check_image(data: bytes) -> str:
    """A picture as a data: URL; ValidationFailed on `image` for a file that is not one or is too large."""
    if len(data) > MMS_MAX_BYTES:
        raise ValidationFailed({"image": _("The picture is larger than {n} kB.").format(n=MMS_MAX_BYTES // 1000)})
    mime = image_type(data)
    if mime is None:
        raise ValidationFailed({"image": _("Choose a JPEG, PNG or GIF picture.")})
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def check_text(text: str, *, mms: bool) -> tuple[str, int]:
    """(the text, its parts); ValidationFailed on `text` when empty or too long."""
    text = (text or "").replace("\r\n", "\n")
    if not text.strip():
        raise ValidationFailed({"text": _("Enter a message.")})
    if mms:
        if len(text) > MMS_MAX_CHARS:
            raise ValidationFailed(
                {"text": _("A picture message holds at most {n} characters.").format(n=MMS_MAX_CHARS)}
            )
        return text, 1
    seg = count_segments(text)
    if seg.too_long:
        message = _("This text needs {parts} parts; at most {max} can be sent.")
        raise ValidationFailed({"text": message.format(parts=seg.parts, max=MAX_PARTS)})
    return text, seg.parts


# --- rates -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _costs_file(path: str) -> MessageRates:
    return load_costs_csv(path)


def carrier_costs(reseller: Reseller) -> MessageRates:
    """The carrier's per-message costs (the deck's sms section); all 0 when the carrier has none."""
    path = get_carrier(reseller).sms_costs_path()
    return _costs_file(str(path)) if path is not None else MessageRates(ZERO, ZERO, ZERO, ZERO)


def package_of(session: Session, client: Client | None, did: Did | None) -> Package | None:
    """The package that prices a number's messages: its sub-account's, else the client's oldest sub-account's."""
    if did is not None and did.sub_account_id is not None:
        sub = session.get(SubAccount, did.sub_account_id)
        if sub is not None and sub.package_id is not None:
            return session.get(Package, sub.package_id)
    if client is None:
        return None
    return session.exec(
        select(Package)
        .join(SubAccount, SubAccount.package_id == Package.id)
        .where(SubAccount.client_id == client.id)
        .order_by(SubAccount.id)
        .limit(1)
    ).first()


def _sell(package: Package | None) -> tuple[MessageRates, Decimal, Decimal]:
    if package is None:
        return NO_RATES, ZERO, ZERO
    rates = MessageRates(package.sms_out_rate, package.sms_in_rate, package.mms_out_rate, package.mms_in_rate)
    return rates, package.markup_fixed, package.markup_percent


# --- storing -----------------------------------------------------------------------------------------------


@dataclass
class IngestResult:
    """What one batch of messages did."""

    stored: int = 0
    duplicates: int = 0
    unassigned: int = 0
    billed: Decimal = ZERO
    forwards: list[tuple[int, int, str, str]] = field(default_factory=list)  # (reseller, did id, to, text)


def _store(
    session: Session,
    reseller_id: int,
    msg: CarrierMessage,
    did: Did | None,
    client: Client | None,
    costs: MessageRates,
    fx: Effects,
) -> Message:
    """Price one message, store it and post its price (same transaction)."""
    kind = MessageKind(msg.kind)
    seg = count_segments(msg.body)
    parts = billed_parts(kind, msg.body)
    sell, fixed, pct = _sell(package_of(session, client, did))
    priced = price_message(
        kind,
        msg.direction,
        parts,
        costs=costs,
        sell=sell,
        markup_fixed=fixed,
        markup_percent=pct,
    )
    price = priced.price if client is not None else ZERO
    row = Message(
        reseller_id=reseller_id,
        client_id=client.id if client else None,
        did_id=did.id if did else None,
        carrier_id=msg.carrier_id[:64],
        kind=kind.value,
        direction=msg.direction,
        did=msg.did[:20],
        contact=msg.contact[:20],
        body=msg.body,
        media=list(msg.media),
        encoding=seg.encoding.value if kind is MessageKind.SMS else "",
        segments=parts,
        cost_rate=priced.cost_rate,
        sell_rate=priced.sell_rate,
        cost=priced.cost,
        price=price,
        profit=price - priced.cost,
        reason="" if client is not None else "unassigned",
        read=msg.direction == "out",
        sent_at=msg.sent_at.astimezone(UTC),
    )
    session.add(row)
    if client is not None and price > 0:
        what = "SMS" if kind is MessageKind.SMS else "MMS"
        where = f"to +{msg.contact}" if msg.direction == "out" else f"from +{msg.contact}"
        parts_note = f", {parts} parts" if kind is MessageKind.SMS and parts > 1 else ""
        post_to_client(
            session,
            client,
            kind="message",
            amount=-price,
            description=f"{what} {where}{parts_note}",
            reference=f"msg:{reseller_id}:{msg.carrier_id}"[:120],
            by="rating",
            fx=fx,
        )
    return row


def ingest_messages(reseller_id: int, messages: list[CarrierMessage]) -> IngestResult:
    """Store, price and post a batch of received messages of one reseller in one transaction (ids already stored
    are skipped); then forward the texts of numbers that forward them."""
    result = IngestResult()
    fx = Effects()
    with session_scope() as session:
        reseller = session.get(Reseller, reseller_id)
        if reseller is None:
            raise ValueError(f"no reseller {reseller_id}")
        ids = list({m.carrier_id for m in messages})
        seen: set[str] = set()
        for i in range(0, len(ids), 500):
            seen.update(
                session.exec(
                    select(Message.carrier_id).where(
                        Message.reseller_id == reseller_id, Message.carrier_id.in_(ids[i : i + 500])
                    )
                ).all()
            )
        fresh = []
        for m in messages:
            if m.carrier_id in seen:
                result.duplicates += 1
                continue
            seen.add(m.carrier_id)
            fresh.append(m)
        if not fresh:
            return result
        costs = carrier_costs(reseller)
        portal_texts = reseller_settings(session, reseller_id)
        dids = {
            d.number: d
            for d in session.exec(
                select(Did).where(Did.reseller_id == reseller_id, Did.number.in_({m.did for m in fresh}))
            ).all()
        }
        owners = {d.client_id for d in dids.values() if d.client_id is not None}
        # Lock the batch's clients in id order (as the call ingest does), so balance rules see committed statuses.
        clients = {
            c.id: c
            for c in session.exec(
                select(Client).where(Client.id.in_(owners)).order_by(Client.id).with_for_update()
            ).all()
        }
        for m in fresh:
            did = dids.get(m.did)
            client = clients.get(did.client_id) if did is not None and did.client_id is not None else None
            if client is not None and client.deleted_at is not None:
                client = None
            row = _store(session, reseller_id, m, did, client, costs, fx)
            result.stored += 1
            result.unassigned += client is None
            result.billed += row.price
            if client is None or did is None:
                continue
            if did.sms_email:
                with i18n.use_language(texts.recipient_language(client, portal_texts)):  # the client's language
                    subject = _("Text message from {sender} to {number}").format(
                        sender=f"+{m.contact}", number=f"+{m.did}"
                    )
                    picture = _("(with a picture; open your portal's Messages page to see it)") if m.media else ""
                enqueue(
                    session,
                    to=did.sms_email,
                    subject=subject,
                    body=m.body + (f"\n\n{picture}" if picture else ""),
                    reseller_id=reseller_id,
                    dedupe_key=f"smsmail:{reseller_id}:{m.carrier_id}"[:120],
                )
            if did.sms_forward and m.kind == "sms":
                result.forwards.append((reseller_id, did.id, did.sms_forward, f"From +{m.contact}: {m.body}"))
    run_effects(fx)
    for rid, did_id, to, text in result.forwards:
        try:
            _forward(rid, did_id, to, text)
        except (CarrierError, ValidationFailed) as e:
            log.warning("SMS forwarding of reseller %s to %s failed: %s", rid, to, e)
    return result


def _forward(reseller_id: int, did_id: int, to: str, text: str) -> None:
    """Send a received text on to the number's forwarding number (billed as an outbound text of that number)."""
    text = text if not count_segments(text).too_long else text[:600]
    with session_scope() as session:
        reseller = session.get(Reseller, reseller_id)
        did = session.get(Did, did_id)
        if reseller is None or did is None or did.client_id is None:
            return
        number = did.number
    # Not delivered on the platform at once: two numbers forwarding to each other must not loop in one call.
    _send_and_store(reseller, did_id, number, to, text, [], deliver=False)


def _send_and_store(
    reseller: Reseller, did_id: int, number: str, to: str, text: str, media: list[str], *, deliver: bool = True
) -> tuple[Message, Decimal]:
    """Send through the carrier (outside a transaction), then store and bill the sent message."""
    carrier = get_carrier(reseller)
    sent_at = utcnow()  # before the carrier call: a delivery on the platform is never older than its sending
    if media:
        mid = carrier.send_mms(reseller.id, number, to, text, media)
    else:
        mid = carrier.send_sms(reseller.id, number, to, text)
    sent = CarrierMessage(mid, sent_at, "out", "mms" if media else "sms", number, to, text, tuple(media))
    fx = Effects()
    with session_scope() as session:
        did = session.get(Did, did_id)
        client = (
            session.exec(select(Client).where(Client.id == did.client_id).with_for_update()).first()
            if did is not None and did.client_id is not None
            else None
        )
        row = _store(session, reseller.id, sent, did, client, carrier_costs(reseller), fx)
        session.flush()
        session.expunge(row)
        balance = client.balance if client is not None else ZERO
    run_effects(fx)
    if deliver:
        _deliver_on_platform(to)
    return row, balance


def _deliver_on_platform(number: str) -> None:
    """In the sandbox a text to a platform number has arrived at once: store it for its reseller now."""
    with session_scope() as session:
        resellers = list(
            session.exec(select(Reseller).join(Did, Did.reseller_id == Reseller.id).where(Did.number == number)).all()
        )
    for r in resellers:
        if (r.carrier_kind or "sandbox") == "sandbox":
            sync_messages(r.id)


# --- sending -----------------------------------------------------------------------------------------------


def _client_number(session: Session, actor: Actor, did_id: object) -> tuple[Client, Did]:
    client = own_account(session, actor)
    if SERVICE not in view_for(session, client).services:
        raise Forbidden(_("This service is not available."))
    did = owned(session, actor, Did, did_id, "number", client_id=client.id)
    if did.kind != "voice":
        raise ValidationFailed({"did": _("Text messages need a phone number, not a fax number.")})
    return client, did


def send(actor: Actor, did_id: object, to: str, text: str, image: bytes | None = None) -> dict[str, str]:
    """The client sends a text (or, with `image`, a picture message) from one of its SMS-enabled numbers.

    Bad input, a number without SMS and a suspended account are refused with nothing sent and nothing charged.
    """
    require_client(actor)
    dst = clean_number(to)
    text, _parts = check_text(text, mms=image is not None)
    media = [check_image(image)] if image is not None else []
    with session_scope() as session:
        client, did = _client_number(session, actor, did_id)
        if client.status == "SUSPENDED":
            raise ValidationFailed({"text": _("Your account is suspended: messages cannot be sent.")})
        if not did.sms_enabled:
            raise ValidationFailed({"did": _("Text messages are not enabled on this number.")})
        if dst == did.number:
            raise ValidationFailed({"to": _("Enter another number than your own.")})
        reseller = session.get(Reseller, client.reseller_id)
        session.expunge(reseller)
        number, did_pk = did.number, did.id
    try:
        row, _balance = _send_and_store(reseller, did_pk, number, dst, text, media)
    except CarrierError as e:
        message = _("The message was not sent (the carrier said: {code}).")
        raise ValidationFailed({"text": message.format(code=e.code)}) from None
    return {"id": str(row.id), "price": str(row.price), "segments": str(row.segments)}


# --- sync --------------------------------------------------------------------------------------------------


@dataclass
class SyncResult:
    """What one reseller's message sync did."""

    fetched: int = 0
    batches: int = 0
    stored: int = 0
    duplicates: int = 0


def sync_messages(reseller_id: int, *, batch_size: int = BATCH_SIZE, overlap: timedelta = OVERLAP) -> SyncResult:
    """Fetch the reseller's received messages and store them in batches (each batch one transaction).

    It starts from the newest received message stored, minus an overlap: after a crash between batches it resumes
    there, and messages already stored are skipped by carrier id, so none is stored or billed twice.
    """
    with session_scope() as session:
        reseller = session.get(Reseller, reseller_id)
        if reseller is None:
            raise ValueError(f"no reseller {reseller_id}")
        newest = session.exec(
            select(Message.sent_at)
            .where(Message.reseller_id == reseller_id, Message.direction == "in")
            .order_by(Message.sent_at.desc())
            .limit(1)
        ).first()
        session.expunge(reseller)
    since = (newest - overlap) if newest else EPOCH
    found = get_carrier(reseller).messages_since(reseller_id, since)
    result = SyncResult(fetched=len(found))
    for i in range(0, len(found), batch_size):
        res = ingest_messages(reseller_id, found[i : i + batch_size])
        result.batches += 1
        result.stored += res.stored
        result.duplicates += res.duplicates
    return result
