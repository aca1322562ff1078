"""Queue an email in the caller's transaction; the sender delivers it after the transaction commits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from email_validator import validate_email
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from reseller_app.models import EmailAttachment, OutboundEmail

MAX_SUBJECT = 255
# What a secret becomes in the stored body ("[redacted-1]"): no template variable has this form.
REDACTED = "[redacted-"


def with_secrets(body: str, secrets: str | None) -> str:
    """The body to send: the stored body with its secrets put back."""
    for marker, secret in (json.loads(secrets) if secrets else {}).items():
        body = body.replace(marker, secret)
    return body


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
    secrets: Sequence[str] = (),
    expires_at: datetime | None = None,
    attachments: Sequence[tuple[str, str, bytes]] = (),
) -> OutboundEmail | None:
    """Add a message to the outbox without committing; None if a message with this dedupe_key already exists.

    Each of `secrets` (a live reset link's token, as it appears in the body) is stored apart from the body, which
    keeps a marker instead: the sender puts it back to send, then clears it, so the outbox keeps no usable secret
    once the message is sent, has failed for good or is past `expires_at`.
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
    kept: dict[str, str] = {}
    for n, secret in enumerate(s for s in secrets if s):
        marker = f"{REDACTED}{n + 1}]"
        body = body.replace(secret, marker)
        kept[marker] = secret
    row = OutboundEmail(
        reseller_id=reseller_id,
        dedupe_key=dedupe_key,
        to_addr=address,
        subject=subject,
        body_text=body,
        secrets=json.dumps(kept) if kept else None,
        expires_at=expires_at,
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
