"""The API & carrier page, then one round trip of the REST API over real HTTP against the running app."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS
from tests.e2e.seed import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.screenshots]  # writes docs/screenshots under make screenshots
API_PW = "api-pass-e2e-1"


def _login(page) -> None:
    page.goto("/login")
    page.locator("#email").fill("reseller-a@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))


def test_enable_the_api_and_use_it_over_http(page, app_server):
    base = app_server["base"]
    api = f"{base}/api/v1/rest.php"
    auth = {"api_username": "reseller-a@example.com", "api_password": API_PW}
    # Before: no API password, so the API refuses.
    assert httpx.get(api, params={**auth, "method": "getClients"}).json() == {"status": "invalid_credentials"}

    _login(page)
    page.get_by_role("link", name="API & carrier").click()
    expect(page).to_have_url(re.compile(r"/reseller/api$"))
    expect(page.locator("#api-password-status")).to_have_text(re.compile("No API password yet"))
    page.locator("#api_password").fill(API_PW)
    page.locator("#api_password_confirm").fill("something-else")
    page.locator("#save-password").click()
    expect(page.locator("#error-confirm")).to_be_visible()
    page.locator("#api_password").fill(API_PW)
    page.locator("#api_password_confirm").fill(API_PW)
    page.locator("#save-password").click()
    expect(page.locator("#api-password-status")).to_have_text(re.compile("An API password is set"))
    assert httpx.get(api, params={**auth, "method": "getClients"}).json()["status"] == "api_not_enabled"

    page.locator("#ip_allowlist").fill("not-an-ip")
    page.locator("#enabled").click()
    page.locator("#save-access").click()
    expect(page.locator("#error-ip_allowlist")).to_be_visible()
    page.locator("#ip_allowlist").fill("127.0.0.1, ::1")
    page.locator("#save-access").click()
    expect(page.locator("#notice")).to_have_text("API access saved.")

    # The round trip: create a client, pay (retried with one key), charge, read the balance and the CDR.
    new = {
        "firstname": "Ann", "lastname": "Lee", "address": "1 Main", "city": "Montreal", "state": "QC",
        "country": "CA", "zip": "H1H1H1", "phone_number": "5145550100", "email": "ann@example.com",
        "confirm_email": "ann@example.com", "password": "client-pass-1", "confirm_password": "client-pass-1",
        "activate": "1",
    }  # fmt: skip
    made = httpx.post(api, data={**auth, "method": "signupClient", **new}).json()
    assert made["status"] == "success" and made["client"].isdigit()
    cid = made["client"]
    pay = {**auth, "method": "addPayment", "client": cid, "payment": "25.00", "description": "Card 4242"}
    for _ in range(2):
        assert httpx.post(api, data={**pay, "idempotency_key": "card-txn-1"}).json() == {"status": "success"}
    charge = {**auth, "method": "addCharge", "client": cid, "charge": "5", "description": "Setup"}
    assert httpx.get(api, params=charge).json() == {"status": "success"}
    bal = httpx.get(api, params={**auth, "method": "getResellerBalance", "client": cid}).json()
    assert bal["balance"]["current_balance"] == "20.0000"
    cdr = httpx.get(
        api,
        params={
            **auth,
            "method": "getResellerCDR",
            "client": str(app_server["ids"]["api_client"]),
            "date_from": "2026-11-01",
            "date_to": "2026-11-30",
            "answered": "1",
            "timezone": "0",
        },  # fmt: skip
    ).json()
    assert cdr["status"] == "success" and cdr["cdr"][0]["uniqueid"] == "e2e-Call-1"
    assert cdr["cdr"][0]["total"] == "0.0138"
    assert "/api/v1/rest.php" in httpx.get(f"{base}/api/openapi.json").json()["paths"]

    # The carrier: VoIP.ms with its login; the password is never shown back.
    page.get_by_text("VoIP.ms", exact=True).click()
    page.locator("#carrier_username").fill("me@voip.example")
    page.locator("#carrier_password").fill("carrier-secret-xyz")
    page.locator("#save-carrier").click()
    expect(page.locator("#notice")).to_have_text("Carrier saved.")
    page.reload()
    expect(page.locator("#carrier_username")).to_have_value("me@voip.example")
    expect(page.locator("#carrier_password")).to_have_value("")
    expect(page.locator("#carrier_password")).to_have_attribute("placeholder", re.compile("saved"))
    assert "carrier-secret-xyz" not in page.content()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "api-settings.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 900})
    page.screenshot(path=str(SHOTS / "api-settings-phone.png"), full_page=True)
    # Back to the sandbox so the scheduler does not try the fake VoIP.ms login.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_text("Sandbox (simulated)", exact=True).click()
    page.locator("#save-carrier").click()
    expect(page.locator("#notice")).to_have_text("Carrier saved.")
