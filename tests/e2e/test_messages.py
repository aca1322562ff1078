"""Text messages in the browser: two clients of one reseller text each other and see it live, the sender pays
exactly the part price, the reseller's SMS report and financial month show it, a suspended client cannot send."""

from __future__ import annotations

import csv
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SHOTS
from tests.e2e.seed import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.screenshots]  # writes docs/screenshots under make screenshots
LIVE = 20000  # ms: the Messages page looks for new messages every 3 s


def _client_login(page: Page, rid: int, email: str) -> None:
    page.goto(f"/r/{rid}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))


def _send(page: Page, to: str, text: str) -> None:
    page.locator("#msg-to").fill(to)
    page.locator("#msg-text").fill(text)
    page.locator("#msg-send").click()


def test_two_clients_text_each_other_live(browser, app_server):
    ids = app_server["ids"]
    rid, ann_number, bob_number = ids["sms_reseller"], ids["sms_ann_number"], ids["sms_bob_number"]
    ctx_a = browser.new_context(base_url=app_server["base"], viewport={"width": 1280, "height": 900})
    ctx_b = browser.new_context(base_url=app_server["base"], viewport={"width": 1280, "height": 900})
    ann, bob = ctx_a.new_page(), ctx_b.new_page()
    for pg in (ann, bob):
        pg.set_default_timeout(20000)
    try:
        _client_login(ann, rid, "sms-ann@example.com")
        _client_login(bob, rid, "sms-bob@example.com")
        expect(ann.locator("#balance")).to_have_text("$5.00")
        for pg in (ann, bob):
            pg.get_by_role("link", name="Messages").click()
            expect(pg).to_have_url(re.compile(rf"/r/{rid}/messages/?$"))
            expect(pg.get_by_text("No messages yet.")).to_be_visible()

        # The counter follows the typing: 161 GSM-7 characters are two parts; one UCS-2 character makes it UCS-2.
        ann.locator("#msg-text").fill("a" * 161)
        expect(ann.locator("#msg-counter")).to_contain_text("161 GSM-7 units · 2 parts")
        ann.locator("#msg-text").fill("Ça marche? naïve")
        expect(ann.locator("#msg-counter")).to_contain_text("UCS-2")

        _send(ann, "+" + bob_number, "Hello Bob, <b>lunch</b> at noon?")
        expect(ann.locator("#msg-notice")).to_have_text("Message sent.")
        expect(ann.locator("#thread")).to_contain_text("Hello Bob, <b>lunch</b> at noon?")  # text, not HTML
        # Bob's open page shows it without a reload.
        expect(bob.locator("#conversations")).to_contain_text("Hello Bob", timeout=LIVE)
        bob.locator(".conversation").first.click()
        expect(bob.locator("#thread")).to_contain_text("<b>lunch</b>")
        expect(bob.locator("#msg-to")).to_have_value("+" + ann_number)
        bob.locator("#msg-text").fill("Yes, see you there.")
        bob.locator("#msg-send").click()
        # Ann's page shows the answer without a reload, in the open conversation.
        expect(ann.locator("#thread")).to_contain_text("Yes, see you there.", timeout=LIVE)
        # It arrived in the open conversation, so it is read at once.
        expect(ann.locator(".conversation").first).not_to_contain_text("new")
        SHOTS.mkdir(parents=True, exist_ok=True)
        ann.screenshot(path=str(SHOTS / "client-messages.png"), full_page=True)

        # Ann paid exactly one part at the package's $0.05; Bob's incoming text was free, his answer one part.
        ann.get_by_role("link", name="Dashboard").click()
        expect(ann.locator("#balance")).to_have_text("$4.95")
        bob.get_by_role("link", name="Dashboard").click()
        expect(bob.locator("#balance")).to_have_text("$4.95")

        # Bad input: a message beside the field, nothing sent.
        ann.get_by_role("link", name="Messages").click()
        _send(ann, "12", "hi")
        expect(ann.locator("#err-to")).to_have_text("Enter a valid phone number.")
    finally:
        ctx_a.close()
        ctx_b.close()


def test_the_resellers_report_and_financial_month_show_the_texts(page: Page, app_server):
    page.goto("/login")
    page.locator("#email").fill("sms-reseller@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))
    page.goto("/reseller/reports/messages")
    totals = page.locator("#sms-totals")
    expect(totals).to_contain_text("$0.1000")  # two sent texts of one part
    expect(page.locator("#sms-table")).to_contain_text("Outgoing")
    # The CSV streams every message of the filters (assets/report_export.js), with its progress line.
    with page.expect_download() as info:
        page.locator("#sms-export").click()
    with open(info.value.path(), newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert info.value.suggested_filename.startswith("messages_") and rows
    assert sum(Decimal(r["price"]) for r in rows) == Decimal("0.1000")  # the totals card's price, to the unit
    assert {r["direction"] for r in rows} <= {"out", "in"} and rows[0]["type"] == "SMS"
    expect(page.locator("#export-status")).to_have_text(f"Exported {len(rows)} rows.")
    page.screenshot(path=str(SHOTS / "reseller-sms-report-export.png"), full_page=True)
    page.set_viewport_size({"width": 420, "height": 900})  # a phone: the filters wrap, nothing spills out
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    page.screenshot(path=str(SHOTS / "reseller-sms-report-narrow.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto("/reseller/reports")
    page.locator("#tab-financial").click()
    expect(page.locator("#fin-total-sms")).to_have_text("$0.10")


def test_a_suspended_client_cannot_send(page: Page, app_server):
    ids = app_server["ids"]
    _client_login(page, ids["sms_reseller"], "sms-sue@example.com")
    page.goto(f"/r/{ids['sms_reseller']}/messages")
    _send(page, "+" + ids["sms_ann_number"], "Can I still text?")
    expect(page.locator("#err-text")).to_contain_text("suspended")
    expect(page.get_by_text("No messages yet.")).to_be_visible()
