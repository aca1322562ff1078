"""Two-factor sign-in: enrolment with a QR code, recovery codes, the code after the password, lockout, disabling."""

from __future__ import annotations

import dataclasses

import pyotp
import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import AuditLog, OutboundEmail, TwoFactor
from reseller_app.services.access import auth, two_factor
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import AuthFailed, Forbidden, NotFound, ValidationFailed


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


def _key(monkeypatch, value: str) -> None:
    from reseller_app.services.access import sealing

    monkeypatch.setattr(sealing, "settings", dataclasses.replace(sealing.settings, two_factor_key=value))


def test_the_secret_is_stored_encrypted_and_a_wrong_key_fails_closed(world, monkeypatch):
    from reseller_app.services.access import sealing

    old, new = sealing.new_key(), sealing.new_key()
    _key(monkeypatch, old)
    secret, codes = _enrol(world["actor_a"])
    with session_scope() as s:
        stored = s.exec(select(TwoFactor)).one().secret
    assert secret not in stored and sealing.open_sealed(stored) == secret
    # A new key put first, the old one kept listed (rotation): the stored secret still opens.
    _key(monkeypatch, f"{new},{old}")
    auth.login_reseller("ra@example.com", "password-123", code=pyotp.TOTP(secret).now())
    # The old key dropped: no TOTP code opens the login (and nothing escapes but the refusal); a recovery code (hashed,
    # not encrypted) still does.
    _key(monkeypatch, new)
    with pytest.raises(AuthFailed, match="Incorrect code"):
        auth.login_reseller("ra@example.com", "password-123", code=pyotp.TOTP(secret).now())
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


def _client_login(world) -> Actor:
    from reseller_app.models import Client
    from reseller_app.services.access.security import hash_password

    with session_scope() as s:
        s.get(Client, world["c"]).password_hash = hash_password("client-pass-1")
    return Actor("client", world["ra"], world["c"])


def _offer(world, on: bool) -> None:
    from reseller_app.models import ResellerSettings

    with session_scope() as s:
        s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == world["ra"])).one().client_two_factor = on


def test_a_client_enrols_only_where_the_reseller_offers_it(world):
    actor = _client_login(world)
    assert two_factor.client_page(actor) == {"offered": False, "on": False, "available": False}
    with pytest.raises(ValidationFailed, match="not offered"):
        two_factor.begin(actor)
    _offer(world, True)
    assert two_factor.client_page(actor)["available"]
    started = two_factor.begin(actor)
    _offer(world, False)  # switched off between the QR code and the code: not confirmed
    with pytest.raises(ValidationFailed, match="not offered"):
        two_factor.confirm(actor, pyotp.TOTP(started["secret"]).now())
    _offer(world, True)
    secret, codes = _enrol(actor)
    assert two_factor.client_page(actor) == {"offered": True, "on": True, "available": True}
    with pytest.raises(two_factor.CodeNeeded):
        auth.login_client(world["ra"], "c@example.com", "client-pass-1")
    with pytest.raises(AuthFailed, match="Incorrect code"):
        auth.login_client(world["ra"], "c@example.com", "client-pass-1", code="123456x")
    token = auth.login_client(world["ra"], "c@example.com", "client-pass-1", code=pyotp.TOTP(secret).now())
    assert auth.resolve(token, "client", world["ra"]).client_id == world["c"]
    auth.login_client(world["ra"], "c@example.com", "client-pass-1", code=codes[3])
    with pytest.raises(AuthFailed, match="Incorrect code"):
        auth.login_client(world["ra"], "c@example.com", "client-pass-1", code=codes[3])  # a recovery code works once
    # The reseller stops offering it: the enrolled client is still asked, and still has the page to turn it off.
    _offer(world, False)
    assert two_factor.client_page(actor) == {"offered": False, "on": True, "available": True}
    with pytest.raises(two_factor.CodeNeeded):
        auth.login_client(world["ra"], "c@example.com", "client-pass-1")
    with pytest.raises(AuthFailed, match="Incorrect password"):
        two_factor.disable(actor, "wrong-pass", pyotp.TOTP(secret).now())
    two_factor.disable(actor, "client-pass-1", pyotp.TOTP(secret).now())
    assert two_factor.client_page(actor)["available"] is False
    auth.login_client(world["ra"], "c@example.com", "client-pass-1")  # no code asked any more


def test_a_clients_wrong_codes_lock_its_login(world):
    actor = _client_login(world)
    _offer(world, True)
    secret, _codes = _enrol(actor)
    for _ in range(auth.LOCK_AFTER):
        with pytest.raises(AuthFailed, match="Incorrect code"):
            auth.login_client(world["ra"], "c@example.com", "client-pass-1", code="000000x")
    with pytest.raises(AuthFailed, match="locked"):
        auth.login_client(world["ra"], "c@example.com", "client-pass-1", code=pyotp.TOTP(secret).now())


def test_the_client_page_is_the_clients_own(world):
    _offer(world, True)
    with pytest.raises(Forbidden):
        two_factor.client_page(world["actor_a"])
    with pytest.raises(NotFound):
        two_factor.client_page(Actor("client", world["rb"], world["c"]))  # a client id of another reseller
    with pytest.raises(ValidationFailed, match="your own login"):
        two_factor.begin(Actor("client", world["ra"], world["c"], impersonated_by=1))
