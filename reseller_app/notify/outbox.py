"""Queue an email in the caller's transaction; the sender delivers it after the transaction commits."""

from __future__ import annotations

from collections.abc import Sequence

from email_validator import validate_email
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from reseller_app.models import EmailAttachment, OutboundEmail

MAX_SUBJECT = 255


def _refuse_line_breaks(name: str, value: str) -> None:
    # A CR or LF in a header value would let the text start new headers (header injection).
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name} must be a single line")


def enqueue(
    session: Session,
    *,
    to: str,
    subject: str,
    body: str,
    reseller_id: int | None = None,
    dedupe_key: str | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> OutboundEmail | None:
    """Add a message to the outbox without committing; None if a message with this dedupe_key already exists.

    `attachments`: (file name, content type, bytes) each, stored beside the message and sent with it.
    """
    _refuse_line_breaks("address", to)
    _refuse_line_breaks("subject", subject)
    if len(subject) > MAX_SUBJECT:
        raise ValueError(f"subject longer than {MAX_SUBJECT} characters")
    # EmailNotValidError is a ValueError, so callers handle one exception type.
    address = validate_email(to.strip(), check_deliverability=False).normalized

    if dedupe_key is not None:
        if session.exec(select(OutboundEmail.id).where(OutboundEmail.dedupe_key == dedupe_key)).first() is not None:
            return None
    row = OutboundEmail(
        reseller_id=reseller_id, dedupe_key=dedupe_key, to_addr=address, subject=subject, body_text=body
    )
    for name, _, _ in attachments:
        _refuse_line_breaks("attachment name", name)
    if dedupe_key is None:
        session.add(row)
        _attach(session, row, attachments)
        return row
    # A concurrent transaction may insert the same key after our check: the unique constraint decides, and the
    # savepoint keeps the caller's transaction usable when we lose.
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        if session.exec(select(OutboundEmail.id).where(OutboundEmail.dedupe_key == dedupe_key)).first() is not None:
            return None
        raise
    _attach(session, row, attachments)
    return row


def _attach(session: Session, row: OutboundEmail, attachments: Sequence[tuple[str, str, bytes]]) -> None:
    if not attachments:
        return
    session.flush()
    for name, content_type, data in attachments:
        session.add(EmailAttachment(email_id=row.id, filename=name[:120], content_type=content_type, data=data))
