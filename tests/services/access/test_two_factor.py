"""Two-factor sign-in: enrolment with a QR code, recovery codes, the code after the password, lockout, disabling."""

from __future__ import annotations

import pyotp
import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import AuditLog, OutboundEmail, TwoFactor
from reseller_app.services.access import auth, two_factor
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import AuthFailed, ValidationFailed


def _enrol(actor: Actor) -> tuple[str, list[str]]:
    started = two_factor.begin(actor)
    assert started["qr"].startswith("data:image/svg+xml") and "otpauth://totp/" in started["uri"]
    with pytest.raises(ValidationFailed):
        two_factor.confirm(actor, "000000" if pyotp.TOTP(started["secret"]).now() != "000000" else "111111")
    codes = two_factor.confirm(actor, pyotp.TOTP(started["secret"]).now())
    return started["secret"], codes


def test_enrolment_asks_the_code_after_the_password(world):
    secret, codes = _enrol(world["actor_a"])
    assert len(codes) == 10 and len(set(codes)) == 10
    with session_scope() as s:
        row = s.exec(select(TwoFactor)).one()
        assert not any(c in str(row.recovery_hashes) for c in codes)  # stored hashed
    with pytest.raises(two_factor.CodeNeeded):
        auth.login_reseller("ra@example.com", "password-123")
    with pytest.raises(AuthFailed, match="Incorrect code"):
        auth.login_reseller("ra@example.com", "password-123", code="12345x")
    token = auth.login_reseller("ra@example.com", "password-123", code=pyotp.TOTP(secret).now())
    assert auth.resolve(token, "reseller").reseller_id == world["ra"]
    # A recovery code works once.
    auth.login_reseller("ra@example.com", "password-123", code=codes[0])
    with pytest.raises(AuthFailed):
        auth.login_reseller("ra@example.com", "password-123", code=codes[0])


def test_wrong_codes_lock_the_login(world):
    secret, _codes = _enrol(world["actor_a"])
    for _ in range(auth.LOCK_AFTER):
        with pytest.raises(AuthFailed, match="Incorrect code"):
            auth.login_reseller("ra@example.com", "password-123", code="abcdefgh")
    with pytest.raises(AuthFailed, match="locked"):
        auth.login_reseller("ra@example.com", "password-123", code=pyotp.TOTP(secret).now())
    with session_scope() as s:
        fails = s.exec(select(AuditLog).where(AuditLog.action == "login_failed")).all()
    assert len(fails) == auth.LOCK_AFTER


def test_disabling_needs_the_password_and_a_code_and_tells_the_owner(world):
    secret, _codes = _enrol(world["actor_a"])
    with pytest.raises(AuthFailed):
        two_factor.disable(world["actor_a"], "wrong-password", pyotp.TOTP(secret).now())
    with pytest.raises(AuthFailed):
        two_factor.disable(world["actor_a"], "password-123", "abcdefgh")
    assert two_factor.enabled(f"owner:{world['ra']}")
    two_factor.disable(world["actor_a"], "password-123", pyotp.TOTP(secret).now())
    assert not two_factor.enabled(f"owner:{world['ra']}")
    auth.login_reseller("ra@example.com", "password-123")  # no code asked any more
    with session_scope() as s:
        mail = s.exec(select(OutboundEmail).where(OutboundEmail.subject == "Two-factor sign-in was turned off")).all()
    assert len(mail) == 1 and mail[0].to_addr == "ra@example.com"


def test_a_client_can_enrol_too(world):
    from reseller_app.models import Client
    from reseller_app.services.access.security import hash_password

    with session_scope() as s:
        s.get(Client, world["c"]).password_hash = hash_password("client-pass-1")
    actor = Actor("client", world["ra"], world["c"])
    secret, _ = _enrol(actor)
    with pytest.raises(two_factor.CodeNeeded):
        auth.login_client(world["ra"], "c@example.com", "client-pass-1")
    auth.login_client(world["ra"], "c@example.com", "client-pass-1", code=pyotp.TOTP(secret).now())
