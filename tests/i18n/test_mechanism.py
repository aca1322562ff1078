"""The language mechanism: catalogues found by folder, the request's language, and who chooses it."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from reseller_app import i18n
from reseller_app.i18n import _, ngettext, use_language
from reseller_app.services.access import security


def test_the_languages_are_the_folders_of_catalogues_english_first():
    assert i18n.languages()[0] == "en"
    assert {"fr_CA", "es_MX"} <= set(i18n.languages())


def test_a_new_folder_of_catalogues_is_a_new_language_without_code(tmp_path, monkeypatch):
    """A fourth language: copy a language's folder, translate; the code discovers it."""
    shutil.copytree(i18n.LOCALES_DIR / "fr_CA", tmp_path / "fr_FR")
    shutil.copytree(i18n.LOCALES_DIR / "es_MX", tmp_path / "es_MX")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    for fn in (i18n.languages, i18n.translations, i18n.texts):
        fn.cache_clear()
    try:
        assert i18n.languages() == ("en", "es_MX", "fr_FR")
        with use_language("fr-fr"):
            assert _("Sign in") == "Se connecter"
    finally:
        monkeypatch.undo()
        for fn in (i18n.languages, i18n.translations, i18n.texts):
            fn.cache_clear()


def test_gettext_speaks_the_language_of_the_block_and_english_outside():
    assert _("Sign in") == "Sign in"
    with use_language("fr_CA"):
        assert _("Sign in") == "Se connecter"
        assert i18n.current_language() == "fr_CA"
        with use_language("es_MX"):
            assert _("Sign in") == "Iniciar sesión"
        assert _("Sign in") == "Se connecter"
    assert i18n.current_language() == "en"
    assert _("Sign in") == "Sign in"


def test_an_unknown_language_or_message_falls_back_to_english():
    with use_language("xx_YY") as code:
        assert code == "en"
        assert _("Sign in") == "Sign in"
    with use_language("fr_CA"):
        assert _("A message nobody translated") == "A message nobody translated"


def test_ngettext_picks_the_form_for_the_number():
    assert ngettext("{n} call", "{n} calls", 1) == "{n} call"
    assert ngettext("{n} call", "{n} calls", 2) == "{n} calls"


def test_a_service_message_is_in_the_callers_language():
    assert security.password_problem("short") == "Use at least 8 characters."
    with use_language("fr_CA"):
        assert security.password_problem("short") == "Utilisez au moins 8 caractères."
    with use_language("es_MX"):
        assert security.password_problem("short") == "Usa al menos 8 caracteres."


def test_a_thread_started_for_a_service_call_keeps_the_language():
    """Event handlers run slow service calls with asyncio.to_thread (or session.blocking): the context goes along."""

    async def run() -> str:
        with use_language("fr_CA"):
            return await asyncio.to_thread(security.password_problem, "x")

    assert asyncio.run(run()) == "Utilisez au moins 8 caractères."


def test_the_browser_texts_hold_the_translations_and_nothing_for_english():
    assert i18n.texts("en") == {}
    fr = i18n.texts("fr_CA")
    assert fr["Sign in"] == "Se connecter"
    assert "" not in fr


@pytest.mark.parametrize(
    ("header", "enabled", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.5", ["en", "fr_CA", "es_MX"], "fr_CA"),
        ("fr-FR,fr;q=0.9", ["en", "fr_CA", "es_MX"], "fr_CA"),  # French of France: the portal's French
        ("es-ES,es;q=0.8,en;q=0.2", ["en", "fr_CA", "es_MX"], "es_MX"),
        ("de-DE,en;q=0.5,fr;q=0.9", ["en", "fr_CA", "es_MX"], "fr_CA"),  # by weight, not by order
        ("es-MX", ["en", "fr_CA"], None),  # Spanish not enabled
        ("de-DE", ["en", "fr_CA"], None),
        ("", ["en", "fr_CA"], None),
        ("garbage;q=x,,;", ["en"], None),
    ],
)
def test_accept_language_is_matched_against_the_enabled_languages(header, enabled, expected):
    assert i18n.negotiate(header, enabled) == expected


def test_who_chooses_stored_then_login_cookie_then_browser_then_default():
    enabled = ["en", "fr_CA", "es_MX"]
    assert i18n.choose(enabled, "en", stored="es_MX", cookie="fr_CA", accept_language="fr") == "es_MX"
    assert i18n.choose(enabled, "en", cookie="fr_CA", accept_language="es") == "fr_CA"
    assert i18n.choose(enabled, "en", accept_language="es-MX") == "es_MX"
    assert i18n.choose(enabled, "fr_CA", accept_language="de") == "fr_CA"
    # A choice the reseller no longer offers gives way to the next rule; a default not offered to the first one.
    assert i18n.choose(["en", "fr_CA"], "en", stored="es_MX", accept_language="fr") == "fr_CA"
    assert i18n.choose(["fr_CA"], "es_MX") == "fr_CA"
    assert i18n.choose([], "es_MX") == "en"


def test_language_names_are_in_their_own_language():
    assert [i18n.language_name(c) for c in ("en", "fr_CA", "es_MX")] == ["English", "Français", "Español"]
