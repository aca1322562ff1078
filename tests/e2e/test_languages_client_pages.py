"""The client's Messages, Phone system, Call flows and Invoices pages in French, at 1280 and 390 px (issue 21).

A browser that asks for Canadian French gets the login page in French; the pages keep the tab's language. The
texts of the pages, the live counter, the phone system's tabs and lists and the call-flow diagram are French, and
nothing sticks out sideways on a phone (French words are longer). Read-only: the other browser tests' data stays.
Screenshots go to a temporary folder (I18N_SHOTS to keep them).
"""

from __future__ import annotations

import os
import re
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.seed import PASSWORD
from tests.e2e.seeds.callflows import CLIENT_EMAIL as PBX_EMAIL

pytestmark = [pytest.mark.e2e]

WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


@pytest.fixture()
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("I18N_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _french_client(browser, app_server, rid: int, email: str, viewport: dict) -> Page:
    ctx = browser.new_context(base_url=app_server["base"], viewport=viewport, locale="fr-CA")
    page = ctx.new_page()
    page.set_default_timeout(20000)
    page.goto(f"/r/{rid}/login")
    expect(page.locator("#submit")).to_have_text("Se connecter")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))
    return page


def _open(page: Page, path: str) -> None:
    """Follow the menu's link to a page (in the tab: its language goes along)."""
    page.locator(f'a[href$="/{path}"]').first.click()
    expect(page).to_have_url(re.compile(rf"/{path}/?$"))


def _shoot(page: Page, shots: Path, name: str) -> None:
    """A screenshot of the page; on a phone, nothing may stick out sideways."""
    width = page.viewport_size["width"]
    page.screenshot(path=str(shots / f"fr-{name}-{width}.png"), full_page=True)
    if width <= PHONE["width"]:
        assert page.evaluate("() => document.scrollingElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_messages_page_in_french(browser, app_server, shots, viewport):
    page = _french_client(browser, app_server, app_server["ids"]["sms_reseller"], "sms-ann@example.com", viewport)
    try:
        _open(page, "messages")
        expect(page.get_by_role("heading", name="Messages")).to_be_visible()
        expect(page.get_by_text("Nouveau message", exact=True)).to_be_visible()
        expect(page.get_by_text("Vos numéros", exact=True)).to_be_visible()
        expect(page.get_by_text("Textos activés")).to_be_visible()
        expect(page.locator("#msg-search")).to_have_attribute("placeholder", "Rechercher un texte ou un numéro")
        expect(page.locator("#msg-counter")).to_have_text("0 caractère · jusqu'à 10 parties")
        page.locator("#msg-text").fill("a" * 161)
        expect(page.locator("#msg-counter")).to_contain_text("161 unités GSM-7 · 2 parties")
        _shoot(page, shots, "messages")
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_phone_system_and_call_flows_in_french(browser, app_server, shots, viewport):
    page = _french_client(browser, app_server, app_server["ids"]["pbx"], PBX_EMAIL, viewport)
    try:
        _open(page, "phone-system")
        expect(page.locator("#tab-tc")).to_have_text("Conditions horaires")
        expect(page.locator("#tab-grp")).to_have_text("Groupes de sonnerie")
        page.locator("#tab-tc").click()
        page.locator("#new-object").click()
        expect(page.locator("#object-form")).to_contain_text("Règle 1 : du")
        expect(page.locator("#f-rule_1_from")).to_contain_text("lun")
        expect(page.locator("#save-object")).to_have_text("Enregistrer")
        _shoot(page, shots, "phone-system")

        _open(page, "call-flows")
        expect(page.locator("#number-list")).to_contain_text("Les appels vont à")
        expect(page.locator("#flow-diagram")).to_contain_text("Numéro +1")
        expect(page.locator("#flow-diagram")).to_contain_text("appels")
        expect(page.locator("#save-routing")).to_have_text("Enregistrer l'acheminement")
        page.locator("#simulate").click()
        expect(page.locator("#sim-ended")).to_contain_text("Fin : ")
        _shoot(page, shots, "call-flows")
    finally:
        page.context.close()


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_invoices_page_in_french(browser, app_server, shots, viewport):
    page = _french_client(browser, app_server, app_server["ids"]["m"], "tremblay@example.com", viewport)
    try:
        _open(page, "invoices")
        expect(page.get_by_role("heading", name="Factures")).to_be_visible()
        expect(page.get_by_text("Relevé de compte")).to_be_visible()
        expect(page.get_by_text("Solde d'ouverture :")).to_be_visible()
        # The charge's own line (another test may have credited it: "INV-…: Credit: Installation visit").
        expect(page.get_by_role("cell", name="Installation visit", exact=True)).to_be_visible()
        expect(page.locator("#st-show")).to_have_text("Afficher")
        expect(page.locator("#st-from")).to_have_attribute("aria-label", "Du")
        _shoot(page, shots, "invoices")
    finally:
        page.context.close()


def test_a_french_clients_balance_and_invoice(browser, app_server, shots):
    """gilles@ (French, stored): the system's ledger words in French, the reseller's as typed; the invoice's page and
    PDF in French (seed: tests/e2e/seeds/languages.py)."""
    rid = app_server["ids"]["lang_rid"]
    page = _french_client(browser, app_server, rid, "gilles@example.com", WIDE)
    try:
        expect(page.locator("html")).to_have_attribute("lang", "fr-CA")
        _open(page, "balance")
        table = page.locator("#transactions")
        expect(table).to_contain_text("Dépôt par carte")
        expect(table).to_contain_text("Appel vers 14185550000 (65 s)")
        expect(table).to_contain_text(
            re.compile(r"Numéro de téléphone 15145550199 \(du 1 nov\. 2026 au 1 déc\. 2026\)")
        )
        expect(table).to_contain_text("Installation visit")  # the reseller's own words
        assert "Card deposit" not in table.inner_text() and "Call to" not in table.inner_text()
        _shoot(page, shots, "balance")

        _open(page, "invoices")
        expect(page.locator("#view-INV-000001")).to_be_visible()
        pdf = page.request.get(f"/api/client/{rid}/invoices/INV-000001.pdf")
        assert pdf.ok
        text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.body())).pages)
        assert "Facture INV-000001" in text and "Sous-total" in text and "Page 1 de 1" in text, text
        page.goto(f"/api/client/{rid}/invoices/INV-000001.html")
        expect(page.locator("html")).to_have_attribute("lang", "fr-CA")
        body = page.locator("body")
        expect(body).to_contain_text("Facturer à")
        expect(body).to_contain_text("Appels sortants (2 appels)")
        expect(body).to_contain_text("Sous-total")
        expect(body).to_contain_text("Installation visit")
        _shoot(page, shots, "invoice")
    finally:
        page.context.close()
