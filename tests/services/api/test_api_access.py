"""API access and carrier settings: who may change them, what is validated, and that secrets never come back."""

from __future__ import annotations

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import ApiCredential, Reseller
from reseller_app.services.access.actor import Actor
from reseller_app.services.api import access as api_access
from reseller_app.services.api.access import ApiError
from reseller_app.services.common.errors import Forbidden, ValidationFailed


def test_clients_cannot_touch_api_settings(world):
    client = Actor("client", world["ra"], world["c"])
    for call in (
        lambda: api_access.get_settings(client),
        lambda: api_access.set_access(client, True, ""),
        lambda: api_access.set_password(client, "api-pass-123", "api-pass-123"),
        lambda: api_access.set_carrier(client, "sandbox"),
    ):
        with pytest.raises(Forbidden):
            call()


def test_password_rules_and_enable_needs_a_password(world):
    a = world["actor_a"]
    with pytest.raises(ValidationFailed) as e:
        api_access.set_access(a, True, "")
    assert "enabled" in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        api_access.set_password(a, "short", "short")
    assert "password" in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        api_access.set_password(a, "api-pass-123", "api-pass-124")
    assert "confirm" in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        api_access.set_password(a, "password-123", "password-123")  # the login password
    assert "password" in e.value.errors
    api_access.set_password(a, "api-pass-123", "api-pass-123")
    api_access.set_access(a, True, "")
    with session_scope() as s:
        cred = s.exec(select(ApiCredential).where(ApiCredential.reseller_id == world["ra"])).one()
        assert cred.password_hash.startswith("$argon2")
    settings = api_access.get_settings(a)
    assert settings.enabled and settings.has_password and settings.api_username == "ra@example.com"
    assert "api-pass-123" not in repr(settings)
    # Reseller B's settings are untouched.
    assert api_access.get_settings(world["actor_b"]).enabled is False


@pytest.mark.parametrize("bad", ["10.0.0.300", "example.com", "1.2.3.4/40", "<script>"])
def test_bad_ip_lists_are_refused(world, bad):
    with pytest.raises(ValidationFailed) as e:
        api_access.set_access(world["actor_a"], False, f"10.0.0.1, {bad}")
    assert "ip_allowlist" in e.value.errors


def test_ip_list_is_normalized_and_enforced(world):
    a = world["actor_a"]
    api_access.set_password(a, "api-pass-123", "api-pass-123")
    api_access.set_access(a, True, "192.0.2.0/24\n2001:db8::1, 10.1.1.1/32")
    assert api_access.get_settings(a).ip_allowlist == "192.0.2.0/24, 2001:db8::1, 10.1.1.1"
    api_access.limiter.reset()
    assert api_access.authenticate("ra@example.com", "api-pass-123", "192.0.2.55").reseller_id == world["ra"]
    assert api_access.authenticate("RA@example.com", "api-pass-123", "2001:db8::1").reseller_id == world["ra"]
    for ip in ("192.0.3.1", "10.1.1.2", None, "junk"):
        with pytest.raises(ApiError) as e:
            api_access.authenticate("ra@example.com", "api-pass-123", ip)
        assert e.value.status == "ip_not_enabled"


def test_carrier_choice_and_secret_kept_but_never_shown(world):
    a = world["actor_a"]
    with pytest.raises(ValidationFailed):
        api_access.set_carrier(a, "acme")
    with pytest.raises(ValidationFailed) as e:
        api_access.set_carrier(a, "voipms", "me@voip.example", "")
    assert "carrier_password" in e.value.errors
    api_access.set_carrier(a, "voipms", "me@voip.example", "secret-1")
    # Saving again without a password keeps the stored one.
    api_access.set_carrier(a, "voipms", "me@voip.example", "")
    shown = api_access.get_settings(a)
    assert (shown.carrier_kind, shown.carrier_username, shown.has_carrier_secret) == ("voipms", "me@voip.example", True)
    assert "secret-1" not in repr(shown)
    with session_scope() as s:
        assert s.get(Reseller, world["ra"]).carrier_secret == "secret-1"
        assert s.get(Reseller, world["rb"]).carrier_kind == "sandbox"
    api_access.set_carrier(a, "sandbox")
    assert api_access.get_settings(a).carrier_kind == "sandbox"
