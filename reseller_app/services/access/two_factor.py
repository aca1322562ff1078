"""Two-factor sign-in (TOTP, RFC 6238, with pyotp): enrolment with a server-rendered QR code (segno), ten hashed
single-use recovery codes shown once, the code asked after the password, disabling with the password and a code.
The TOTP secret is stored encrypted (services/access/sealing.py, TWO_FACTOR_KEY); the recovery codes as hashes.

Wrong codes count toward a lockout like wrong passwords (LOCK_AFTER in a row lock the login for LOCK_FOR), in a realm
of their own ("2fa:<realm>"), so a correct password does not reset the count of wrong codes.

Clients enrol on their portal's Security page when their reseller offers it (Display elements,
`resellersettings.client_two_factor`). A client already enrolled keeps being asked for a code, and keeps the page to
turn it off, after the reseller stops offering it: only starting an enrolment needs the offer.
"""

from __future__ import annotations

import logging
import secrets

import pyotp
import segno
from sqlmodel import Session, select

from reseller_app.db import session_scope
from reseller_app.i18n import N_, _
from reseller_app.models import Client, Reseller, StaffMember, TwoFactor, utcnow
from reseller_app.services.access import sealing
from reseller_app.services.access.actor import Actor, require_client
from reseller_app.services.access.security import token_hash, verify_password
from reseller_app.services.common import audit
from reseller_app.services.common.errors import AuthFailed, ValidationFailed
from reseller_app.services.common.lookup import own_account, reseller_settings
from reseller_app.services.staff import alerts

log = logging.getLogger(__name__)

ISSUER = "Reseller portal"
RECOVERY_CODES = 10
BAD_CODE = N_("Incorrect code.")
CODE_NEEDED = N_("Enter the 6-digit code from your authenticator app (or a recovery code).")
NOT_OFFERED = N_("Two-factor sign-in is not offered on this portal.")


class CodeNeeded(AuthFailed):
    """The password was right and this login asks for a code: ask for it, then sign in again with it."""

    def __init__(self) -> None:
        super().__init__(_(CODE_NEEDED))


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


def _on(row: TwoFactor | None) -> bool:
    return row is not None and row.confirmed_at is not None


def enabled(key: str) -> bool:
    """Whether this login asks for a code after its password."""
    with session_scope() as session:
        return _on(_row(session, key))


def client_page(actor: Actor) -> dict[str, bool]:
    """The client portal's Security page: whether the reseller offers two-factor sign-in, whether this client has it
    on, and whether the page is there at all (offered, or on: an enrolled client can still turn it off)."""
    require_client(actor)
    with session_scope() as session:
        own_account(session, actor)
        offered = reseller_settings(session, actor.reseller_id).client_two_factor
        on = _on(_row(session, login_key(actor)))
    return {"offered": offered, "on": on, "available": offered or on}


def _may_enrol(session: Session, actor: Actor) -> None:
    """A client enrols only on a portal that offers it (the owner and staff always may)."""
    if actor.role == "client":
        own_account(session, actor)
        if not reseller_settings(session, actor.reseller_id).client_two_factor:
            raise ValidationFailed({"form": _(NOT_OFFERED)})


def begin(actor: Actor) -> dict[str, str]:
    """Start (or restart) an enrolment: a new secret, its otpauth URI and the QR code as an SVG data URI."""
    if actor.impersonated_by is not None:
        raise ValidationFailed({"form": _("Set up two-factor sign-in from your own login.")})
    key = login_key(actor)
    with session_scope() as session:
        _may_enrol(session, actor)
        row = _row(session, key)
        if row is not None and row.confirmed_at is not None:
            raise ValidationFailed({"form": _("Two-factor sign-in is already on.")})
        secret = pyotp.random_base32()
        if row is None:
            session.add(TwoFactor(reseller_id=actor.reseller_id, login_key=key, secret=sealing.seal(secret)))
        else:
            row.secret = sealing.seal(secret)
        uri = pyotp.TOTP(secret).provisioning_uri(name=_email(session, actor), issuer_name=ISSUER)
    return {"secret": secret, "uri": uri, "qr": segno.make(uri, error="m").svg_data_uri(scale=4)}


def _totp_ok(row: TwoFactor, code: str) -> bool:
    """Whether `code` is the login's current TOTP code (a secret no key opens accepts none: fail closed)."""
    code = "".join(ch for ch in str(code or "") if ch.isdigit())
    if len(code) != 6:
        return False
    try:
        secret = sealing.open_sealed(row.secret)
    except sealing.InvalidToken:
        log.error(
            "two-factor secret of %s cannot be decrypted: is TWO_FACTOR_KEY the key it was sealed with?", row.login_key
        )
        return False
    return pyotp.TOTP(secret).verify(code, valid_window=1)


def confirm(actor: Actor, code: str) -> list[str]:
    """Confirm the enrolment with a code from the app; returns the ten recovery codes (shown this once)."""
    key = login_key(actor)
    with session_scope() as session:
        _may_enrol(session, actor)
        row = _row(session, key)
        if row is None or row.confirmed_at is not None:
            raise ValidationFailed({"form": _("Start the set-up first.")})
        if not _totp_ok(row, code):
            raise ValidationFailed({"code": _(BAD_CODE)})
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
    if _totp_ok(row, code):
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
            raise ValidationFailed({"form": _("Two-factor sign-in is not on.")})
        if not verify_password(str(password or ""), _password_hash(session, actor)):
            raise AuthFailed(_("Incorrect password."))
        if not check(session, key, code):
            raise AuthFailed(_(BAD_CODE))
        session.delete(row)
        audit.record(session, actor, "2fa_disabled", "login", None)
        alerts.tell_owner(
            session,
            actor.reseller_id,
            "Two-factor sign-in was turned off",
            f"Two-factor sign-in was turned off for {_email(session, actor)}"
            f"{f' from {actor.ip}' if actor.ip else ''}.\nIf this was not expected, review the Audit log.\n",
        )
