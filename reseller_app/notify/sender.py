"""Deliver the outbox over SMTP: at-least-once, retried with exponential backoff, safe with several workers.

How a message moves: `pending` → (claimed) `sending` → `sent`, or back to `pending` with a later
`next_attempt_at` after a failure, or `failed` after MAX_ATTEMPTS tries (or a permanent 5xx refusal).

Claiming. Each message is claimed in its own short transaction before it is sent, and marked sent in another
right after the SMTP server accepted it, so a worker that dies later never sends it again.
- PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` picks a row no other worker is looking at.
- SQLite has no row locks (SQLAlchemy drops FOR UPDATE there); the engine begins every transaction with
  BEGIN IMMEDIATE, so claims are serialized anyway, and the claim itself is a conditional UPDATE
  (`WHERE status = 'pending'`) whose row count says whether this worker won.
While a message is `sending`, `next_attempt_at` holds its lease expiry (the table has no lease column). A message
still `sending` after its lease belonged to a worker that stopped mid-send: it goes back to `pending` and counts as
an attempt. That is the one case where a message can be delivered twice (the server may have accepted it just
before the crash); the stable Message-ID lets mail systems drop the duplicate.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from reseller_app import config
from reseller_app.db import session_scope
from reseller_app.models import EmailAttachment, OutboundEmail, utcnow
from reseller_app.notify.outbox import with_secrets

log = logging.getLogger(__name__)

SessionFactory = Callable[[], AbstractContextManager[Session]]

SMTP_TIMEOUT = 10  # seconds, per SMTP operation
MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
LEASE = timedelta(minutes=5)  # far longer than one send can take with a 10 s timeout per step
DEFAULT_BATCH = 50


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand mail over."""

    host: str
    port: int
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    from_addr: str = "no-reply@localhost"
    implicit_tls: bool = False  # SMTPS (port 465) rather than STARTTLS

    @classmethod
    def from_settings(cls) -> SmtpSettings:
        """Build from the SMTP_* environment settings."""
        s = config.settings
        return cls(
            host=s.smtp_host,
            port=s.smtp_port,
            user=s.smtp_user,
            password=s.smtp_password,
            starttls=s.smtp_starttls,
            from_addr=s.smtp_from,
            implicit_tls=s.smtp_port == 465,
        )


@dataclass(frozen=True)
class _Claimed:
    id: int
    to_addr: str
    subject: str
    body_text: str
    attempts: int
    created_at: datetime


