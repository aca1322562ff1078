"""The tab's language, driven as the browser drives the page states: the login page follows the browser's
Accept-Language, a client's choice is stored and the page reloads in it, reseller pages stay in English."""

from __future__ import annotations

import dataclasses

from reflex.istate.data import HeaderData

from reseller_app.db import session_scope
from reseller_app.models import Client
from reseller_app.services.access import auth
from reseller_app.services.access.security import hash_password
from reseller_app.state.access.login import LoginState
from reseller_app.state.i18n import I18nState
from reseller_app.state.portal.calls import CallsState
from reseller_app.state.portal.dashboard import DashboardState
from reseller_app.state.portal.shell import PortalState
from tests.security.states import call, root_state, substate

PW = "client-pass-1"


def _browser(root, accept_language: str):
    root.router = dataclasses.replace(root.router, headers=HeaderData(accept_language=accept_language))
    return root


def _client_tab(world, page: str = "dashboard"):
    with session_scope() as s:
        s.get(Client, world["c"]).password_hash = hash_password(PW)
    token = auth.login_client(world["ra"], "c@example.com", PW)
    return root_state({"rid": str(world["ra"])}, f"/r/{world['ra']}/{page}", {"client_token": token})


def test_the_login_page_speaks_the_browsers_language_and_the_picked_one(world):
    root = _browser(root_state({"rid": str(world["ra"])}, f"/r/{world['ra']}/login"), "fr-CA,fr;q=0.9,en;q=0.5")
    call(substate(root, LoginState), "load_portal")
    lang = substate(root, I18nState)
    assert lang.lang == "fr_CA" and lang.texts["Sign in"] == "Se connecter"
    assert [c["code"] for c in lang.choices] == ["en", "fr_CA", "es_MX"]
    call(lang, "pick", "es_MX")
    assert (lang.lang, lang.chosen, lang.texts["Sign in"]) == ("es_MX", "es_MX", "Iniciar sesión")
    call(lang, "pick", "de_DE")  # not offered: nothing changes
    assert lang.lang == "es_MX"
    call(substate(root, LoginState), "client_login", {"email": "c@example.com", "password": "wrong-pass-1"})
    assert substate(root, LoginState).error == "Correo electrónico o contraseña incorrectos."


def test_a_client_choice_is_stored_and_the_page_is_read_again_in_it(world):
    root = _client_tab(world)
    call(substate(root, DashboardState), "load")
    portal = substate(root, PortalState)
    assert portal.summary["balance"] == "$0.00"
    answer = call(portal, "choose_language", "fr_CA")
    assert "?lang=fr_CA" in str(answer)  # the page opens again
    with session_scope() as s:
        assert s.get(Client, world["c"]).language == "fr_CA"
    call(substate(root, DashboardState), "load")
    assert portal.summary["balance"] == "0,00\u00a0$\u00a0US"
    assert substate(root, I18nState).texts["Dashboard"] == "Tableau de bord"


def test_a_signed_in_handler_runs_in_the_tabs_language(world):
    with session_scope() as s:
        s.get(Client, world["c"]).language = "es_MX"
    root = _client_tab(world, "calls")
    calls = substate(root, CallsState)
    call(calls, "load")
    calls.f_from, calls.f_to = "2026-11-10", "2026-11-01"
    call(calls, "apply_filters")
    assert calls.error == "La fecha final es anterior a la fecha inicial."


def test_the_resellers_login_page_is_in_english_whatever_the_tab_showed(world):
    root = _browser(root_state({"rid": str(world["ra"])}, f"/r/{world['ra']}/login"), "fr-CA")
    call(substate(root, LoginState), "load_portal")
    assert substate(root, I18nState).lang == "fr_CA"
    call(substate(root, LoginState), "clear")  # the reseller's /login
    assert substate(root, I18nState).lang == "en" and substate(root, I18nState).texts == {}


def test_a_reseller_page_opened_in_a_tab_that_showed_french_is_english(world):
    from reseller_app.state.reporting.overview import ResellerState

    token = auth.login_reseller("ra@example.com", "password-123")
    root = root_state({}, "/reseller", {"reseller_token": token})
    lang = substate(root, I18nState)
    lang.lang, lang.texts = "fr_CA", {"Sign in": "Se connecter"}
    call(substate(root, ResellerState), "guard")
    assert lang.lang == "en" and lang.texts == {}
