"""Forgot-password: same answer for unknown emails, single-use one-hour tokens, both emails, reseller's switch."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, LoginSession, OutboundEmail, PasswordResetToken, ResellerSettings, utcnow
from reseller_app.services.access import auth, password_reset
from reseller_app.services.access.security import hash_password
from reseller_app.services.common.errors import AuthFailed, Forbidden, ValidationFailed

NEW = "brand-new-pass-1"


@pytest.fixture()
def client(world):
    with session_scope() as s:
        c = s.get(Client, world["c"])
        c.password_hash = hash_password("old-password-1")
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == world["ra"])).one()
        st.reset_url_subject = "Reset for [firstname]"
        st.reset_url_body = "Hi [firstname] [lastname], go to [url] now."
        st.reset_done_subject = "Done, [firstname]"
        st.reset_done_body = "Password changed for [lastname]."
    return world


def _mails() -> list[OutboundEmail]:
    with session_scope() as s:
        return list(s.exec(select(OutboundEmail).order_by(OutboundEmail.id)).all())


def _token_from(mail: OutboundEmail) -> str:
    from reseller_app.notify.outbox import with_secrets

    # The outbox keeps the token apart from the body until the mail is sent (what the sender puts back).
    return unquote(re.search(r"token=([^\s]+)", with_secrets(mail.body_text, mail.secrets)).group(1))


def test_reset_sends_the_resellers_email_and_changes_the_password_once(client):
    ra = client["ra"]
    old_session = auth.login_client(ra, "c@example.com", "old-password-1")
    answer = password_reset.request_reset(ra, "C@Example.com")
    assert answer == password_reset.SENT
    [mail] = _mails()
    assert mail.to_addr == "c@example.com" and mail.subject == "Reset for Cy"
    assert mail.body_text.startswith("Hi Cy Cole, go to http") and f"/r/{ra}/reset?token=" in mail.body_text
    token = _token_from(mail)
    with session_scope() as s:
        stored = s.exec(select(PasswordResetToken)).one()
        assert stored.token_hash != token and token not in stored.token_hash  # only the hash is stored
        assert timedelta(minutes=59) < stored.expires_at - utcnow() <= timedelta(hours=1)
    assert password_reset.token_valid(ra, token)

    password_reset.complete_reset(ra, token, NEW, NEW)
    done = _mails()[-1]
    assert done.subject == "Done, Cy" and done.body_text == "Password changed for Cole."
    assert auth.login_client(ra, "c@example.com", NEW)
    with pytest.raises(AuthFailed):
        auth.login_client(ra, "c@example.com", "old-password-1")
    assert auth.resolve(old_session, "client", ra) is None  # sessions opened with the old password end
    # Single use.
    assert not password_reset.token_valid(ra, token)
    with pytest.raises(ValidationFailed) as e:
        password_reset.complete_reset(ra, token, "another-pass-2", "another-pass-2")
    assert "token" in e.value.errors


def test_unknown_email_gets_the_same_answer_and_no_mail(client):
    assert password_reset.request_reset(client["ra"], "nobody@example.com") == password_reset.SENT
    # A client of another reseller is unknown on this portal.
    assert password_reset.request_reset(client["ra"], "o@example.com") == password_reset.SENT
    assert _mails() == []


def test_bad_email_is_a_field_error(client):
    with pytest.raises(ValidationFailed) as e:
        password_reset.request_reset(client["ra"], "not an email")
    assert "email" in e.value.errors


def test_expired_token_is_refused(client, monkeypatch):
    ra = client["ra"]
    password_reset.request_reset(ra, "c@example.com")
    token = _token_from(_mails()[0])
    later = utcnow() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(password_reset, "utcnow", lambda: later)
    assert not password_reset.token_valid(ra, token)
    with pytest.raises(ValidationFailed):
        password_reset.complete_reset(ra, token, NEW, NEW)


def test_guessed_or_foreign_tokens_are_refused(client):
    ra, rb = client["ra"], client["rb"]
    for guess in ("", "x", "A" * 43, "A" * 500):
        assert not password_reset.token_valid(ra, guess)
        with pytest.raises(ValidationFailed):
            password_reset.complete_reset(ra, guess, NEW, NEW)
    password_reset.request_reset(ra, "c@example.com")
    token = _token_from(_mails()[0])
    # The token of reseller A's client does not work on reseller B's portal.
    assert not password_reset.token_valid(rb, token)
    with pytest.raises(ValidationFailed):
        password_reset.complete_reset(rb, token, NEW, NEW)


def test_a_new_request_spends_the_older_link_and_requests_are_capped(client):
    ra = client["ra"]
    password_reset.request_reset(ra, "c@example.com")
    first = _token_from(_mails()[0])
    password_reset.request_reset(ra, "c@example.com")
    second = _token_from(_mails()[1])
    assert not password_reset.token_valid(ra, first)
    assert password_reset.token_valid(ra, second)
    for _ in range(5):
        password_reset.request_reset(ra, "c@example.com")
    assert len(_mails()) == password_reset.MAX_LIVE_TOKENS


def test_weak_or_mismatched_password_changes_nothing(client):
    ra = client["ra"]
    password_reset.request_reset(ra, "c@example.com")
    token = _token_from(_mails()[0])
    with pytest.raises(ValidationFailed) as e:
        password_reset.complete_reset(ra, token, "short", "short")
    assert "password" in e.value.errors
    with pytest.raises(ValidationFailed) as e:
        password_reset.complete_reset(ra, token, NEW, NEW + "x")
    assert "confirm" in e.value.errors
    assert password_reset.token_valid(ra, token)
    assert auth.login_client(ra, "c@example.com", "old-password-1")


def test_refused_when_the_reseller_hides_forgot_password(client):
    ra = client["ra"]
    password_reset.request_reset(ra, "c@example.com")
    token = _token_from(_mails()[0])
    with session_scope() as s:
        s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == ra)).one().show_forgot_password = False
    assert not password_reset.reset_allowed(ra)
    with pytest.raises(Forbidden):
        password_reset.request_reset(ra, "c@example.com")
    with pytest.raises(Forbidden):
        password_reset.complete_reset(ra, token, NEW, NEW)
    assert len(_mails()) == 1


def test_waiting_account_gets_no_link(client):
    with session_scope() as s:
        s.get(Client, client["c"]).status = "WAIT"
    password_reset.request_reset(client["ra"], "c@example.com")
    assert _mails() == []
    with session_scope() as s:
        assert s.exec(select(LoginSession)).all() == []
