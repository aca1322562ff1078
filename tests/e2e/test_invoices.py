"""Invoices in the browser: the reseller sets CAD and two taxes, the billing runs for a date, the client downloads
the PDF (read back with pypdf) and the invoice email arrives with the PDF attached."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.conftest import SHOTS
from tests.e2e.seed import PASSWORD
from tests.e2e.seeds.invoices import COMPANY

pytestmark = [pytest.mark.e2e, pytest.mark.screenshots]  # writes docs/screenshots under make screenshots
ROOT = Path(__file__).resolve().parents[2]


def _reseller_login(page) -> None:
    page.goto("/login")
    page.locator("#email").fill("reseller-m@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))


def _tax(page, i: int, name: str, rate: str, country: str, region: str = "") -> None:
    page.locator(f"#tax-{i}-name").fill(name)
    page.locator(f"#tax-{i}-rate").fill(rate)
    page.locator(f"#tax-{i}-country").fill(country)
    if region:
        page.locator(f"#tax-{i}-region").fill(region)


def test_reseller_sets_cad_and_taxes_billing_runs_client_downloads_the_pdf(page, browser, app_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    rid, today = app_server["ids"]["m"], datetime.now(UTC).date()
    _reseller_login(page)
    page.goto("/reseller/configuration")
    page.locator("#tab-billing").click()
    page.locator("#b-currency").select_option("CAD")
    page.locator("#b-legal_name").fill(COMPANY)
    page.locator("#b-address").fill("100 King St W\nToronto ON M5X 1A9")
    page.locator("#b-tax_numbers").fill("GST 123456789 RT0001 · QST 1234567890 TQ0001")
    page.locator("#add-tax").click()
    _tax(page, 0, "GST", "120", "CA")
    page.locator("#save-billing").click()
    # A rate over 100: refused beside the field, nothing saved.
    expect(page.locator("#err-tax_0_rate")).to_have_text("A rate is between 0 and 100.")
    expect(page.locator("#notice-billing")).to_have_text("Not saved: correct the fields marked in red.")
    page.locator("#tax-0-rate").fill("5")
    page.locator("#add-tax").click()
    _tax(page, 1, "QST", "9.975", "CA", "QC")
    page.locator("#tax-1-compound").click()
    page.locator("#save-billing").click()
    expect(page.locator("#notice-billing")).to_have_text("Saved.")
    expect(page.locator("#err-tax_0_rate")).to_have_count(0)

    # The billing run for a date: 25.00 package fee + 10.00 charge = 35.00; GST 1.75; QST (compound)
    # (35.00 + 1.75) × 9.975 % = 3.6658125 → 3.67; total 40.42.
    env = {**__import__("os").environ, "DATABASE_URL": app_server["database_url"]}
    run = subprocess.run(
        [sys.executable, "-m", "reseller_app", "invoices", "issue", "--today", today.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "INV-000001" in run.stdout

    client = browser.new_context(base_url=app_server["base"], viewport={"width": 1280, "height": 860})
    cp = client.new_page()
    cp.set_default_timeout(20000)
    cp.goto(f"/r/{rid}/login")
    cp.locator("#email").fill("tremblay@example.com")
    cp.locator("#password").fill(PASSWORD)
    cp.locator("#submit").click()
    expect(cp).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))
    expect(cp.locator("#balance")).to_have_text("-CA$40.42")  # the balance includes the taxes, in CAD
    cp.get_by_role("link", name="Invoices").click()
    expect(cp.locator("#invoices")).to_contain_text("INV-000001")
    expect(cp.locator("#invoices")).to_contain_text("CA$40.42")
    expect(cp.locator("#st-closing")).to_have_text("-CA$40.42")
    with cp.expect_download() as info:
        cp.locator("#pdf-INV-000001").click()
    assert info.value.suggested_filename == "INV-000001.pdf"
    text = "".join(p.extract_text() for p in PdfReader(info.value.path()).pages)
    assert "INV-000001" in text and "CA$40.42" in text and COMPANY in text
    assert "QST 9.975% (compound)" in text and "Boulangerie Tremblay" in text

    # The same invoice as an HTML page, for the README.
    cp.goto(f"/api/client/{rid}/invoices/INV-000001.html")
    expect(cp.get_by_text("CA$40.42").first).to_be_visible()
    cp.screenshot(path=str(SHOTS / "invoice.png"), full_page=True)
    client.close()

    # The reseller's list shows it, with its CSV and the PDF.
    page.get_by_role("link", name="Invoices").click()
    expect(page.locator("#invoice-table")).to_contain_text("INV-000001")
    expect(page.locator("#inv-totals")).to_contain_text("CA$40.42")
    with page.expect_download() as info:
        page.locator("#inv-export").click()
    rows = info.value.path().read_text().splitlines()
    assert rows[0].startswith("number,kind,") and rows[1].startswith("INV-000001,invoice,")
    assert rows[1].endswith(",CAD,35.0000,5.42,40.4200,")

    # The financial report shows the taxes collected this month.
    page.get_by_role("link", name="Reports").click()
    page.locator("#tab-financial").click()
    expect(page.locator("#taxes-table")).to_contain_text("GST")
    expect(page.locator("#taxes-table")).to_contain_text("CA$3.67")
    expect(page.locator("#taxes-chart")).to_be_visible()

    # A credit note for the installation visit, from the client's Manage page: 10.00 + GST 0.50 + QST 1.05.
    page.goto(f"/reseller/clients/{app_server['ids']['tremblay']}")
    page.locator("#credit-INV-000001").click()
    page.locator("#credit-line-2").click()
    page.locator("#credit-reason").fill("Visit not needed")
    page.locator("#credit-issue").click()
    expect(page.locator("#credit-notice")).to_have_text("Credit note INV-000002 issued.")
    expect(page.locator("#client-invoices")).to_contain_text("-CA$11.55")

    # The "Invoice" email goes out through the outbox with the PDF attached (the app's sender delivers it).
    deadline = time.monotonic() + 60
    mail = []
    while not mail and time.monotonic() < deadline:
        mail = [m for m in app_server["mail"] if m["Subject"] == "Invoice INV-000001"]
        if not mail:
            time.sleep(0.5)  # polling interval while the app's sender runs its round
    assert mail, "the invoice email did not arrive"
    pdfs = [a for a in mail[0].iter_attachments() if a.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_filename() == "INV-000001.pdf"
    assert "INV-000001" in "".join(p.extract_text() for p in PdfReader(BytesIO(pdfs[0].get_content())).pages)
