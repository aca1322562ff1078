"""Manage rates & packages in the browser: the guide's example package, a per-area rate and a free zone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS
from tests.e2e.seed import PASSWORD
from tests.e2e.seeds.packages import EMAIL

pytestmark = [pytest.mark.e2e, pytest.mark.screenshots]  # writes docs/screenshots under make screenshots


def _login(page) -> None:
    page.goto("/login")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))
    page.get_by_role("link", name="Manage rates & packages").click()
    expect(page.get_by_role("row").filter(has_text="Starter")).to_contain_text("0.0025 + 20 %")


def test_guide_example_package_area_rate_and_free_zone(page):
    _login(page)
    page.locator("#pkg-new").click()

    # Bad input is flagged as the reseller types, and nothing is saved.
    page.locator("#pkg-markup_percent").fill("2000")
    expect(page.locator("#err-markup_percent")).to_contain_text("1000")
    expect(page.locator("#err-name")).to_be_visible()
    page.locator("#pkg-save").click()
    expect(page.get_by_text("Some fields need attention")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Guide example")).to_have_count(0)

    # The guide's example: fixed 0.0025, 20 %, pulse 6; a 0.009 destination costs the client 0.0138.
    page.locator("#pkg-name").fill("Guide example")
    page.locator("#pkg-markup_fixed").fill("0.0025")
    page.locator("#pkg-markup_percent").fill("20")
    page.locator("#pkg-pulse").click()
    page.get_by_role("option", name="6 s").click()
    page.locator("#sample-cost").fill("0.009")
    expect(page.locator("#example-line")).to_have_text("Your cost 0.0090 → client pays 0.0138/min")
    expect(page.locator("#err-markup_percent")).to_have_count(0)
    # A sample destination from the carrier's deck (London, value route) instead of a typed cost.
    page.locator("#sample-cost").fill("")
    page.locator("#sample-destination").fill("442071234567")
    expect(page.locator("#example-line")).to_have_text("Your cost 0.01458 → client pays 0.020496/min")
    page.screenshot(path=str(SHOTS / "packages-wizard.png"), full_page=True)

    page.locator("#pkg-save").click()
    expect(page.locator("#saved")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Guide example")
    expect(row).to_contain_text("6 s")
    expect(row).to_contain_text("0.0025 + 20 %")

    # Before any per-area rate, London is priced by the markup.
    page.get_by_role("tab", name="Rate lookup").click()
    page.locator("#lookup-input").fill("442071234567")
    page.locator("#lookup-run").click()
    expect(page.locator("#lookup-rule")).to_have_text("Markup")
    expect(page.locator("#lookup-price")).to_have_text("0.020496")

    # A per-area rate for London overrides the markup in the lookup.
    page.get_by_role("tab", name="Edit rates (per area)").click()
    page.locator("#area-kind").click()
    page.get_by_role("option", name="Prefix").click()
    page.locator("#area-target").fill("4420")
    page.locator("#area-rate").fill("0.03")
    page.locator("#area-add").click()
    expect(page.get_by_role("cell", name="4420")).to_be_visible()
    page.locator("#area-target").fill("4420")
    page.locator("#area-rate").fill("0.04")
    page.locator("#area-add").click()
    expect(page.locator("#err-target")).to_contain_text("already a rate")
    page.get_by_role("tab", name="Rate lookup").click()
    page.locator("#lookup-input").fill("442071234567")
    page.locator("#lookup-run").click()
    expect(page.locator("#lookup-rule")).to_have_text("Per-area rate")
    expect(page.locator("#lookup-price")).to_have_text("0.0300")

    # A free zone for France prices a French number at 0.
    page.get_by_role("tab", name="Free zone").click()
    page.locator("#zone-value").fill("Atlantis")
    page.locator("#zone-add").click()
    expect(page.locator("#zone-error")).to_contain_text("Unknown country")
    page.locator("#zone-value").fill("FR")
    page.locator("#zone-add").click()
    expect(page.get_by_role("cell", name="FR (France)")).to_be_visible()
    page.get_by_role("tab", name="Rate lookup").click()
    page.locator("#lookup-input").fill("33142685300")
    page.locator("#lookup-run").click()
    expect(page.locator("#lookup-rule")).to_have_text("Free zone")
    expect(page.locator("#lookup-price")).to_have_text("0.0000")
    page.screenshot(path=str(SHOTS / "packages-lookup.png"), full_page=True)

    # The profit simulator runs with a progress bar (no calls yet for this package's clients).
    page.get_by_role("tab", name="Profit simulator").click()
    page.locator("#sim-run").click()
    expect(page.get_by_text("0 calls in the last 30 days")).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    expect(page.locator("#sim-messages-empty")).to_contain_text("No text messages to re-price")

    # Duplicate, then delete the copy.
    page.get_by_role("row").filter(has_text="Guide example").get_by_role("button", name="Duplicate").click()
    copy = page.get_by_role("row").filter(has_text="Guide example (copy)")
    expect(copy).to_be_visible()
    copy.get_by_role("button", name="Delete").click()
    page.locator("#pkg-confirm-delete").click()
    expect(copy).to_have_count(0)


def test_simulator_rerates_real_calls_and_a_package_in_use_is_kept(page):
    _login(page)
    starter = page.get_by_role("row").filter(has_text="Starter")
    expect(starter).to_contain_text("1")  # one sub-account uses it
    starter.get_by_role("button", name="Delete").click()
    page.locator("#pkg-confirm-delete").click()
    expect(page.locator("#pkg-error")).to_contain_text("1 sub-account uses")
    expect(starter).to_be_visible()

    starter.get_by_role("button", name="Edit").click()
    expect(page.locator("#pkg-name")).to_have_value("Starter")
    page.locator("#pkg-markup_percent").fill("50")
    expect(page.locator("#example-line")).to_have_text("Your cost 0.01458 → client pays 0.02562/min")
    page.get_by_role("tab", name="Profit simulator").click()
    page.locator("#sim-run").click()
    # Three 60 s London calls: 0.0205 each now, 0.0256 each under the draft; cost 0.0146 each.
    expect(page.locator("#sim-current-profit")).to_have_text("$0.0177")
    expect(page.locator("#sim-draft-profit")).to_have_text("$0.0330")
    expect(page.locator("#sim-difference")).to_have_text("+$0.0153")
    # Beside them the package's texts: 3 parts sent at 0.012 and one received at 0.003 (charged 0.0390); the draft
    # sells a part at (0.0075 + 0.0025) x 1.5 = 0.015 and a received text at 0.00375 -> 0.0038: profit +0.0098.
    expect(page.locator("#sim-messages")).to_contain_text("3 text messages in the last 30 days")
    expect(page.locator("#sim-msg-charged")).to_have_text("Charged at the time: $0.0390")
    expect(page.locator("#sim-msg-sms_out-draft")).to_have_text("$0.0450")
    expect(page.locator("#sim-msg-difference")).to_have_text("+$0.0098")
    page.screenshot(path=str(SHOTS / "packages-simulator.png"), full_page=True)

    # A messages file in the rating command's format: messages only, no calls section.
    texts = "message_id,kind,direction,parts,text\nu1,sms,out,4,\nu2,mms,out,,a picture\n"
    page.locator("#sim-msg-csv input[type=file]").set_input_files(
        files=[{"name": "messages.csv", "mimeType": "text/csv", "buffer": texts.encode()}]
    )
    expect(page.get_by_text("2 messages from the uploaded file")).to_be_visible()
    expect(page.locator("#sim-calls")).to_have_count(0)
    # 4 parts: 0.048 -> 0.06; the MMS (0.02 + 0.0025) x 1.2 = 0.027 -> x 1.5 = 0.03375 -> 0.0338: +0.0188.
    expect(page.locator("#sim-msg-difference")).to_have_text("+$0.0188")

    # The same comparison for an uploaded CDR file (the rating command's format): two 60 s calls.
    cdrs = (
        "call_id,start,direction,account,caller,destination,duration,disposition,onnet\n"
        "f1,2026-11-01T10:00:00Z,out,x_1,15145550000,442071234567,60,ANSWERED,0\n"
        "f2,2026-11-01T11:00:00Z,out,x_1,15145550000,442071234567,60,ANSWERED,0\n"
    )
    page.locator("#sim-csv input[type=file]").set_input_files(
        files=[{"name": "cdrs.csv", "mimeType": "text/csv", "buffer": cdrs.encode()}]
    )
    expect(page.get_by_text("2 calls from the uploaded file")).to_be_visible()
    expect(page.locator("#sim-difference")).to_have_text("+$0.0102")

    # CSV import: a file with a bad line changes nothing and names the line; a thousand good rows load at once.
    page.get_by_role("tab", name="Edit rates (per area)").click()
    bad = b"prefix,country,rate\n44,,0.02\n33,,abc\n"
    page.locator("#area-csv input[type=file]").set_input_files(
        files=[{"name": "bad.csv", "mimeType": "text/csv", "buffer": bad}]
    )
    expect(page.locator("#import-error")).to_contain_text("line 3:")
    expect(page.get_by_text("No per-area rates")).to_be_visible()
    rows = "prefix,country,rate\n" + "".join(f"9{n:04d},,0.{n + 1:04d}\n" for n in range(1000))
    page.locator("#area-csv input[type=file]").set_input_files(
        files=[{"name": "rates.csv", "mimeType": "text/csv", "buffer": rows.encode()}]
    )
    expect(page.get_by_text("Imported 1000 rates.")).to_be_visible()
    expect(page.get_by_text("Page 1 of 50")).to_be_visible()
    page.locator("#area-search").fill("90999")
    expect(page.get_by_role("cell", name="90999")).to_be_visible()
    expect(page.get_by_text("Page 1 of 1")).to_be_visible()


def test_packages_page_in_a_phone_sized_window(browser, app_server):
    ctx = browser.new_context(base_url=app_server["base"], viewport={"width": 390, "height": 800})
    page = ctx.new_page()
    page.goto("/login")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))
    page.goto("/reseller/packages")
    page.locator("#pkg-new").click()
    expect(page.locator("#pkg-name")).to_be_visible()
    box = page.locator("#pkg-name").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(SHOTS / "packages-phone.png"), full_page=True)
    ctx.close()
