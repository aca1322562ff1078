"""A client's own two-factor sign-in in the browser: the reseller offers it (Display elements), the client enrols on
the portal's Security page, signs out, and signs in again with a code after a wrong one is refused."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS
from tests.e2e.seed import PASSWORD

pytestmark = [pytest.mark.e2e]

CLIENT = "client-2fa@example.com"


def _client_password_step(page, rid: int) -> None:
    page.goto(f"/r/{rid}/login")
    page.locator("#email").fill(CLIENT)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()


def _wrong(secret: str) -> str:
    """A six-digit code that none of the codes pyotp accepts now (the current one and its neighbours) is."""
    totp = pyotp.TOTP(secret)
    return next(c for c in ("000000", "111111", "222222", "333333") if not totp.verify(c, valid_window=1))


def test_a_client_enrols_signs_out_and_signs_in_with_a_code(page, browser, app_server):
    rid = app_server["ids"]["s"]
    client = browser.new_context(base_url=app_server["base"], viewport={"width": 1280, "height": 860}).new_page()
    client.set_default_timeout(20000)

    # Not offered yet: no Security entry in the portal's menu, and the page itself says it is not available.
    _client_password_step(client, rid)
    expect(client).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))
    expect(client.get_by_role("link", name="Call history")).to_be_visible()
    expect(client.get_by_role("link", name="Security")).to_have_count(0)
    client.goto(f"/r/{rid}/security")
    expect(client.get_by_text("This page is not part of your service.")).to_be_visible()
    expect(client.locator("#tfa-begin")).to_have_count(0)

    # The reseller offers it (Reseller configuration → Display elements).
    page.goto("/login")
    page.locator("#email").fill("reseller-s@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))
    page.goto("/reseller/configuration")
    page.locator("#tab-display").click()
    page.locator("#f-client_two_factor").click()
    page.locator("#save-display").click()
    expect(page.locator("#notice-display")).to_have_text("Saved.")

    # The client enrols: the QR code, a code from the app, ten recovery codes shown once.
    client.goto(f"/r/{rid}/dashboard")
    client.get_by_role("link", name="Security").click()
    expect(client).to_have_url(re.compile(rf"/r/{rid}/security/?$"))
    client.locator("#tfa-begin").click()
    expect(client.locator("#tfa-qr")).to_be_visible()
    assert client.locator("#tfa-qr").evaluate("e => e.naturalWidth") > 0  # the server-rendered QR code loaded
    secret = client.locator("#tfa-secret").inner_text().strip()
    client.locator("#tfa-code").fill(_wrong(secret))
    client.locator("#tfa-confirm").click()
    expect(client.locator("#err-code")).to_have_text("Incorrect code.")
    client.locator("#tfa-code").fill(pyotp.TOTP(secret).now())
    client.locator("#tfa-confirm").click()
    expect(client.locator("#tfa-codes")).to_be_visible()
    codes = [
        c for c in client.locator("#tfa-codes").inner_text().split() if re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{8}", c)
    ]
    assert len(set(codes)) == 10
    expect(client.locator("#tfa-on")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    client.screenshot(path=str(SHOTS / "client-two-factor.png"), full_page=True)
    client.locator("#client-logout").click()
    expect(client).to_have_url(re.compile(rf"/r/{rid}/login/?$"))

    # Signing in asks for the code after the password; a wrong code is refused, the right one lets the client in.
    _client_password_step(client, rid)
    expect(client.locator("#code")).to_be_visible()
    client.locator("#code").fill(_wrong(secret))
    client.locator("#submit").click()
    expect(client.locator("#login-error")).to_have_text("Incorrect code.")
    expect(client).to_have_url(re.compile(rf"/r/{rid}/login/?$"))
    client.locator("#code").fill(pyotp.TOTP(secret).now())
    client.locator("#submit").click()
    expect(client).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))
    client.context.close()
