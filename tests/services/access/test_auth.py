"""Logins, sessions, lockout and the walls between resellers and their clients."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from reseller_app.config import PLACEHOLDER_SECRET, Settings
from reseller_app.db import session_scope
from reseller_app.models import Client, LoginSession, Reseller, utcnow
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.sealing import new_key
from reseller_app.services.access.security import hash_password
from reseller_app.services.common.errors import AuthFailed, NotFound

PW = "correct-horse-9"
KEY, KEY2 = new_key(), new_key()  # TWO_FACTOR_KEY values


@pytest.fixture()
def two_portals(engine):
    ids = {}
    for key in ("a", "b"):
        rid = auth.create_reseller(f"r{key}@example.com", PW)
        with session_scope() as s:
            s.get(Reseller, rid).portal_active = True
            c = Client(reseller_id=rid, email=f"c{key}@example.com", password_hash=hash_password(PW), firstname="C")
            s.add(c)
            s.flush()
            ids[key] = (rid, c.id)
    return ids


def test_reseller_login_opens_a_session_resolvable_only_as_reseller(two_portals):
    token = auth.login_reseller("RA@example.com ", PW)
    actor = auth.resolve(token, "reseller")
    assert actor is not None and actor.reseller_id == two_portals["a"][0]
    assert auth.resolve(token, "client") is None
    with session_scope() as s:
        row = s.exec(select(LoginSession)).one()
        assert row.token_hash != token and len(row.token_hash) == 64


def test_unknown_email_and_wrong_password_get_the_same_message(two_portals):
    with pytest.raises(AuthFailed) as unknown:
        auth.login_reseller("nobody@example.com", PW)
    with pytest.raises(AuthFailed) as wrong:
        auth.login_reseller("ra@example.com", "wrong-password")
    assert str(unknown.value) == str(wrong.value) == auth.BAD_LOGIN


def test_sixth_attempt_is_locked_even_with_the_right_password(two_portals):
    for _ in range(5):
        with pytest.raises(AuthFailed, match="Incorrect"):
            auth.login_reseller("ra@example.com", "wrong-password")
    with pytest.raises(AuthFailed, match="locked"):
        auth.login_reseller("ra@example.com", PW)


def test_lock_expires_after_fifteen_minutes(two_portals, monkeypatch):
    for _ in range(5):
        with pytest.raises(AuthFailed):
            auth.login_reseller("ra@example.com", "wrong-password")
    later = utcnow() + timedelta(minutes=15, seconds=1)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    assert auth.login_reseller("ra@example.com", PW)


def test_unknown_logins_lock_the_same_way(two_portals):
    for _ in range(5):
        with pytest.raises(AuthFailed, match="Incorrect"):
            auth.login_reseller("ghost@example.com", "x-wrong-1")
    with pytest.raises(AuthFailed, match="locked"):
        auth.login_reseller("ghost@example.com", "x-wrong-1")


def test_success_resets_the_failure_count(two_portals):
    for _ in range(4):
        with pytest.raises(AuthFailed):
            auth.login_reseller("ra@example.com", "wrong-password")
    auth.login_reseller("ra@example.com", PW)
    for _ in range(4):
        with pytest.raises(AuthFailed, match="Incorrect"):
            auth.login_reseller("ra@example.com", "wrong-password")
    assert auth.login_reseller("ra@example.com", PW)


def test_client_logs_in_only_through_its_own_resellers_portal(two_portals):
    (ra, ca), (rb, _) = two_portals["a"], two_portals["b"]
    token = auth.login_client(ra, "ca@example.com", PW)
    assert auth.resolve(token, "client", ra) == Actor("client", ra, ca, auth.resolve(token, "client", ra).session_id)
    assert auth.resolve(token, "client", rb) is None
    assert auth.resolve(token, "reseller") is None
    with pytest.raises(AuthFailed, match="Incorrect"):
        auth.login_client(rb, "ca@example.com", PW)


def test_waiting_client_cannot_log_in(two_portals):
    ra, ca = two_portals["a"]
    with session_scope() as s:
        s.get(Client, ca).status = "WAIT"
    with pytest.raises(AuthFailed, match="awaiting activation"):
        auth.login_client(ra, "ca@example.com", PW)


def test_inactive_portal_refuses_client_logins(two_portals):
    ra, _ = two_portals["a"]
    with session_scope() as s:
        s.get(Reseller, ra).portal_active = False
    with pytest.raises(AuthFailed, match="not available"):
        auth.login_client(ra, "ca@example.com", PW)


def test_logout_and_expiry_end_the_session(two_portals, monkeypatch):
    token = auth.login_reseller("ra@example.com", PW)
    auth.logout(token)
    assert auth.resolve(token, "reseller") is None
    token = auth.login_reseller("ra@example.com", PW)
    later = utcnow() + timedelta(hours=13)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    assert auth.resolve(token, "reseller") is None


def test_reseller_can_open_its_own_clients_interface(two_portals):
    ra, ca = two_portals["a"]
    actor = auth.resolve(auth.login_reseller("ra@example.com", PW), "reseller")
    token = auth.impersonate_client(actor, ca)
    as_client = auth.resolve(token, "client", ra)
    assert as_client.client_id == ca and as_client.impersonated_by == ra


def test_impersonating_another_resellers_client_is_refused(two_portals):
    _, cb = two_portals["b"]
    actor = auth.resolve(auth.login_reseller("ra@example.com", PW), "reseller")
    with pytest.raises(NotFound):
        auth.impersonate_client(actor, cb)
    client_actor = auth.resolve(auth.login_client(two_portals["a"][0], "ca@example.com", PW), "client")
    with pytest.raises(Exception, match="Not allowed"):
        auth.impersonate_client(client_actor, two_portals["a"][1])


def test_placeholder_secret_is_refused_outside_dev():
    Settings(secret_key=PLACEHOLDER_SECRET, app_env="dev").check()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        Settings(secret_key=PLACEHOLDER_SECRET, app_env="prod", argon2_profile="default", two_factor_key=KEY).check()
    Settings(
        secret_key="a-real-secret-of-some-length", app_env="prod", argon2_profile="default", two_factor_key=KEY
    ).check()


def test_the_two_factor_key_is_required_outside_dev_and_must_be_fernet_keys():
    real = "a-real-secret-of-some-length"
    Settings(secret_key=real, app_env="dev", argon2_profile="default").check()  # dev: derived from SECRET_KEY
    with pytest.raises(RuntimeError, match="TWO_FACTOR_KEY is not set"):
        Settings(secret_key=real, app_env="prod", argon2_profile="default").check()
    for bad in ("changethis", KEY[:-4], f"{KEY},nope"):
        with pytest.raises(RuntimeError, match="TWO_FACTOR_KEY must be Fernet keys"):
            Settings(secret_key=real, app_env="dev", argon2_profile="default", two_factor_key=bad).check()
    Settings(secret_key=real, app_env="prod", argon2_profile="default", two_factor_key=f"{KEY}, {KEY2}").check()


def test_cheap_password_hashes_are_refused_outside_dev():
    real = "a-real-secret-of-some-length"
    Settings(secret_key=real, app_env="dev", argon2_profile="test").check()
    with pytest.raises(RuntimeError, match="ARGON2_PROFILE=test"):
        Settings(secret_key=real, app_env="prod", argon2_profile="test", two_factor_key=KEY).check()
    with pytest.raises(RuntimeError, match="ARGON2_PROFILE must be one of"):
        Settings(secret_key=real, app_env="dev", argon2_profile="fast").check()


def test_the_test_profile_is_cheap_and_each_profile_verifies_the_others_hashes():
    from passlib.context import CryptContext

    from reseller_app.services.access import security

    cheap = CryptContext(schemes=["argon2"], **security._COST["test"])
    production = CryptContext(schemes=["argon2"], **security._COST["default"])
    weak, strong = cheap.hash(PW), production.hash(PW)
    assert weak.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert strong.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert cheap.verify(PW, strong) and production.verify(PW, weak)
    assert security.verify_password(PW, strong) and not security.verify_password("wrong-pass-1", strong)
