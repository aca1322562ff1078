"""Staff: invitation (single-use, 72 h, through the outbox), sign-in, roles × service families, disable and remove."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from sqlmodel import func, select

from reseller_app.db import session_scope
from reseller_app.models import AuditLog, Client, FreeZone, LedgerEntry, OutboundEmail, Reseller, StaffMember
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting.postings import manual_posting
from reseller_app.services.api import access as api_access
from reseller_app.services.catalog import free_zones
from reseller_app.services.clients import accounts
from reseller_app.services.common.errors import AuthFailed, Forbidden, NotFound, ValidationFailed
from reseller_app.services.settings import configuration
from reseller_app.services.staff import audit_log, members, roles
from reseller_app.services.staff.roles import ROLE_CAPABILITIES

PASSWORD = "staff-pass-123"


def _invite_token(email: str) -> str:
    with session_scope() as s:
        mail = s.exec(select(OutboundEmail).where(OutboundEmail.to_addr == email)).one()
        secrets = mail.secrets
        body = mail.body_text
    # The outbox keeps the live token apart from the body (notify/outbox.with_secrets); put it back as the sender does.
    from reseller_app.notify.outbox import with_secrets

    text = with_secrets(body, secrets)
    return unquote(re.search(r"token=(\S+)", text).group(1))


def _staff(world, role: str, email: str | None = None) -> tuple[int, str]:
    """Invite, accept and sign in a staff member of reseller A: (its id, a session token)."""
    email = email or f"{role}@example.com"
    sid = members.invite(world["actor_a"], email, role, name=role.title())
    members.accept(_invite_token(email), PASSWORD, PASSWORD)
    return sid, auth.login_reseller(email, PASSWORD, ip="198.51.100.5")


def test_invite_accept_and_sign_in_as_staff(world):
    sid, token = _staff(world, "support")
    actor = auth.resolve(token, "reseller")
    assert (actor.reseller_id, actor.staff_id, actor.staff_role) == (world["ra"], sid, "support")
    with session_scope() as s:
        owner_mail = s.exec(select(OutboundEmail).where(OutboundEmail.to_addr == "ra@example.com")).all()
        actions = s.exec(select(AuditLog.action, AuditLog.staff_id).order_by(AuditLog.id)).all()
    assert any("support@example.com" in m.body_text for m in owner_mail)  # the owner hears of the new staff member
    assert actions == [("staff_invite", None), ("staff_joined", sid), ("login", sid)]
    who = {r["action"]: r["who"] for r in audit_log.entries(world["actor_a"], {})["items"]}
    assert who["login"] == "Support Support" and who["staff_invite"] == "Owner"


def test_the_invitation_works_once_and_expires(world, monkeypatch):
    members.invite(world["actor_a"], "late@example.com", "billing")
    token = _invite_token("late@example.com")
    assert members.invitation(token)["role"] == "Billing"
    later = members.utcnow() + timedelta(hours=73)
    monkeypatch.setattr(members, "utcnow", lambda: later)
    with pytest.raises(ValidationFailed):
        members.accept(token, PASSWORD, PASSWORD)
    monkeypatch.undo()
    members.accept(token, PASSWORD, PASSWORD)
    with pytest.raises(ValidationFailed):
        members.accept(token, "other-pass-456", "other-pass-456")  # single use
    assert members.invitation(token) is None
    auth.login_reseller("late@example.com", PASSWORD)
    with pytest.raises(AuthFailed):
        auth.login_reseller("late@example.com", "other-pass-456")


def test_an_address_with_a_login_cannot_be_invited(world):
    with pytest.raises(ValidationFailed):
        members.invite(world["actor_a"], "rb@example.com", "admin")  # another reseller's owner
    members.invite(world["actor_a"], "x@example.com", "admin")
    with pytest.raises(ValidationFailed):
        members.invite(world["actor_a"], "X@example.com", "support")
    with pytest.raises(ValidationFailed):
        members.invite(world["actor_a"], "y@example.com", "owner")


def _ledger_count() -> int:
    with session_scope() as s:
        return s.exec(select(func.count(LedgerEntry.id))).one()


def _zones() -> int:
    with session_scope() as s:
        return s.exec(select(func.count(FreeZone.id))).one()


# One change per service family: (capability, call, how many rows it changed, as a function of the world).
FAMILIES = {
    roles.MONEY: (lambda a, w: manual_posting(a, w["c"], "payment", "5", "cash"), lambda w: _ledger_count()),
    roles.PACKAGES: (lambda a, w: free_zones.add_free_zone(a, w["pkg"], "country", "CA"), lambda w: _zones()),
    roles.CLIENTS: (
        lambda a, w: accounts.set_low_balance(a, w["c"], "15", "c@example.com"),
        lambda w: _client(w).low_balance_threshold,
    ),
    roles.CONFIGURATION: (lambda a, w: configuration.set_active(a, False), lambda w: _reseller(w).portal_active),
    roles.API: (
        lambda a, w: api_access.set_password(a, "Api-pass-123456", "Api-pass-123456"),
        lambda w: _count(AuditLog, AuditLog.action == "api_password"),
    ),
    roles.STAFF: (
        lambda a, w: members.invite(a, f"new-{a.staff_role}@example.com", "readonly"),
        lambda w: _count(StaffMember, StaffMember.role == "readonly"),
    ),
}


def _client(w):
    with session_scope() as s:
        return s.get(Client, w["c"])


def _reseller(w):
    with session_scope() as s:
        return s.get(Reseller, w["ra"])


def _count(model, cond) -> int:
    with session_scope() as s:
        return s.exec(select(func.count()).select_from(model).where(cond)).one()


@pytest.mark.parametrize("role", list(ROLE_CAPABILITIES))
@pytest.mark.parametrize("capability", list(FAMILIES))
def test_each_role_on_each_service_family(world, role, capability):
    """A role without the capability is refused politely and nothing changes; a role with it goes through."""
    call, state = FAMILIES[capability]
    actor = Actor("reseller", world["ra"], staff_id=None if role == "owner" else 1, staff_role=role)
    before = state(world)
    if capability in ROLE_CAPABILITIES[role]:
        call(actor, world)
        assert state(world) != before
    else:
        with pytest.raises(Forbidden, match=r"Your role \(.+\) does not allow you to"):
            call(actor, world)
        assert state(world) == before


def test_the_matrix_is_the_issues():
    caps = ROLE_CAPABILITIES
    assert caps["owner"] == set(roles.CAPABILITIES)
    assert caps["admin"] == set(roles.CAPABILITIES) - {roles.STAFF, roles.API}
    assert caps["support"] == {roles.CLIENTS}
    assert caps["billing"] == {roles.MONEY}
    assert caps["readonly"] == set()


def test_a_real_support_session_can_read_and_not_post(world):
    _sid, token = _staff(world, "support")
    actor = auth.resolve(token, "reseller")
    assert accounts.client_details(actor, world["c"])["email"] == "c@example.com"
    before = _ledger_count()
    with pytest.raises(Forbidden):
        manual_posting(actor, world["c"], "payment", "5", "cash")
    assert _ledger_count() == before
    auth.impersonate_client(actor, world["c"])  # support may log in as a client


def test_change_role_disable_and_remove_end_sessions_at_once(world):
    sid, token = _staff(world, "billing")
    members.change_role(world["actor_a"], sid, "readonly")
    assert auth.resolve(token, "reseller").staff_role == "readonly"
    members.set_enabled(world["actor_a"], sid, False)
    assert auth.resolve(token, "reseller") is None
    with pytest.raises(AuthFailed):
        auth.login_reseller("billing@example.com", PASSWORD)
    members.set_enabled(world["actor_a"], sid, True)
    token = auth.login_reseller("billing@example.com", PASSWORD)
    members.remove(world["actor_a"], sid)
    assert auth.resolve(token, "reseller") is None
    with pytest.raises(AuthFailed):
        auth.login_reseller("billing@example.com", PASSWORD)
    assert [m["email"] for m in members.list_staff(world["actor_a"])] == []
    members.invite(world["actor_a"], "billing@example.com", "support")  # the address is free again
    acts = [r["action"] for r in audit_log.entries(world["actor_a"], {"kind": "staff"})["items"]]
    assert {"staff_role", "staff_disable", "staff_enable", "staff_remove"} <= set(acts)


def test_staff_of_another_reseller_and_staff_managing_staff_are_refused(world):
    sid, token = _staff(world, "admin")
    admin = auth.resolve(token, "reseller")
    with pytest.raises(Forbidden):
        members.change_role(admin, sid, "billing")
    with pytest.raises(NotFound):
        members.set_enabled(world["actor_b"], sid, False)
    with pytest.raises(NotFound):
        members.remove(world["actor_b"], sid)
    assert auth.resolve(token, "reseller").staff_role == "admin"


def _owner_mail(subject: str) -> list[OutboundEmail]:
    with session_scope() as s:
        return list(
            s.exec(
                select(OutboundEmail).where(OutboundEmail.to_addr == "ra@example.com", OutboundEmail.subject == subject)
            ).all()
        )


def test_the_owner_is_emailed_on_a_sign_in_from_a_new_address(world):
    subject = "A sign-in from a new address"
    auth.login_reseller("ra@example.com", "password-123", ip="203.0.113.1")  # the first sign-in: nothing to compare
    auth.login_reseller("ra@example.com", "password-123", ip="203.0.113.1")
    assert _owner_mail(subject) == []
    auth.login_reseller("ra@example.com", "password-123", ip="203.0.113.2")
    auth.login_reseller("ra@example.com", "password-123", ip="203.0.113.2")
    mails = _owner_mail(subject)
    assert len(mails) == 1 and "203.0.113.2" in mails[0].body_text
    _staff(world, "support")  # signs in from 198.51.100.5, new for this staff member
    assert "support@example.com" in _owner_mail(subject)[-1].body_text


def test_the_owner_is_emailed_when_the_api_password_changes(world):
    api_access.set_password(Actor("reseller", world["ra"], ip="192.0.2.9"), "Api-pass-123456", "Api-pass-123456")
    mails = _owner_mail("Your API password was changed")
    assert len(mails) == 1 and "192.0.2.9" in mails[0].body_text


def test_the_owner_can_require_two_factor_sign_in_for_staff(world):
    import pyotp

    from reseller_app.services.access import two_factor

    _sid, token = _staff(world, "billing")
    with pytest.raises(Forbidden):
        members.require_two_factor(auth.resolve(token, "reseller"), True)  # only the owner
    members.require_two_factor(world["actor_a"], True)
    actor = auth.resolve(token, "reseller")
    before = _ledger_count()
    with pytest.raises(Forbidden, match="requires two-factor sign-in"):
        manual_posting(actor, world["c"], "payment", "5", "cash")
    assert _ledger_count() == before
    assert accounts.client_details(actor, world["c"])["email"] == "c@example.com"  # reads still work
    secret = two_factor.begin(actor)["secret"]
    two_factor.confirm(actor, pyotp.TOTP(secret).now())
    manual_posting(auth.resolve(token, "reseller"), world["c"], "payment", "5", "cash")
    assert _ledger_count() == before + 1
