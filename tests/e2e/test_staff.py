"""Staff in the browser: the owner invites a support user, who accepts, sets up TOTP, signs in with a code, opens a
client and cannot post a payment (refused, nothing posted); the owner sees both in the audit log and exports it."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS
from tests.e2e.seed import PASSWORD

pytestmark = [pytest.mark.e2e]

SUPPORT = "support-s@example.com"
SUPPORT_PASSWORD = "support-pass-77"


def _login(page, email: str, password: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#submit").click()


def _invitation_link(mail: list, deadline: float) -> str:
    """The link in the invitation email, once the outbox has sent it (polled until the deadline)."""
    while time.monotonic() < deadline:
        for m in list(mail):
            if m["To"] == SUPPORT:
                body = m.get_body(preferencelist=("plain",)).get_content()
                return re.search(r"https?://\S+/staff/accept\?token=\S+", body).group(0)
        time.sleep(0.2)  # polling the mail sink for the condition above, bounded by the deadline
    raise AssertionError("no invitation email arrived")


def test_owner_invites_support_who_enrols_totp_and_cannot_post_a_payment(page, browser, app_server):
    cid = app_server["ids"]["s_client"]
    _login(page, "reseller-s@example.com", PASSWORD)
    expect(page).to_have_url(re.compile(r"/reseller/?$"))
    page.goto("/reseller/staff")
    page.locator("#invite-name").fill("Sue Port")
    page.locator("#invite-email").fill(SUPPORT)
    page.locator("#invite-role").select_option("support")
    page.locator("#invite-send").click()
    expect(page.locator("#staff-notice")).to_contain_text("Invitation sent")
    link = _invitation_link(app_server["mail"], time.monotonic() + 60)

    support = browser.new_context(base_url=app_server["base"], viewport={"width": 1280, "height": 860}).new_page()
    support.set_default_timeout(20000)
    support.goto("/staff/accept?" + link.split("?", 1)[1])
    support.locator("#password").fill(SUPPORT_PASSWORD)
    support.locator("#confirm").fill(SUPPORT_PASSWORD)
    support.locator("#invite-accept").click()
    expect(support.locator("#invite-done")).to_be_visible()
    _login(support, SUPPORT, SUPPORT_PASSWORD)
    expect(support).to_have_url(re.compile(r"/reseller/?$"))
    support.goto("/reseller/staff")
    support.locator("#tfa-begin").click()
    expect(support.locator("#tfa-qr")).to_be_visible()
    secret = support.locator("#tfa-secret").inner_text().strip()
    support.locator("#tfa-code").fill(pyotp.TOTP(secret).now())
    support.locator("#tfa-confirm").click()
    expect(support.locator("#tfa-codes")).to_be_visible()
    support.locator("#logout").click()

    # Signing in again asks for the code after the password.
    _login(support, SUPPORT, SUPPORT_PASSWORD)
    expect(support.locator("#code")).to_be_visible()
    support.locator("#code").fill(pyotp.TOTP(secret).now())
    support.locator("#submit").click()
    expect(support).to_have_url(re.compile(r"/reseller/?$"))

    # Support opens the client, and a payment is refused politely; nothing is posted.
    support.goto(f"/reseller/clients/{cid}")
    expect(support.get_by_text("client-s@example.com").first).to_be_visible()
    support.locator("#pay-amount").fill("25.00")
    support.locator("#pay-description").fill("cash")
    support.locator("#pay-submit").click()
    expect(support.locator("#err-amount")).to_contain_text("does not allow you to post payments")

    # The owner sees both in the audit log, and exports it.
    page.goto("/reseller/audit")
    table = page.locator("#audit-table")
    expect(table).to_contain_text("Support Sue Port")
    expect(table).to_contain_text("2fa_enabled")
    expect(table).not_to_contain_text("add_payment")
    with page.expect_download() as dl:
        page.locator("#audit-export").click()
    text = dl.value.path().read_text(encoding="utf-8")
    assert "staff_joined" in text and "Support Sue Port" in text
    # Streamed like the reports (every entry of the filters), with the same progress line.
    expect(page.locator("#export-status")).to_have_text(f"Exported {len(text.strip().splitlines()) - 1} rows.")
    page.screenshot(path=str(SHOTS / "reseller-audit-log.png"), full_page=True)
