"""Failed sign-ins per address: past the limit every login form refuses that address unchecked for 15 minutes."""

from __future__ import annotations

import dataclasses
import types

import pyotp
import pytest

from reseller_app.db import session_scope
from reseller_app.models import Client, Reseller
from reseller_app.services.access import abuse, auth, two_factor
from reseller_app.services.access.security import hash_password
from reseller_app.services.api import access as api_access
from reseller_app.services.common.errors import AuthFailed

PW = "correct-horse-9"
IP, OTHER_IP = "203.0.113.9", "198.51.100.4"
LIMIT = abuse.settings.login_failures_per_ip


@pytest.fixture()
def portal(engine):
    rid = auth.create_reseller("owner@example.com", PW)
    with session_scope() as s:
        s.get(Reseller, rid).portal_active = True
        s.add(Client(reseller_id=rid, email="client@example.com", password_hash=hash_password(PW), firstname="C"))
    return rid


@pytest.fixture()
def verifications(monkeypatch):
    """How many passwords were checked (argon2 runs)."""
    count = [0]
    real = auth.verify_password

    def counting(password: str, pw_hash: str | None) -> bool:
        count[0] += 1
        return real(password, pw_hash)

    monkeypatch.setattr(auth, "verify_password", counting)
    return count


def _fail(portal: int, n: int, ip: str = IP) -> None:
    """n wrong sign-ins from `ip`, each for another made-up name, half on the reseller form, half on the portal."""
    for i in range(n):
        with pytest.raises(AuthFailed, match="Incorrect"):
            if i % 2:
                auth.login_reseller(f"guess{i}@example.com", "wrong-pass-1", ip)
            else:
                auth.login_client(portal, f"guess{i}@example.com", "wrong-pass-1", ip)


def test_guessing_across_many_names_stops_at_the_address_limit(portal, verifications):
    assert LIMIT == 30  # the default (LOGIN_FAILURES_PER_IP)
    _fail(portal, LIMIT)  # no name reaches its own lockout of 5
    checked = verifications[0]
    for attempt in (
        lambda: auth.login_reseller("owner@example.com", PW, IP),
        lambda: auth.login_client(portal, "client@example.com", PW, IP),
    ):
        with pytest.raises(AuthFailed) as refused:
            attempt()  # even the right password, from that address
        assert str(refused.value) == abuse.TOO_MANY_LOGINS
    assert verifications[0] == checked  # refused before any argon2 work
    # Other addresses, and the owner's own from elsewhere, are not affected.
    assert auth.login_reseller("owner@example.com", PW, OTHER_IP)
    assert auth.login_client(portal, "client@example.com", PW, OTHER_IP)


def test_successes_do_not_count_and_the_window_slides(portal, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(api_access, "time", types.SimpleNamespace(monotonic=lambda: clock[0]))  # the limiters' clock
    _fail(portal, LIMIT - 1)
    for _ in range(5):
        assert auth.login_client(portal, "client@example.com", PW, IP)  # 29 failures: still let in
    _fail(portal, 1)
    with pytest.raises(AuthFailed, match="Too many failed sign-ins"):
        auth.login_client(portal, "client@example.com", PW, IP)
    clock[0] += abuse.LOGIN_WINDOW + 1  # 15 minutes later the failures have left the window
    assert auth.login_client(portal, "client@example.com", PW, IP)


def test_a_locked_login_tried_again_counts_too(portal):
    for _ in range(auth.LOCK_AFTER):
        with pytest.raises(AuthFailed, match="Incorrect"):
            auth.login_reseller("owner@example.com", "wrong-pass-1", IP)
    for _ in range(LIMIT - auth.LOCK_AFTER):
        with pytest.raises(AuthFailed, match="locked"):
            auth.login_reseller("owner@example.com", "wrong-pass-1", IP)
    with pytest.raises(AuthFailed, match="Too many failed sign-ins"):
        auth.login_reseller("someone-else@example.com", "x-wrong-1", IP)


def test_wrong_two_factor_codes_count_toward_the_address(portal):
    actor = auth.resolve(auth.login_reseller("owner@example.com", PW), "reseller")
    started = two_factor.begin(actor)
    two_factor.confirm(actor, pyotp.TOTP(started["secret"]).now())
    wrong = "000000" if pyotp.TOTP(started["secret"]).now() != "000000" else "111111"
    _fail(portal, LIMIT - 1)
    with pytest.raises(AuthFailed, match="Incorrect code"):
        auth.login_reseller("owner@example.com", PW, IP, code=wrong)
    with pytest.raises(AuthFailed, match="Too many failed sign-ins"):
        auth.login_reseller("owner@example.com", PW, IP, code=pyotp.TOTP(started["secret"]).now())


def test_no_address_is_not_counted_and_zero_turns_the_limit_off(portal, monkeypatch):
    _fail(portal, LIMIT, ip="")  # an unknown address (a script calling the service) is nobody's budget
    assert auth.login_client(portal, "client@example.com", PW, "")
    monkeypatch.setattr(abuse, "settings", dataclasses.replace(abuse.settings, login_failures_per_ip=0))
    _fail(portal, LIMIT + 5)
    assert auth.login_client(portal, "client@example.com", PW, IP)
