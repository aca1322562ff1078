"""Reports in the browser, on the demo data: each report opens, the period changes, CSV totals match the screen."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from playwright.sync_api import Page, expect

from reseller_app.demo import RESELLER_EMAIL, RESELLER_PASSWORD
from tests.e2e.conftest import SHOTS

pytestmark = [pytest.mark.e2e, pytest.mark.screenshots]  # writes docs/screenshots under make screenshots


def _amount(text: str) -> Decimal:
    return Decimal(text.replace("$", "").replace(",", "").strip())


def _login(page: Page) -> None:
    page.goto("/login")
    page.locator("#email").fill(RESELLER_EMAIL)
    page.locator("#password").fill(RESELLER_PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))


def _export(page: Page) -> list[dict[str, str]]:
    with page.expect_download() as info:
        page.locator("#export-csv").click()
    path = info.value.path()
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    expect(page.locator("#export-status")).to_have_text(f"Exported {len(rows)} rows.")
    return rows


def test_every_report_on_the_demo_data(page: Page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    _login(page)
    page.get_by_role("link", name="Reports").click()
    count = page.locator("#total-count")
    expect(count).to_have_text(re.compile(r"^\d+$"))
    this_month = int(count.inner_text())
    # The demo's 320 calls span the last 40 days: widen the period to see them all.
    today = datetime.now(UTC).date()
    page.locator("#date-from").fill((today - timedelta(days=60)).isoformat())
    expect(count).to_have_text("320")
    assert this_month < 320
    expect(page.locator("#page-label")).to_have_text("Page 1 of 7")
    rows = _export(page)
    assert len(rows) == 320
    assert sum(Decimal(r["price"]) for r in rows) == _amount(page.locator("#total-price").inner_text())
    assert sum(Decimal(r["cost"]) for r in rows) == _amount(page.locator("#total-cost").inner_text())
    assert sum(Decimal(r["profit"]) for r in rows) == _amount(page.locator("#total-profit").inner_text())
    page.screenshot(path=str(SHOTS / "reports-global.png"))
    # Server-side sort: the most expensive call of the whole period comes first.
    page.locator("#sort-price").click()
    first_price = page.locator("#report-table tbody tr").first.locator("td").nth(8)
    expect(first_price).to_have_text(f"${max(Decimal(r['price']) for r in rows):,.4f}")

    page.locator("#tab-user").click()
    expect(page.locator("#report-message")).to_contain_text("Choose a client")
    page.locator("#client-filter").click()
    page.get_by_role("option", name=re.compile("Dana")).click()
    expect(count).to_have_text(re.compile(r"^\d+$"))
    dana = int(count.inner_text())
    assert 0 < dana < 320
    rows = _export(page)
    assert len(rows) == dana and {r["client"] for r in rows} == {"Dana Whitfield"}
    assert sum(Decimal(r["price"]) for r in rows) == _amount(page.locator("#total-price").inner_text())

    page.locator("#tab-fax").click()
    expect(count).to_have_text("2")
    expect(page.locator("#total-profit")).to_have_text("$0.0200")
    expect(page.locator("#report-table")).to_contain_text("-$0.0100")

    page.locator("#tab-financial").click()
    expect(page.locator("#financial-chart svg").first).to_be_visible()
    expect(page.locator("#fin-total-fees")).to_have_text("$9.99")
    expect(page.locator("#fin-total-deposits")).to_have_text("$270.00")
    rows = _export(page)
    for key in ("revenue", "cost", "deposits"):
        total = sum(Decimal(r[key]) for r in rows)
        # Half-up to the cent, as the portal shows money (Python's own format would round half to even).
        assert f"${total.quantize(Decimal('0.01'), ROUND_HALF_UP):,}" == page.locator(f"#fin-total-{key}").inner_text()
    page.screenshot(path=str(SHOTS / "reports-financial.png"), full_page=True)

    page.locator("#tab-subaccounts").click()
    expect(count).to_have_text("2")  # the client chosen on the per-user tab is still the filter
    page.locator("#client-filter").click()
    page.get_by_role("option", name="All clients").click()
    expect(count).to_have_text("4")
    expect(page.locator("#report-table")).to_contain_text("Business Standard")
    page.locator("#tab-dids").click()
    expect(count).to_have_text("4")
    assert len(_export(page)) == 4


def test_reports_in_a_phone_sized_window(browser, app_server):
    ctx = browser.new_context(base_url=app_server["base"], viewport={"width": 390, "height": 800})
    page = ctx.new_page()
    _login(page)
    page.goto("/reseller/reports")
    expect(page.locator("#total-count")).to_have_text(re.compile(r"^\d+$"))
    button = page.locator("#export-csv")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(SHOTS / "reports-phone.png"), full_page=True)
    ctx.close()


def test_export_needs_a_reseller_session(app_server):
    import httpx

    res = httpx.get(f"{app_server['base']}/api/reports/cdr.csv")
    assert res.status_code == 401
