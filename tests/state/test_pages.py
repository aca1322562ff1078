"""Page states driven as the browser drives them: the sign-in decorator, the session cookies, honest refusals."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, Package, SubAccount
from reseller_app.services.access import auth
from reseller_app.state.clients.client_form import ClientFormState
from reseller_app.state.clients.manage import ManageState
from reseller_app.state.clients.numbers import NumbersState
from tests.security.states import call, root_state, substate

ROOT = Path(__file__).resolve().parents[2]
PW = "password-123"
NEW_CLIENT = {"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.com", "password": "client-pass-1"}


def test_the_session_cookies_live_as_long_as_session_hours_says():
    code = (
        "from reseller_app.state.session import SessionState\n"
        "fields = SessionState.get_fields()\n"
        "print(fields['reseller_token'].default.max_age, fields['client_token'].default.max_age)\n"
    )
    env = {**os.environ, "SESSION_HOURS": "3"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["10800", "10800"]


def test_signed_in_handlers_show_the_browser_only_their_own_parameters():
    """`actor` is filled in on the server: the browser neither sends it nor sees it in the handler's signature."""
    handler = NumbersState.event_handlers["set_kind"]
    assert list(inspect.signature(handler.fn).parameters) == ["self", "value"]
    assert "actor" not in handler._get_type_hints()


def test_a_visitor_without_a_session_is_sent_to_login_and_nothing_runs(engine):
    root = root_state({"client_id": "1"}, "/reseller/clients/1")
    state = substate(root, ManageState)
    answer = call(state, "load")
    assert "/login" in str(answer)
    assert state.cid == ""  # the handler's body did not run


def _reseller_tab(path: str, params: dict[str, str]):
    rid = auth.create_reseller("owner@example.com", PW)
    token = auth.login_reseller("owner@example.com", PW)
    return rid, root_state(params, path, {"reseller_token": token})


def _create_form(root, package_id: str = "none") -> ClientFormState:
    """The create form filled in, with a new sub-account "office" on `package_id`."""
    form = substate(root, ClientFormState)
    call(form, "load_new")
    for key, value in NEW_CLIENT.items():
        call(form, "set_field", key, value)
    call(form, "set_sub_choice", "new")
    call(form, "set_sub_name", "office")
    call(form, "set_sub_package", package_id)
    return form


def test_a_refused_sub_account_step_of_create_client_is_shown_on_the_new_clients_page(engine):
    rid, root = _reseller_tab("/reseller/clients/new", {})
    with session_scope() as s:
        pkg = Package(reseller_id=rid, name="Basic", pulse=6)
        s.add(pkg)
        s.flush()
        pkg_id = pkg.id
    form = _create_form(root, str(pkg_id))
    with session_scope() as s:  # the package goes (deleted in another tab) before the form is saved
        s.delete(s.get(Package, pkg_id))

    answer = call(form, "save")

    with session_scope() as s:
        client = s.exec(select(Client).where(Client.email == "ada@example.com")).one()
        assert s.exec(select(SubAccount).where(SubAccount.client_id == client.id)).all() == []
    assert f"/reseller/clients/{client.id}" in str(answer)  # the client exists: on to its manage page
    root.router.page.params["client_id"] = str(client.id)
    manage = substate(root, ManageState)
    call(manage, "load")
    assert manage.errors["subaccount"] == "The client was created, but not its sub-account: No such package."
    call(manage, "load")  # said once: opening the page again does not repeat it
    assert "subaccount" not in manage.errors


def test_a_sub_account_step_that_succeeds_leaves_no_message(engine):
    _rid, root = _reseller_tab("/reseller/clients/new", {})
    call(_create_form(root), "save")
    with session_scope() as s:
        client = s.exec(select(Client).where(Client.email == "ada@example.com")).one()
        assert len(s.exec(select(SubAccount).where(SubAccount.client_id == client.id)).all()) == 1
    root.router.page.params["client_id"] = str(client.id)
    manage = substate(root, ManageState)
    call(manage, "load")
    assert manage.errors == {} and len(manage.subs) == 1
