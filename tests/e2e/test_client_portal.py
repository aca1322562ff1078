"""The client's themed portal in the browser: brand, live balance, call history + export, buying a number,
password reset through real email, and the reseller's view settings."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS
from tests.e2e.seed import PASSWORD
from tests.e2e.seeds.client_portal import NAVBAR

pytestmark = [pytest.mark.e2e, pytest.mark.screenshots]  # writes docs/screenshots under make screenshots
ROOT = Path(__file__).resolve().parents[2]


def _rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return f"rgb({int(h[0:2], 16)}, {int(h[2:4], 16)}, {int(h[4:6], 16)})"


def _login(page, rid: int, email: str, password: str = PASSWORD) -> None:
    page.goto(f"/r/{rid}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))


def _nav(page):
    return page.locator("a", has_text="Dashboard").first.locator("xpath=ancestor::div[2]")


def test_branded_dashboard_at_desktop_and_phone_width(page, browser, app_server):
    rid = app_server["ids"]["c"]
    _login(page, rid, "porter@example.com")
    expect(page).to_have_title("Cobalt Phone")
    expect(page.locator("#balance")).to_have_text("$20.00")
    expect(page.get_by_text("Welcome to")).to_be_visible()
    expect(page.locator("#brand-logo")).to_be_visible()
    assert page.locator("#brand-logo").evaluate("e => e.naturalWidth") > 0  # the logo really loaded
    colours = page.evaluate("() => [...document.querySelectorAll('div')].map(d => getComputedStyle(d).backgroundColor)")
    assert _rgb(NAVBAR) in colours  # the reseller's navbar colour
    assert _rgb("#faf5ff") in colours  # and background colour
    assert "reflex" not in page.inner_text("body").lower()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "client-dashboard-desktop.png"), full_page=True)

    phone = browser.new_context(base_url=app_server["base"], viewport={"width": 390, "height": 844})
    p = phone.new_page()
    p.set_default_timeout(20000)
    _login(p, rid, "porter@example.com")
    expect(p.locator("#balance")).to_have_text("$20.00")
    expect(p.locator("#brand-logo")).to_be_visible()
    assert p.evaluate("() => document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    p.screenshot(path=str(SHOTS / "client-dashboard-phone.png"), full_page=True)
    # The other pages fit the phone too (wide tables scroll inside their panel).
    for name, ready, text in (("Call history", "#call-total", "Matching calls: 6"), ("Services", "#did-fees", "$2.50")):
        p.get_by_role("link", name=name).click()
        expect(p.locator(ready)).to_contain_text(text)
        assert p.evaluate("() => document.documentElement.scrollWidth") <= 390, name
        p.screenshot(path=f"{tempfile.gettempdir()}/client-portal-phone-{name.split()[0].lower()}.png", full_page=True)
    phone.close()


def test_open_dashboard_shows_a_new_payment_without_reload(page, app_server):
    rid, cid = app_server["ids"]["c"], app_server["ids"]["live"]
    _login(page, rid, "live@example.com")
    expect(page.locator("#balance")).to_have_text("$0.00")
    code = (
        "from reseller_app.services.access.actor import Actor; "
        "from reseller_app.services.accounting.postings import manual_posting; "
        f"manual_posting(Actor('reseller', {rid}), {cid}, 'payment', '7.25', 'Cheque')"
    )
    env = dict(os.environ, DATABASE_URL=app_server["database_url"], PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    expect(page.locator("#balance")).to_have_text("$7.25", timeout=15000)


def test_filter_the_call_history_and_export_it(page, app_server):
    rid = app_server["ids"]["c"]
    _login(page, rid, "porter@example.com")
    page.get_by_role("link", name="Call history").click()
    expect(page.locator("#call-total")).to_have_text("Matching calls: 6")
    # Times are in the client's zone: 2026-10-06 16:00 UTC is 12:00 in Montreal (EDT).
    expect(page.locator("#call-table")).to_contain_text("2026-10-06 12:00")
    page.locator("#type-busy").click()
    page.locator("#apply-filters").click()
    expect(page.locator("#call-total")).to_have_text("Matching calls: 2")
    page.locator("#f-sub").select_option(label="300001_back")
    page.locator("#f-from").fill("2026-10-06")
    page.locator("#f-to").fill("2026-10-06")
    page.locator("#apply-filters").click()
    expect(page.locator("#call-total")).to_have_text("Matching calls: 1")
    expect(page.locator("#call-table")).to_contain_text("15145550005")
    page.screenshot(path=str(SHOTS / "client-calls.png"), full_page=True)
    with page.expect_download() as info:
        page.locator("#export-csv").click()
    path = info.value.path()
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["destination"], r["disposition"], r["account"]) for r in rows] == [
        ("15145550005", "BUSY", "300001_back")
    ]
    assert rows[0]["date"] == "2026-10-06 12:00"
    # A bad range is refused beside the filters, and the calls of the last good filters leave the screen.
    page.locator("#f-from").fill("2026-10-09")
    page.locator("#apply-filters").click()
    expect(page.locator("#call-error")).to_contain_text("before the start date")
    expect(page.locator("#call-total")).to_have_count(0)
    expect(page.locator("#call-table")).to_have_count(0)


def test_buy_a_number_and_see_the_setup_fee(page, app_server):
    rid = app_server["ids"]["c"]
    _login(page, rid, "porter@example.com")
    page.get_by_role("link", name="Services").click()
    expect(page.locator("#did-fees")).to_contain_text("$2.50")
    number = page.locator("#buy-number").input_value()
    assert re.fullmatch(r"\d{11}", number)
    page.locator("#buy-did").click()
    expect(page.locator("#svc-message")).to_contain_text(f"Number {number} is yours. Setup fee: $2.50.")
    expect(page.get_by_role("cell", name=number)).to_be_visible()
    page.screenshot(path=str(SHOTS / "client-services.png"), full_page=True)
    # The package lets the client change the caller ID of its sub-accounts (and nothing else).
    page.locator("#edit-300001_front").click()
    expect(page.locator("#sub-nat")).to_have_count(0)
    page.locator("#sub-callerid").fill("12")
    page.locator("#save-sub").click()
    expect(page.locator("#err-callerid")).to_have_text("Enter a valid phone number, e.g. +1 514 555 0142.")
    page.locator("#sub-callerid").fill("15145550100")
    page.locator("#save-sub").click()
    expect(page.locator("#svc-message")).to_have_text("Sub-account saved.")
    page.get_by_role("link", name="Balance").click()
    expect(page.locator("#balance")).to_have_text("$17.50")
    expect(page.locator("#transactions")).to_contain_text(f"Phone number {number} setup fee")
    expect(page.locator("#transactions")).to_contain_text("-$2.50")


def test_suspended_client_sees_why_and_cannot_buy(page, app_server):
    rid = app_server["ids"]["c"]
    _login(page, rid, "broke@example.com")
    expect(page.locator("#balance")).to_have_text("-$3.00")
    expect(page.locator("#suspended-note")).to_contain_text("suspended")
    page.get_by_role("link", name="Services").click()
    expect(page.locator("#buy-suspended")).to_be_visible()
    expect(page.locator("#buy-did")).to_have_count(0)


def _wait_for_mail(app_server, subject: str, deadline_s: float = 30):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        for msg in list(app_server["mail"]):
            if msg["Subject"] == subject:
                return msg
        time.sleep(0.2)  # polling interval while the app's outbox delivers
    raise AssertionError(f"no email {subject!r} arrived")


def test_reset_the_password_through_the_emails(page, app_server):
    rid = app_server["ids"]["c"]
    page.goto(f"/r/{rid}/forgot")
    expect(page).to_have_title("Cobalt Phone")
    page.locator("#email").fill("forgetful@example.com")
    page.locator("#send-link").click()
    expect(page.locator("#sent")).to_contain_text("If an account exists")
    mail = _wait_for_mail(app_server, "Cobalt Phone: reset your password")
    assert mail["To"] == "forgetful@example.com"
    url = re.search(r"https?://\S+", mail.get_content()).group(0)
    link = urlsplit(url)
    page.goto(f"{link.path}?{link.query}")
    page.locator("#password").fill("a-new-password-7")
    page.locator("#confirm").fill("a-new-password-7")
    page.locator("#change-password").click()
    expect(page.locator("#reset-done")).to_be_visible()
    page.screenshot(path=str(SHOTS / "client-password-reset.png"))
    done = _wait_for_mail(app_server, "Cobalt Phone: password changed")
    assert done["To"] == "forgetful@example.com"
    _login(page, rid, "forgetful@example.com", "a-new-password-7")
    # The link works once.
    page.goto(f"{link.path}?{link.query}")
    expect(page.locator("#bad-link")).to_be_visible()


def test_simple_views_hide_filters_panels_and_the_services_page(page, app_server):
    rid = app_server["ids"]["c"]
    _login(page, rid, "simple@example.com")
    expect(page.locator("#balance")).to_be_visible()
    expect(page.locator("#month-spent")).to_have_count(0)
    page.get_by_role("link", name="Call history").click()
    expect(page.locator("#call-total")).to_be_visible()
    expect(page.locator("#call-types")).to_have_count(0)
    expect(page.locator("#type-busy")).to_have_count(0)
    page.get_by_role("link", name="Balance").click()
    expect(page.locator("#transactions").or_(page.get_by_text("No transactions yet."))).to_be_visible()
    expect(page.locator("#today-spent")).to_have_count(0)
    expect(page.get_by_role("link", name="Services")).to_be_visible()  # plain Simple view keeps the page

    page.locator("#client-logout").click()
    _login(page, rid, "hidden@example.com")
    expect(page.get_by_role("link", name="Balance")).to_be_visible()
    expect(page.get_by_role("link", name="Services")).to_have_count(0)
    page.goto(f"/r/{rid}/services")
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))
    expect(page.locator("#svc-message")).to_have_count(0)

    # The standard view still has the filters and panels.
    page.locator("#client-logout").click()
    _login(page, rid, "porter@example.com")
    expect(page.locator("#month-spent")).to_be_visible()
