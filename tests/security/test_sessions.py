"""Session fixation and expiry, through the same event handlers the browser calls, checked on the server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reflex.istate.data import PageData, ReflexURL, RouterData
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, LoginSession, Reseller, utcnow
from reseller_app.services.access import auth, password_reset
from reseller_app.services.access.security import hash_password, new_token
from reseller_app.state.access.login import LoginState
from reseller_app.state.portal.dashboard import DashboardState
from reseller_app.state.portal.reset import ResetState
from reseller_app.state.portal.shell import PortalState
from reseller_app.state.reporting.overview import ResellerState
from reseller_app.state.session import SessionState
from tests.security.states import call, root_state, substate

PW = "password-123"


@pytest.fixture()
def portals(engine):
    """Two resellers with portals on; reseller A has clients X and Y, reseller B has client Z."""
    ra = auth.create_reseller("ra@example.com", PW)
    rb = auth.create_reseller("rb@example.com", PW)
    with session_scope() as s:
        for rid in (ra, rb):
            s.get(Reseller, rid).portal_active = True
        for rid, email in ((ra, "x@example.com"), (ra, "y@example.com"), (rb, "z@example.com")):
            s.add(Client(reseller_id=rid, email=email, firstname="C", password_hash=hash_password(PW)))
    return {"ra": ra, "rb": rb}


def _live_sessions() -> list[LoginSession]:
    with session_scope() as s:
        return list(s.exec(select(LoginSession).where(LoginSession.revoked_at.is_(None))).all())


def test_a_planted_reseller_token_is_never_a_session_and_login_issues_a_new_one(portals):
    planted = new_token()  # what an attacker would set in the victim's cookie before the login
    root = root_state({}, "/login", {"reseller_token": planted, "client_token": planted})
    assert auth.resolve(planted, "reseller") is None
    guard = call(substate(root, ResellerState), "guard")
    assert "login" in str(guard)  # the planted token opens nothing

    call(substate(root, LoginState), "reseller_login", {"email": "ra@example.com", "password": PW})
    issued = substate(root, SessionState).reseller_token
    assert issued and issued != planted
    assert auth.resolve(issued, "reseller") is not None
    # The planted value is still no session, and was not adopted server-side.
    assert auth.resolve(planted, "reseller") is None
    assert len(_live_sessions()) == 1


def test_a_planted_client_token_is_replaced_at_client_login(portals):
    ra = portals["ra"]
    planted = new_token()
    root = root_state({"rid": str(ra)}, f"/r/{ra}/login", {"client_token": planted})
    call(substate(root, LoginState), "client_login", {"email": "x@example.com", "password": PW})
    issued = substate(root, SessionState).client_token
    assert issued != planted and auth.resolve(issued, "client", ra) is not None
    assert auth.resolve(planted, "client", ra) is None


def test_each_login_gets_its_own_token(portals):
    first = auth.login_reseller("ra@example.com", PW)
    second = auth.login_reseller("ra@example.com", PW)
    assert first != second
    assert auth.resolve(first, "reseller") is not None and auth.resolve(second, "reseller") is not None


def test_logout_revokes_on_the_server_so_a_copied_token_is_dead(portals):
    ra = portals["ra"]
    token = auth.login_reseller("ra@example.com", PW)
    copied = token  # e.g. a stolen cookie: the browser forgetting it is not enough
    root = root_state({}, "/reseller", {"reseller_token": token})
    call(substate(root, SessionState), "reseller_logout")
    assert substate(root, SessionState).reseller_token == ""
    assert auth.resolve(copied, "reseller") is None
    again = root_state({}, "/reseller", {"reseller_token": copied})
    assert "login" in str(call(substate(again, ResellerState), "guard"))

    client_token = auth.login_client(ra, "x@example.com", PW)
    root = root_state({"rid": str(ra)}, f"/r/{ra}/dashboard", {"client_token": client_token})
    call(substate(root, SessionState), "client_logout")
    assert auth.resolve(client_token, "client", ra) is None


def test_an_expired_session_is_refused_by_the_server_whatever_the_cookie_says(portals):
    ra = portals["ra"]
    reseller_token = auth.login_reseller("ra@example.com", PW)
    client_token = auth.login_client(ra, "x@example.com", PW)
    with session_scope() as s:
        for row in s.exec(select(LoginSession)).all():
            row.expires_at = utcnow() - timedelta(seconds=1)
    assert auth.resolve(reseller_token, "reseller") is None
    assert auth.resolve(client_token, "client", ra) is None
    root = root_state(
        {"rid": str(ra)}, f"/r/{ra}/dashboard", {"reseller_token": reseller_token, "client_token": client_token}
    )
    assert "login" in str(call(substate(root, ResellerState), "guard"))
    assert "login" in str(call(substate(root, DashboardState), "load"))
    assert substate(root, PortalState).summary == {}


def test_sessions_last_no_longer_than_configured(portals):
    auth.login_reseller("ra@example.com", PW)
    [row] = _live_sessions()
    assert row.expires_at - utcnow() <= timedelta(hours=12)


def test_a_client_session_is_not_a_reseller_session_nor_valid_on_another_portal(portals):
    ra, rb = portals["ra"], portals["rb"]
    token = auth.login_client(ra, "x@example.com", PW)
    assert auth.resolve(token, "reseller") is None
    assert auth.resolve(token, "client", rb) is None
    # Impersonation tokens are client sessions too: never a way back into the reseller role.
    imp = auth.impersonate_client(
        auth.resolve(auth.login_reseller("ra@example.com", PW), "reseller"), _client_id("x@example.com")
    )
    assert auth.resolve(imp, "reseller") is None


def _client_id(email: str) -> int:
    with session_scope() as s:
        return s.exec(select(Client).where(Client.email == email)).one().id


def _reset_root(rid: int, token: str):
    root = root_state({"rid": str(rid)}, f"/r/{rid}/reset")
    root.router = RouterData(
        _page=PageData(path=f"/r/{rid}/reset", params={"rid": str(rid)}),
        url=ReflexURL(f"http://portal.test/r/{rid}/reset?token={token}"),
    )
    return root


def _hash(email: str) -> str:
    with session_scope() as s:
        return s.exec(select(Client).where(Client.email == email)).one().password_hash


def _reset_token(rid: int, email: str) -> str:
    """Request a reset and read the raw token from the queued mail."""
    import re
    from urllib.parse import unquote

    from reseller_app.models import OutboundEmail

    password_reset.request_reset(rid, email)
    with session_scope() as s:
        mail = s.exec(
            select(OutboundEmail).where(OutboundEmail.to_addr == email).order_by(OutboundEmail.id.desc())
        ).first()
    from reseller_app.notify.outbox import with_secrets

    return unquote(re.search(r"token=([^\s&]+)", with_secrets(mail.body_text, mail.secrets)).group(1))


def test_a_reset_link_changes_only_its_own_clients_password_and_only_on_its_portal(portals):
    ra, rb = portals["ra"], portals["rb"]
    token = _reset_token(ra, "x@example.com")
    before = {e: _hash(e) for e in ("x@example.com", "y@example.com", "z@example.com")}
    form = {"password": "brand-new-pass-1", "confirm": "brand-new-pass-1"}

    # On another reseller's portal the link is dead and nothing changes.
    wrong = _reset_root(rb, token)
    call(substate(wrong, ResetState), "load_reset")
    assert substate(wrong, ResetState).link_ok is False
    call(substate(wrong, ResetState), "change_password", form)
    assert "token" in substate(wrong, ResetState).errors
    assert {e: _hash(e) for e in before} == before

    # On its own portal it changes X's password and nobody else's, and logs nobody in.
    right = _reset_root(ra, token)
    call(substate(right, ResetState), "change_password", form)
    assert substate(right, ResetState).done is True
    assert _hash("x@example.com") != before["x@example.com"]
    assert _hash("y@example.com") == before["y@example.com"] and _hash("z@example.com") == before["z@example.com"]
    assert substate(right, SessionState).client_token == ""

    # Spent: a second use through the page changes nothing.
    changed = _hash("x@example.com")
    again = _reset_root(ra, token)
    call(substate(again, ResetState), "change_password", {"password": "other-pass-22", "confirm": "other-pass-22"})
    assert "token" in substate(again, ResetState).errors and _hash("x@example.com") == changed


def test_an_expired_reset_link_is_refused_through_the_page(portals, monkeypatch):
    ra = portals["ra"]
    token = _reset_token(ra, "y@example.com")
    before = _hash("y@example.com")
    later = utcnow() + timedelta(hours=1, minutes=1)
    monkeypatch.setattr(password_reset, "utcnow", lambda: later)
    root = _reset_root(ra, token)
    call(substate(root, ResetState), "change_password", {"password": "brand-new-pass-1", "confirm": "brand-new-pass-1"})
    assert "token" in substate(root, ResetState).errors and _hash("y@example.com") == before


# --- issue 15: sessions end with a password change, impersonations with their reseller session, logout forgets ---


def test_a_password_set_by_the_reseller_or_the_api_ends_the_clients_sessions(portals):
    from reseller_app.services.api import methods
    from reseller_app.services.clients import accounts

    ra = portals["ra"]
    reseller = auth.resolve(auth.login_reseller("ra@example.com", PW), "reseller")
    cid = _client_id("x@example.com")
    for change in (
        lambda: accounts.update_client(
            reseller, cid, {"firstname": "C", "email": "x@example.com", "password": "new-password-1"}
        ),
        lambda: methods.METHODS["setClient"](
            reseller,
            {
                "client": str(cid),
                "email": "x@example.com",
                "firstname": "C",
                "lastname": "X",
                "phone_number": "15145550100",
                "password": "new-password-2",
            },
        ),
    ):
        with session_scope() as s:  # the previous round changed it: the client signs in with PW again
            s.get(Client, cid).password_hash = hash_password(PW)
        imp = auth.impersonate_client(reseller, cid)
        browser = auth.login_client(ra, "x@example.com", PW)
        assert auth.resolve(browser, "client", ra) is not None and auth.resolve(imp, "client", ra) is not None
        change()
        assert auth.resolve(browser, "client", ra) is None
        assert auth.resolve(imp, "client", ra) is None
    # The reseller's own session is untouched, and the other clients' too.
    assert auth.resolve(auth.login_client(ra, "y@example.com", PW), "client", ra) is not None


def test_an_impersonation_ends_with_the_reseller_session_and_lasts_an_hour_at_most(portals, monkeypatch):
    ra = portals["ra"]
    cid = _client_id("x@example.com")
    reseller_token = auth.login_reseller("ra@example.com", PW)
    imp = auth.impersonate_client(auth.resolve(reseller_token, "reseller"), cid)
    with session_scope() as s:
        row = s.exec(select(LoginSession).where(LoginSession.impersonated_by.is_not(None))).one()
        assert row.expires_at - utcnow() <= timedelta(hours=1)
    assert auth.resolve(imp, "client", ra) is not None
    later = utcnow() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    assert auth.resolve(reseller_token, "reseller") is not None  # the reseller is still in
    assert auth.resolve(imp, "client", ra) is None  # the impersonation is not
    monkeypatch.undo()
    # Logging the reseller out ends the "Login as client" sessions it opened, through the logout handler.
    imp = auth.impersonate_client(auth.resolve(reseller_token, "reseller"), cid)
    root = root_state({}, "/reseller", {"reseller_token": reseller_token, "client_token": imp})
    call(substate(root, SessionState), "reseller_logout")
    assert auth.resolve(imp, "client", ra) is None
    # A revoked reseller session cannot open a new one either.
    with pytest.raises(Exception, match="Not found|No such"):
        auth.impersonate_client(auth.Actor("reseller", ra, session_id=_session_id(reseller_token)), cid)


def _session_id(token: str) -> int:
    from reseller_app.services.access.security import token_hash

    with session_scope() as s:
        return s.exec(select(LoginSession).where(LoginSession.token_hash == token_hash(token))).one().id


@pytest.mark.parametrize("value", [1, 0, ["x"], {"a": 1}, True, "x" * 500])
def test_client_storage_values_of_another_type_are_no_session(portals, value):
    root = root_state({"rid": str(portals["ra"])}, "/reseller", {"reseller_token": value, "client_token": value})
    assert "login" in str(call(substate(root, ResellerState), "guard"))
    assert "login" in str(call(substate(root, DashboardState), "load"))
    assert auth.resolve(value, "reseller") is None


def test_logout_forgets_the_tabs_data(portals):
    from reseller_app.state.clients.manage import ManageState

    ra = portals["ra"]
    cid = _client_id("x@example.com")
    token = auth.login_reseller("ra@example.com", PW)
    root = root_state({"client_id": str(cid)}, f"/reseller/clients/{cid}", {"reseller_token": token})
    manage = substate(root, ManageState)
    call(manage, "load")
    assert "x@example.com" in str(manage.dict())
    call(substate(root, SessionState), "reseller_logout")
    assert "x@example.com" not in str(root.dict())

    client_token = auth.login_client(ra, "x@example.com", PW)
    root = root_state({"rid": str(ra)}, f"/r/{ra}/dashboard", {"client_token": client_token})
    call(substate(root, DashboardState), "load")
    assert substate(root, PortalState).summary
    call(substate(root, SessionState), "client_logout")
    assert substate(root, PortalState).summary == {} and substate(root, SessionState).client_token == ""
