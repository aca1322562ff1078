"""The client portal in the client's language: the login page follows the browser, a client switches to French and
every page, amount, date and refusal is French; the reset email arrives in French; a reseller limits the languages.

Seed: tests/e2e/seeds/languages.py (reseller "Érable Téléphonie", CAD; léa with calls and 1 234,50 $).
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SHOTS
from tests.e2e.seed import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.screenshots]  # writes docs/screenshots under make screenshots

SPACE = r"[\s\u00a0\u202f]"  # Babel's French amounts and times use no-break spaces


def _login(page: Page, rid: int, email: str) -> None:
    page.goto(f"/r/{rid}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))


def _context(browser, app_server, locale: str = "en-US", width: int = 1280):
    return browser.new_context(
        base_url=app_server["base"], locale=locale, viewport={"width": width, "height": 860 if width > 500 else 844}
    )


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url


def test_the_login_page_follows_the_browser_until_a_language_is_picked(browser, app_server):
    rid = app_server["ids"]["lang_rid"]
    ctx = _context(browser, app_server, locale="fr-CA")
    page = ctx.new_page()
    page.goto(f"/r/{rid}/login")
    expect(page.locator("#submit")).to_have_text("Se connecter")
    expect(page.get_by_text("Mot de passe", exact=True)).to_be_visible()
    expect(page.locator("#lang-fr_CA")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("html")).to_have_attribute("lang", "fr-CA")  # the document's language follows the tab's
    page.locator("#lang-es_MX").click()
    expect(page.locator("#submit")).to_have_text("Iniciar sesión")
    expect(page.locator("html")).to_have_attribute("lang", "es-MX")
    page.reload()  # the choice is remembered (cookie) over the browser's language
    expect(page.locator("#submit")).to_have_text("Iniciar sesión")
    page.locator("#email").fill("lea@example.com")
    page.locator("#password").fill("wrong-password-1")
    page.locator("#submit").click()
    expect(page.locator("#login-error")).to_have_text("Correo electrónico o contraseña incorrectos.")
    ctx.close()


def test_a_client_switches_to_french_and_the_portal_speaks_french(page, app_server):
    rid = app_server["ids"]["lang_rid"]
    _login(page, rid, "lea@example.com")
    expect(page.get_by_role("heading", name="Hello, Léa")).to_be_visible()
    expect(page.locator("#balance")).to_have_text("CA$1,234.50")
    page.locator("#lang-fr_CA").click()
    # Stored for the client; the page comes back in French, amounts and dates in the French (Canada) forms.
    expect(page.get_by_role("heading", name="Bonjour, Léa")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr-CA")
    expect(page.locator("#balance")).to_have_text(re.compile(rf"^1{SPACE}234,50{SPACE}\$$"))
    expect(page.get_by_text("Appels récents")).to_be_visible()
    expect(page.get_by_role("link", name="Historique des appels")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    body = page.inner_text("body")
    assert re.search(rf"2026-11-04{SPACE}+10{SPACE}h{SPACE}00", body), body  # 15:00 UTC in Montréal
    assert re.search(rf"0,9300{SPACE}\$", body) and "Répondu" in body and "1:02:05" in body

    page.get_by_role("link", name="Historique des appels").click()
    expect(page.get_by_role("heading", name="Historique des appels")).to_be_visible()
    expect(page.locator("#call-total")).to_contain_text("Appels correspondants")
    expect(page.locator("#call-table")).to_contain_text("Sans réponse")
    expect(page.locator("#call-table")).to_contain_text("Occupé")
    page.locator("#f-from").fill("2026-11-10")
    page.locator("#f-to").fill("2026-11-01")
    page.locator("#apply-filters").click()
    expect(page.locator("#call-error")).to_have_text("La date de fin précède la date de début.")

    page.get_by_role("link", name="Solde").click()
    expect(page.get_by_text("Historique des transactions")).to_be_visible()
    expect(page.locator("#transactions")).to_contain_text("Paiement")
    expect(page.locator("#tx-label")).to_have_text("Page 1 de 1")

    page.get_by_role("link", name="Services").click()
    expect(page.get_by_text("Sous-comptes", exact=True)).to_be_visible()
    page.locator("#add-voicemail").click()
    expect(page.locator("#err-mailbox")).to_contain_text(re.compile("Entrez|Utilisez"))

    # The next visit (another browser, English) opens in the client's stored language.
    page.context.clear_cookies()
    _login(page, rid, "lea@example.com")
    expect(page.get_by_role("heading", name="Bonjour, Léa")).to_be_visible()


def test_the_reset_email_arrives_in_french(browser, app_server):
    rid = app_server["ids"]["lang_rid"]
    ctx = _context(browser, app_server, locale="fr-CA")
    page = ctx.new_page()
    page.goto(f"/r/{rid}/forgot")
    expect(page.locator("#send-link")).to_have_text("Envoyer le lien")
    page.locator("#email").fill("rene@example.com")
    page.locator("#send-link").click()
    expect(page.locator("#sent")).to_contain_text("Si un compte existe pour cette adresse")
    deadline = time.monotonic() + 30
    while not (mails := [m for m in list(app_server["mail"]) if m["To"] == "rene@example.com"]):
        assert time.monotonic() < deadline, "no reset email for rene@example.com"
        time.sleep(0.2)  # polling interval while the app's outbox delivers
    assert mails[0]["Subject"] == "Réinitialisez votre mot de passe"
    assert (
        mails[0]
        .get_content()
        .replace("\r\n", "\n")
        .startswith("Bonjour René Gagnon,\n\nUtilisez ce lien pour choisir un nouveau")
    )
    ctx.close()


def test_a_reseller_limits_the_languages_and_spanish_disappears(page, browser, app_server):
    rid = app_server["ids"]["lang_rid"]
    page.goto("/login")
    page.locator("#email").fill("reseller-l@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))
    page.goto("/reseller/configuration")
    page.locator("#tab-languages").click()
    expect(page.locator("#f-lang_es_MX")).to_be_checked()
    page.locator("#f-lang_es_MX").click()
    page.locator("#save-languages").click()
    expect(page.locator("#notice-languages")).to_have_text("Saved.")
    expect(page.locator("#texts-fr_CA")).to_be_visible()  # the enabled languages' texts, Spanish's gone
    expect(page.locator("#texts-es_MX")).to_have_count(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "config-languages.png"), full_page=True)

    visitor = _context(browser, app_server, locale="es-MX")
    login = visitor.new_page()
    login.goto(f"/r/{rid}/login")
    expect(login.locator("#lang-fr_CA")).to_be_visible()
    expect(login.locator("#lang-en")).to_be_visible()
    expect(login.locator("#lang-es_MX")).to_have_count(0)
    expect(login.locator("#submit")).to_have_text("Sign in")  # Spanish browser, Spanish off: the default
    visitor.close()

    page.locator("#f-lang_es_MX").click()  # back as it was for the other tests
    page.locator("#save-languages").click()
    expect(page.locator("#notice-languages")).to_have_text("Saved.")


def test_french_dashboard_and_call_history_fit_desktop_and_phone(browser, app_server):
    """README screenshots; the longer French words wrap instead of widening the page."""
    rid = app_server["ids"]["lang_rid"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, suffix in ((1280, ""), (390, "-phone")):
        ctx = _context(browser, app_server, locale="fr-CA", width=width)
        page = ctx.new_page()
        page.goto(f"/r/{rid}/login")
        page.locator("#lang-fr_CA").click()
        expect(page.locator("#submit")).to_have_text("Se connecter")
        _login(page, rid, "lea@example.com")
        expect(page.get_by_role("heading", name=re.compile("^Bonjour"))).to_be_visible()
        expect(page.locator("#balance")).to_have_text(re.compile(r",\d\d[\s\u00a0]\$$"))
        _no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / f"client-dashboard-fr{suffix}.png"), full_page=True)
        page.get_by_role("link", name="Historique des appels").click()
        expect(page.get_by_role("heading", name="Historique des appels")).to_be_visible()
        _no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / f"client-calls-fr{suffix}.png"), full_page=True)
        ctx.close()


@pytest.mark.parametrize("language", ["fr_CA", "es_MX"])
def test_every_client_page_fits_a_phone_in_french_and_spanish(browser, app_server, language):
    """Longer words: no page of the translated portal scrolls sideways at 390 px, and none shows an English label."""
    rid = app_server["ids"]["lang_rid"]
    ctx = _context(browser, app_server, locale=language.replace("_", "-"), width=390)
    page = ctx.new_page()
    for public in ("login", "forgot", "reset?token=x"):
        page.goto(f"/r/{rid}/{public}")
        expect(page.locator("#lang-" + language)).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#to-login, #submit").first).to_be_visible()
        _no_sideways_scroll(page)
    _login(page, rid, "sofia@example.com")
    page.locator(f"#lang-{language}").click()
    expect(page.locator(f"#lang-{language}")).to_have_attribute("aria-pressed", "true")
    for name in ("dashboard", "balance", "calls", "services"):
        page.goto(f"/r/{rid}/{name}")
        expect(page.locator("#client-logout")).to_have_text(
            "Se déconnecter" if language == "fr_CA" else "Cerrar sesión"
        )
        expect(page.locator("h1, h2").first).not_to_have_text(re.compile("^(Hello.*|Balance|Call history)$"))
        _no_sideways_scroll(page)
    ctx.close()
