"""Two-factor sign-in (TOTP, RFC 6238, with pyotp): enrolment with a server-rendered QR code (segno), ten hashed
single-use recovery codes shown once, the code asked after the password, disabling with the password and a code.

Wrong codes count toward a lockout like wrong passwords (LOCK_AFTER in a row lock the login for LOCK_FOR), in a realm
of their own ("2fa:<realm>"), so a correct password does not reset the count of wrong codes.
"""

from __future__ import annotations

import secrets

import pyotp
import segno
from sqlmodel import Session, select

from reseller_app.db import session_scope
from reseller_app.models import Client, Reseller, StaffMember, TwoFactor, utcnow
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.security import token_hash, verify_password
from reseller_app.services.common import audit
from reseller_app.services.common.errors import AuthFailed, ValidationFailed
from reseller_app.services.staff import alerts

ISSUER = "Reseller portal"
RECOVERY_CODES = 10
BAD_CODE = "Incorrect code."
CODE_NEEDED = "Enter the 6-digit code from your authenticator app (or a recovery code)."


class CodeNeeded(AuthFailed):
    """The password was right and this login asks for a code: ask for it, then sign in again with it."""

    def __init__(self) -> None:
        super().__init__(CODE_NEEDED)


def login_key(actor: Actor) -> str:
    """The login an actor signed in with: the owner, a staff member or a client."""
    if actor.role == "client":
        return f"client:{actor.client_id}"
    return f"staff:{actor.staff_id}" if actor.staff_id is not None else f"owner:{actor.reseller_id}"


def _row(session: Session, key: str) -> TwoFactor | None:
    return session.exec(select(TwoFactor).where(TwoFactor.login_key == key)).first()


def _email(session: Session, actor: Actor) -> str:
    if actor.role == "client":
        return session.get(Client, actor.client_id).email
    if actor.staff_id is not None:
        return session.get(StaffMember, actor.staff_id).email
    return session.get(Reseller, actor.reseller_id).email


def _password_hash(session: Session, actor: Actor) -> str:
    if actor.role == "client":
        return session.get(Client, actor.client_id).password_hash
    if actor.staff_id is not None:
        return session.get(StaffMember, actor.staff_id).password_hash
    return session.get(Reseller, actor.reseller_id).password_hash


def enabled(key: str) -> bool:
    """Whether this login asks for a code after its password."""
    with session_scope() as session:
        row = _row(session, key)
        return row is not None and row.confirmed_at is not None


def begin(actor: Actor) -> dict[str, str]:
    """Start (or restart) an enrolment: a new secret, its otpauth URI and the QR code as an SVG data URI."""
    if actor.impersonated_by is not None:
        raise ValidationFailed({"form": "Set up two-factor sign-in from your own login."})
    key = login_key(actor)
    with session_scope() as session:
        row = _row(session, key)
        if row is not None and row.confirmed_at is not None:
            raise ValidationFailed({"form": "Two-factor sign-in is already on."})
        secret = pyotp.random_base32()
        if row is None:
            session.add(TwoFactor(reseller_id=actor.reseller_id, login_key=key, secret=secret))
        else:
            row.secret = secret
        uri = pyotp.TOTP(secret).provisioning_uri(name=_email(session, actor), issuer_name=ISSUER)
    return {"secret": secret, "uri": uri, "qr": segno.make(uri, error="m").svg_data_uri(scale=4)}


def _totp_ok(secret: str, code: str) -> bool:
    code = "".join(ch for ch in str(code or "") if ch.isdigit())
    return len(code) == 6 and pyotp.TOTP(secret).verify(code, valid_window=1)


def confirm(actor: Actor, code: str) -> list[str]:
    """Confirm the enrolment with a code from the app; returns the ten recovery codes (shown this once)."""
    key = login_key(actor)
    with session_scope() as session:
        row = _row(session, key)
        if row is None or row.confirmed_at is not None:
            raise ValidationFailed({"form": "Start the set-up first."})
        if not _totp_ok(row.secret, code):
            raise ValidationFailed({"code": BAD_CODE})
        codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
        row.recovery_hashes = [token_hash(c) for c in codes]
        row.confirmed_at = utcnow()
        audit.record(session, actor, "2fa_enabled", "login", None)
    return codes


def check(session: Session, key: str, code: str) -> bool:
    """Whether `code` is this login's current TOTP code or one of its unused recovery codes (used up if so)."""
    row = _row(session, key)
    if row is None or row.confirmed_at is None:
        return True
    if _totp_ok(row.secret, code):
        return True
    h = token_hash(str(code or "").strip().lower())
    if h in (row.recovery_hashes or []):
        row.recovery_hashes = [x for x in row.recovery_hashes if x != h]
        return True
    return False


def disable(actor: Actor, password: str, code: str) -> None:
    """Turn two-factor sign-in off: needs the login's password and a code (or a recovery code)."""
    key = login_key(actor)
    with session_scope() as session:
        row = _row(session, key)
        if row is None or row.confirmed_at is None:
            raise ValidationFailed({"form": "Two-factor sign-in is not on."})
        if not verify_password(str(password or ""), _password_hash(session, actor)):
            raise AuthFailed("Incorrect password.")
        if not check(session, key, code):
            raise AuthFailed(BAD_CODE)
        session.delete(row)
        audit.record(session, actor, "2fa_disabled", "login", None)
        alerts.tell_owner(
            session,
            actor.reseller_id,
            "Two-factor sign-in was turned off",
            f"Two-factor sign-in was turned off for {_email(session, actor)}"
            f"{f' from {actor.ip}' if actor.ip else ''}.\nIf this was not expected, review the Audit log.\n",
        )