def retry_delay(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failure: 30 s, 60 s, 120 s, … capped at one hour."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def _release_stale(session_factory: SessionFactory, now: datetime) -> int:
    with session_factory() as session:
        result = session.execute(
            sa.update(OutboundEmail)
            .where(OutboundEmail.status == "sending", OutboundEmail.next_attempt_at <= now)
            .values(
                attempts=OutboundEmail.attempts + 1,
                # Counting the lost try stops a message that crashes its worker every time from looping forever.
                status=sa.case((OutboundEmail.attempts + 1 >= MAX_ATTEMPTS, "failed"), else_="pending"),
                last_error="worker stopped before confirming delivery (lease expired)",
                next_attempt_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount or 0


def _expire(session_factory: SessionFactory, now: datetime) -> int:
    """Messages past their use (a reset link that has expired) are not sent; their secrets are cleared."""
    with session_factory() as session:
        gone = session.execute(
            sa.update(OutboundEmail)
            .where(OutboundEmail.status == "pending", OutboundEmail.expires_at <= now)
            .values(status="failed", last_error="expired before it could be delivered", secrets=None)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.execute(
            sa.update(OutboundEmail)
            .where(OutboundEmail.status.in_(("sent", "failed")), OutboundEmail.secrets.is_not(None))
            .values(secrets=None)
            .execution_options(synchronize_session=False)
        )
        return gone or 0


def _claim_one(session_factory: SessionFactory, now: datetime) -> _Claimed | None:
    with session_factory() as session:
        for _ in range(10):
            row = session.exec(
                select(OutboundEmail)
                .where(OutboundEmail.status == "pending", OutboundEmail.next_attempt_at <= now)
                .order_by(OutboundEmail.next_attempt_at, OutboundEmail.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return None
            won = session.execute(
                sa.update(OutboundEmail)
                .where(OutboundEmail.id == row.id, OutboundEmail.status == "pending")
                .values(status="sending", next_attempt_at=now + LEASE)
                .execution_options(synchronize_session=False)
            ).rowcount
            if won:
                body = with_secrets(row.body_text, row.secrets)
                return _Claimed(row.id, row.to_addr, row.subject, body, row.attempts, row.created_at)
            session.expire_all()  # someone else took it between our read and our update; look again
    return None


def _mark_sent(session_factory: SessionFactory, msg: _Claimed, now: datetime) -> None:
    with session_factory() as session:
        done = session.execute(
            sa.update(OutboundEmail)
            .where(OutboundEmail.id == msg.id, OutboundEmail.status == "sending")
            # Sent: the stored body keeps its markers and the secrets are gone (the reseller's records stay).
            .values(status="sent", sent_at=now, attempts=msg.attempts + 1, last_error="", secrets=None)
            .execution_options(synchronize_session=False)
        ).rowcount
    if not done:
        log.warning("outbox message %s was sent after its lease had expired", msg.id)


def _mark_failed(
    session_factory: SessionFactory, msg: _Claimed, now: datetime, error: BaseException, *, permanent: bool
) -> None:
    attempts = msg.attempts + 1
    status = "failed" if permanent or attempts >= MAX_ATTEMPTS else "pending"
    text = f"{type(error).__name__}: {error}"[:500]
    with session_factory() as session:
        session.execute(
            sa.update(OutboundEmail)
            .where(OutboundEmail.id == msg.id, OutboundEmail.status == "sending")
            .values(
                status=status,
                attempts=attempts,
                last_error=text,
                next_attempt_at=now + retry_delay(attempts),
                # Given up: nothing will send it, so its secrets are not kept.
                secrets=OutboundEmail.secrets if status == "pending" else None,
            )
            .execution_options(synchronize_session=False)
        )
    log.warning("outbox message %s: attempt %s failed (%s), now %s", msg.id, attempts, text, status)


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    if smtp.implicit_tls:
        conn: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        conn = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT)
    try:
        conn.ehlo()
        if smtp.starttls and not smtp.implicit_tls:
            conn.starttls(context=ssl.create_default_context())
            conn.ehlo()
        if smtp.user:
            conn.login(smtp.user, smtp.password or "")
    except BaseException:
        conn.close()
        raise
    return conn


def _build(
    msg: _Claimed, smtp: SmtpSettings, now: datetime, attachments: Sequence[tuple[str, str, bytes]] = ()
) -> EmailMessage:
    email = EmailMessage()
    email["From"] = smtp.from_addr
    email["To"] = msg.to_addr
    email["Subject"] = msg.subject
    email["Date"] = format_datetime(now)
    domain = smtp.from_addr.rpartition("@")[2] or "localhost"
    # Stable across retries, so a message re-sent after a crash can be recognised as the same one.
    email["Message-ID"] = f"<outbox-{msg.id}-{int(msg.created_at.timestamp())}@{domain}>"
    email.set_content(msg.body_text)
    for name, content_type, data in attachments:
        maintype, _, subtype = content_type.partition("/")
        email.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=name)
    return email


def _attachments(session_factory: SessionFactory, email_id: int) -> list[tuple[str, str, bytes]]:
    with session_factory() as session:
        rows = session.exec(
            select(EmailAttachment).where(EmailAttachment.email_id == email_id).order_by(EmailAttachment.id)
        ).all()
        return [(r.filename, r.content_type, bytes(r.data)) for r in rows]


def _is_permanent(error: BaseException) -> bool:
    # A 5xx answer about this message or its recipient will not change by retrying; anything else might.
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return isinstance(error, smtplib.SMTPNotSupportedError)


def _message_level(error: BaseException) -> bool:
    # These leave the SMTP connection usable, so the round can go on with the next message.
    per_message = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPNotSupportedError)
    return isinstance(error, per_message) or not isinstance(error, OSError)


def deliver_pending(
    session_factory: SessionFactory = session_scope,
    smtp: SmtpSettings | None = None,
    *,
    now: datetime | None = None,
    batch: int = DEFAULT_BATCH,
) -> tuple[int, int]:
    """Send up to `batch` due messages; returns (sent, failed this round)."""
    smtp = smtp or SmtpSettings.from_settings()
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    _release_stale(session_factory, now)
    _expire(session_factory, now)
    sent = failed = 0
    conn: smtplib.SMTP | None = None
    try:
        for _ in range(batch):
            msg = _claim_one(session_factory, now)
            if msg is None:
                break
            try:
                email = _build(msg, smtp, now, _attachments(session_factory, msg.id))
                if conn is None:
                    conn = _connect(smtp)
                conn.send_message(email)
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on the message, to be retried or given up
                _mark_failed(session_factory, msg, now, exc, permanent=_is_permanent(exc))
                failed += 1
                if _message_level(exc):
                    continue
                # The server is unreachable or broke the session: leave the rest for the next round.
                if conn is not None:
                    conn.close()
                    conn = None
                break
            _mark_sent(session_factory, msg, now)
            sent += 1
    finally:
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
    return sent, failed


async def run_forever(
    interval: float = 5.0,
    *,
    session_factory: SessionFactory = session_scope,
    smtp: SmtpSettings | None = None,
) -> None:
    """Deliver the outbox every `interval` seconds until cancelled; errors are logged, never raised."""
    while True:
        busy = False
        try:
            sent, failed = await asyncio.to_thread(deliver_pending, session_factory, smtp)
            busy = sent + failed >= DEFAULT_BATCH  # a full batch: more may be waiting, so go again at once
        except Exception:  # the loop must survive a database outage or a configuration mistake
            log.exception("outbox delivery round failed")
        if not busy:
            await asyncio.sleep(interval)
