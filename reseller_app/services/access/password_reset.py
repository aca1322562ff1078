"""A client's "Forgot your password?": a single-use, one-hour reset link by email, then a confirmation email."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import quote

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func
from sqlmodel import Session, select

from reseller_app.config import settings
from reseller_app.db import read_scope, session_scope
from reseller_app.i18n import N_, _
from reseller_app.models import Client, LoginAttempt, PasswordResetToken, Reseller, ResellerSettings
from reseller_app.models import utcnow as _utcnow
from reseller_app.notify import enqueue, render
from reseller_app.services.access import abuse
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import end_client_sessions
from reseller_app.services.access.security import hash_password, new_token, password_problem, token_hash
from reseller_app.services.common import audit
from reseller_app.services.common.errors import Forbidden, ValidationFailed
from reseller_app.services.settings import texts
from reseller_app.services.settings.branding import portal_base

TOKEN_LIFETIME = timedelta(hours=1)
# Live links per client at once: more requests in the hour send nothing (an inbox cannot be flooded).
MAX_LIVE_TOKENS = 3
SENT = N_("If an account exists for this address, we have sent it a link to choose a new password.")
BAD_LINK = N_("This link is not valid or has expired. Ask for a new one.")


def utcnow() -> datetime:
    """The current UTC time (a seam the tests move forward)."""
    return _utcnow()


def _settings_if_allowed(session: Session, reseller_id: int) -> ResellerSettings:
    r = session.get(Reseller, reseller_id)
    if r is None or not r.portal_active:
        raise Forbidden(_("This portal is not available."))
    s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == reseller_id)).one()
    if not s.show_forgot_password:
        raise Forbidden(_("Password reset is not available on this portal."))
    return s


def reset_allowed(reseller_id: int) -> bool:
    """Whether this portal exists and shows "Forgot your password?"."""
    with read_scope() as session:
        try:
            _settings_if_allowed(session, reseller_id)
        except Forbidden:
            return False
    return True


def reset_url(reseller_id: int, token: str, hostname: str | None = None, status: str = "none") -> str:
    """The link emailed to the client: on the reseller's custom hostname once it is active."""
    base = portal_base(settings.public_url, hostname, status)
    return f"{base}/r/{reseller_id}/reset?token={quote(token)}"


def request_reset(reseller_id: int, email: str, ip: str = "") -> str:
    """Email a reset link when a client of this portal has this address; the same answer either way.

    Counted per visitor address (`ip`) and per email address (services/access/abuse.py).
    """
    try:
        address = validate_email(str(email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed({"email": _("Enter a valid email address.")}) from None
    if not abuse.check("reset", reseller_id, ip, address):
        return _(SENT)  # this address had its share of reset mail for the hour: the usual answer, nothing sent
    now = utcnow()
    with session_scope() as session:
        s = _settings_if_allowed(session, reseller_id)
        client = session.exec(
            select(Client).where(Client.reseller_id == reseller_id, func.lower(Client.email) == address)
        ).first()
        if client is None or client.status == "WAIT":
            return _(SENT)
        live = session.exec(
            select(func.count(PasswordResetToken.id)).where(
                PasswordResetToken.client_id == client.id, PasswordResetToken.expires_at > now
            )
        ).one()
        if live >= MAX_LIVE_TOKENS:
            return _(SENT)
        # Only the newest link works: older unused ones are spent.
        for old in session.exec(
            select(PasswordResetToken).where(
                PasswordResetToken.client_id == client.id, PasswordResetToken.used_at.is_(None)
            )
        ).all():
            old.used_at = now
        token = new_token()
        session.add(
            PasswordResetToken(
                reseller_id=reseller_id,
                client_id=client.id,
                token_hash=token_hash(token),
                expires_at=now + TOKEN_LIFETIME,
            )
        )
        r = session.get(Reseller, reseller_id)
        url = reset_url(reseller_id, token, r.custom_hostname, r.hostname_status)
        values = {"firstname": client.firstname, "lastname": client.lastname, "url": url}
        lang = texts.language_for(client, s)  # the client's language, else the page's, else the portal's
        enqueue(
            session,
            to=client.email,
            subject=render(texts.text(s, "reset_url_subject", lang), **values).replace("\r", " ").replace("\n", " "),
            body=render(texts.text(s, "reset_url_body", lang), **values),
            reseller_id=reseller_id,
            # The outbox keeps the live token only until the mail is sent (or the link expires).
            secrets=[quote(token)],
            expires_at=now + TOKEN_LIFETIME,
        )
        audit.record(session, Actor("client", reseller_id, client.id), "password_reset_requested", "client", client.id)
    return _(SENT)


def _live_token(session: Session, reseller_id: int, token: str) -> PasswordResetToken | None:
    if not token or len(token) > 200:
        return None
    row = session.exec(select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token))).first()
    if row is None or row.reseller_id != reseller_id or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def token_valid(reseller_id: int, token: str) -> bool:
    """Whether a reset link can still be used (the reset page says so before asking for a password)."""
    with read_scope() as session:
        return _live_token(session, reseller_id, token) is not None


def complete_reset(reseller_id: int, token: str, password: str, confirm: str) -> None:
    """Set the new password with a live token (once), end the client's sessions and send the confirmation."""
    problem = password_problem(password or "")
    if problem:
        raise ValidationFailed({"password": problem})
    if password != confirm:
        raise ValidationFailed({"confirm": _("The two passwords do not match.")})
    new_hash = hash_password(password)  # argon2 work outside the write transaction
    now = utcnow()
    with session_scope() as session:
        s = _settings_if_allowed(session, reseller_id)
        row = _live_token(session, reseller_id, token)
        if row is None:
            raise ValidationFailed({"token": _(BAD_LINK)})
        client = session.get(Client, row.client_id)
        if client is None or client.reseller_id != reseller_id or client.status == "WAIT":
            raise ValidationFailed({"token": _(BAD_LINK)})
        row.used_at = now
        client.password_hash = new_hash
        end_client_sessions(session, client.id)
        # A fresh password also clears a lockout on this login name.
        attempt = session.exec(
            select(LoginAttempt).where(
                LoginAttempt.realm == f"client:{reseller_id}", LoginAttempt.login == client.email.lower()
            )
        ).first()
        if attempt is not None:
            attempt.failures = 0
            attempt.locked_until = None
        values = {"firstname": client.firstname, "lastname": client.lastname}
        lang = texts.language_for(client, s)
        enqueue(
            session,
            to=client.email,
            subject=render(texts.text(s, "reset_done_subject", lang), **values).replace("\r", " ").replace("\n", " "),
            body=render(texts.text(s, "reset_done_body", lang), **values),
            reseller_id=reseller_id,
        )
        audit.record(session, Actor("client", reseller_id, client.id), "password_reset", "client", client.id)
