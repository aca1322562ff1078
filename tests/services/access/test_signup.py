"""Client self-signup: only where the reseller allows it, with its fields, as a WAIT account with an email."""

from __future__ import annotations

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, OutboundEmail, Reseller, ResellerSettings
from reseller_app.services.access import auth, signup
from reseller_app.services.common.errors import AuthFailed, NotFound, ValidationFailed


def _enable(rid: int, **fields: str) -> None:
    with session_scope() as s:
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()
        st.signup_enabled = True
        st.signup_fields = {"lastname": "required", "company": "optional", "zip": "hidden", **fields}


GOOD = {"email": "New@Example.com", "password": "long-enough-pw", "firstname": "Nia", "lastname": "Ng"}


def test_signup_is_off_by_default(world):
    assert signup.signup_form(world["ra"]) is None
    with pytest.raises(NotFound):
        signup.sign_up(world["ra"], GOOD)


def test_signup_needs_an_active_portal(world):
    _enable(world["ra"])
    with session_scope() as s:
        s.get(Reseller, world["ra"]).portal_active = False
    assert signup.signup_form(world["ra"]) is None
    assert signup.signup_form(999999) is None


def test_form_offers_the_chosen_fields(world):
    _enable(world["ra"])
    keys = {f["key"]: f["required"] for f in signup.signup_form(world["ra"])}
    assert keys == {"firstname": "1", "lastname": "1", "company": ""}


def test_signup_creates_a_wait_client_and_queues_the_email(world):
    _enable(world["ra"])
    assert signup.sign_up(world["ra"], dict(GOOD, zip="ignored", status="ACTIVE")) == signup.DONE
    with session_scope() as s:
        c = s.exec(select(Client).where(Client.email == "new@example.com")).one()
        assert c.reseller_id == world["ra"] and c.status == "WAIT" and c.zip == "" and c.lastname == "Ng"
        mail = s.exec(select(OutboundEmail).where(OutboundEmail.to_addr == "new@example.com")).one()
        assert mail.subject == "Your account is awaiting activation" and "Nia Ng" in mail.body_text
    # A WAIT account cannot sign in yet.
    with pytest.raises(AuthFailed) as e:
        auth.login_client(world["ra"], "new@example.com", GOOD["password"])
    assert str(e.value) == auth.WAITING


def test_required_fields_and_bad_input_are_refused(world):
    _enable(world["ra"])
    with pytest.raises(ValidationFailed) as e:
        signup.sign_up(world["ra"], {"email": "nope", "password": "short", "firstname": ""})
    assert {"email", "password", "firstname", "lastname"} <= set(e.value.errors)
    _enable(world["ra"], country="required")
    with pytest.raises(ValidationFailed) as e:
        signup.sign_up(world["ra"], dict(GOOD, country="ZZ"))
    assert "country" in e.value.errors
    with session_scope() as s:
        assert s.exec(select(Client).where(Client.email == "new@example.com")).first() is None


def test_existing_email_gets_the_same_answer_and_no_second_account(world):
    _enable(world["ra"])
    assert signup.sign_up(world["ra"], dict(GOOD, email="c@example.com")) == signup.DONE
    with session_scope() as s:
        assert len(s.exec(select(Client).where(Client.email == "c@example.com")).all()) == 1
        assert s.exec(select(OutboundEmail)).first() is None


def test_signup_lands_in_that_resellers_portal_only(world):
    _enable(world["rb"])
    signup.sign_up(world["rb"], GOOD)
    with session_scope() as s:
        c = s.exec(select(Client).where(Client.email == "new@example.com")).one()
        assert c.reseller_id == world["rb"]
    with pytest.raises(NotFound):
        signup.sign_up(world["ra"], GOOD)


def test_the_phone_number_is_checked_as_on_every_other_form(world):
    _enable(world["ra"], phone_number="optional")
    for bad in ("call me<script>", "12"):
        with pytest.raises(ValidationFailed) as e:
            signup.sign_up(world["ra"], dict(GOOD, phone_number=bad))
        assert e.value.errors == {"phone_number": "Enter a valid phone number, e.g. +1 514 555 0142."}
    signup.sign_up(world["ra"], dict(GOOD, phone_number="514 555 0142"))
    with session_scope() as s:
        assert s.exec(select(Client.phone_number).where(Client.email == "new@example.com")).one() == "514 555 0142"


def test_a_field_longer_than_its_column_is_refused_not_cut(world):
    _enable(world["ra"])
    with pytest.raises(ValidationFailed) as e:
        signup.sign_up(world["ra"], dict(GOOD, lastname="N" * 81))
    assert "80" in e.value.errors["lastname"]


def test_signups_and_reset_requests_are_rate_limited_per_ip_and_per_address(engine):
    """Issue 15 #12: the public forms email any address: counted per visitor IP and per email address."""
    from reseller_app.services.access import abuse

    for n in range(abuse.LIMITS["signup"]["portal-ip"]):
        abuse.check("signup", 1, "203.0.113.9", f"a{n}@example.com")
    with pytest.raises(ValidationFailed) as e:
        abuse.check("signup", 1, "203.0.113.9", "fresh@example.com")
    assert e.value.errors["email"] == abuse.TOO_MANY
    abuse.check("signup", 1, "203.0.113.10", "fresh@example.com")  # another visitor is not held back
    for _ in range(abuse.LIMITS["reset"]["to"]):
        assert abuse.check("reset", 1, "", "victim@example.com")
    # One inbox, whatever the portal or IP: past its limit nothing more is sent (the visitor sees the usual answer).
    assert not abuse.check("reset", 2, "198.51.100.1", "Victim@Example.com")


def test_a_client_who_signs_up_in_spanish_keeps_spanish_and_gets_the_email_in_it(world):
    from reseller_app.i18n import use_language

    _enable(world["ra"])
    with use_language("es_MX"):
        answer = signup.sign_up(world["ra"], GOOD)
        with pytest.raises(ValidationFailed) as e:
            signup.sign_up(world["ra"], {**GOOD, "email": "not-an-email", "password": "x"})
    assert answer.startswith("Gracias.")
    assert e.value.errors == {
        "email": "Escribe un correo electrónico válido.",
        "password": "Usa al menos 8 caracteres.",
    }
    with session_scope() as s:
        client = s.exec(select(Client).where(Client.email == GOOD["email"].lower())).one()
        mail = s.exec(select(OutboundEmail)).one()
    assert client.language == "es_MX"
    assert mail.subject == "Tu cuenta está pendiente de activación"
