"""Manage client's accounts in the browser: create, package setup fee, payments, two DIDs, login as, HARD status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.seed import PASSWORD
from tests.e2e.seeds.clients import EMAIL

pytestmark = pytest.mark.e2e
SHOTS = Path("/tmp/portal-shots")


def _login(page) -> None:
    page.goto("/login")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _post(page, kind: str, amount: str, description: str, *, double: bool = False) -> None:
    page.locator("#pay-kind").click()
    page.get_by_role("option", name=kind, exact=True).click()
    page.locator("#pay-amount").fill(amount)
    page.locator("#pay-description").fill(description)
    if double:
        page.locator("#pay-submit").dblclick()
    else:
        page.locator("#pay-submit").click()


def test_client_account_from_creation_to_hard_suspension(page, app_server):
    _login(page)
    page.get_by_role("link", name="Manage client's accounts").click()
    page.locator("#new-client").click()
    expect(page).to_have_url(re.compile(r"/reseller/clients/new/?$"))

    # Bad input first: the message shows beside the field and nothing is created.
    page.locator("#f-firstname").fill("Hana")
    page.locator("#f-email").fill("not-an-email")
    page.locator("#f-password").fill("hana-pass-123")
    page.locator("#save-client").click()
    expect(page.locator("#err-email")).to_have_text("Enter a valid email address.")
    expect(page).to_have_url(re.compile(r"/new/?$"))

    page.locator("#f-lastname").fill("Hart")
    page.locator("#f-company").fill("Hart Plumbing")
    page.locator("#f-email").fill("hana@example.com")
    page.locator("#f-phone_number").fill("+1 514 555 0142")
    page.get_by_role("radio", name="HARD").click()
    _shot(page, "client-new")
    page.locator("#save-client").click()
    expect(page).to_have_url(re.compile(r"/reseller/clients/\d+/?$"))
    expect(page.get_by_text("hana@example.com")).to_be_visible()
    expect(page.locator("#client-balance")).to_have_text("$0.00")
    manage_url = page.url

    # Assign a package with a setup fee to a new sub-account.
    page.locator("#assign-package").click()
    expect(page).to_have_url(re.compile(r"/subaccount/new/?$"))
    page.locator("#s-name").fill("desk")
    page.locator("#s-package").click()
    page.get_by_role("option", name=re.compile("Starter")).click()
    expect(page.locator("#charge-setup")).to_be_checked()
    _shot(page, "subaccount-config")
    page.locator("#save-subaccount").click()
    expect(page).to_have_url(re.compile(r"/reseller/clients/\d+/?$"))
    expect(page.locator(".history-row", has_text="Setup fee: package Starter")).to_contain_text("-$5.00")
    expect(page.locator("#client-balance")).to_have_text("-$5.00")
    expect(page.locator("#client-status")).to_have_text("SUSPENDED")  # HARD at a balance at or below 0
    expect(page.get_by_role("link", name=re.compile(r"^\d+_desk$"))).to_be_visible()

    # A payment with too many decimals is refused beside the field.
    _post(page, "payment", "1.234", "cash")
    expect(page.locator("#err-amount")).to_have_text("Use at most 2 decimal places.")
    expect(page.locator("#client-balance")).to_have_text("-$5.00")

    # Add a payment (double-clicked: posts once) and see the balance and ACTIVE.
    _post(page, "payment", "20.00", "Bank transfer", double=True)
    expect(page.locator("#client-balance")).to_have_text("$15.00")
    expect(page.locator("#client-status")).to_have_text("ACTIVE")

    # Connect two DIDs at once and see two setup fees.
    page.locator("#add-numbers").click()
    expect(page).to_have_url(re.compile(r"/numbers/?$"))
    expect(page.locator("#rate-setup")).to_have_value("1.00")
    page.locator("#advanced").click()
    picks = page.locator(".did-pick")
    picks.nth(0).click()
    picks.nth(1).click()
    page.locator("#forward").click()
    expect(page.get_by_text("Both legs are billed")).to_be_visible()
    page.locator("#forward-to").fill("12")
    page.locator("#connect-dids").click()
    expect(page.locator("#err-forward_to")).to_have_text("Enter a valid phone number, e.g. +1 514 555 0142.")
    page.locator("#forward").click()
    _shot(page, "connect-numbers")
    page.locator("#connect-dids").click()
    expect(page).to_have_url(re.compile(r"/reseller/clients/\d+/?$"))
    expect(page.locator(".history-row", has_text="DID setup fee")).to_have_count(2)
    expect(page.locator("#client-balance")).to_have_text("$13.00")
    expect(page.get_by_text(re.compile(r"Rings \d+_desk")).first).to_be_visible()
    # The double-clicked payment was posted once.
    expect(page.locator(".history-row", has_text="Bank transfer")).to_have_count(1)

    # Charge below 0 in a second tab while the list is open in this one: the list turns SUSPENDED live.
    page.get_by_role("link", name="Manage client's accounts").click()
    row = page.locator("tr", has_text="hana@example.com")
    expect(row).to_contain_text("ACTIVE")
    other = page.context.new_page()
    other.goto(manage_url)
    _post(other, "charge", "20.00", "Equipment")
    expect(other.locator("#client-balance")).to_have_text("-$7.00")
    expect(other.locator("#client-status")).to_have_text("SUSPENDED")
    other.close()
    expect(row).to_contain_text("SUSPENDED", timeout=20000)
    expect(row).to_contain_text("-$7.00")
    page.goto(manage_url)
    _post(page, "payment", "10.00", "Top-up")
    expect(page.locator("#client-balance")).to_have_text("$3.00")
    expect(page.locator("#client-status")).to_have_text("ACTIVE")

    # Delete a transaction: the reversal and the original both show.
    page.locator(".history-row", has_text="Top-up").get_by_role("button", name="Delete").click()
    expect(page.locator(".history-row", has_text="Reversal of: Top-up")).to_contain_text("-$10.00")
    original = page.locator(".history-row", has_text="Top-up").filter(has_not_text="Reversal")
    expect(original).to_contain_text("deleted")
    expect(original.get_by_role("button", name="Delete")).to_have_count(0)
    expect(page.locator("#client-balance")).to_have_text("-$7.00")
    _post(page, "payment", "10.00", "Top-up again")
    expect(page.locator("#client-balance")).to_have_text("$3.00")
    _shot(page, "client-manage")

    # Delete is refused while services are connected, and says which.
    page.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(r"/edit/?$"))
    page.locator("#threshold").fill("5")
    page.locator("#save-threshold").click()
    expect(page.locator("#err-threshold")).to_contain_text("between 10 and 500")
    page.locator("#delete-client").click()
    page.locator("#confirm").click()
    named = re.compile(r"1 sub-account \(\d+_desk\); 2 DIDs \(\d{11}, \d{11}\)")  # names what to unconnect
    expect(page.locator("#err-delete")).to_contain_text(named)

    # Log in as the client from the list: the client's dashboard and the banner.
    page.get_by_role("link", name="Manage client's accounts").click()
    page.locator("tr", has_text="hana@example.com").get_by_role("button", name="Login as client").click()
    rid = app_server["ids"]["clients"]
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))
    expect(page.get_by_text("You are viewing this portal as the client.")).to_be_visible()
    expect(page.locator("#balance")).to_have_text("$3.00")
    _shot(page, "login-as-client")


def test_create_with_a_subaccount_step_and_activate_a_waiting_client(page, app_server):
    _login(page)
    page.goto("/reseller/clients/new")
    page.locator("#f-firstname").fill("Ivo")
    page.locator("#f-email").fill("ivo@example.com")
    page.locator("#f-password").fill("ivo-pass-123")
    page.locator("#f-sub-choice").click()
    page.get_by_role("option", name="Create a new sub-account").click()
    page.locator("#f-sub-name").fill("front")
    page.locator("#f-sub-package").click()
    page.get_by_role("option", name=re.compile("Starter")).click()
    expect(page.locator("#f-charge-setup")).to_be_checked()
    page.locator("#save-client").click()
    expect(page).to_have_url(re.compile(r"/reseller/clients/\d+/?$"))
    expect(page.get_by_role("link", name=re.compile(r"^\d+_front$"))).to_be_visible()
    expect(page.locator(".history-row", has_text="Setup fee: package Starter")).to_contain_text("-$5.00")
    expect(page.locator("#client-status")).to_have_text("ACTIVE")  # SOFT: never suspended

    # A duplicate email within the reseller is refused beside the field.
    page.goto("/reseller/clients/new")
    page.locator("#f-firstname").fill("Ivo")
    page.locator("#f-email").fill("IVO@example.com")
    page.locator("#f-password").fill("ivo-pass-123")
    page.locator("#save-client").click()
    expect(page.locator("#err-email")).to_contain_text("already uses this email")

    # Activate a client who signed up (WAIT).
    page.goto(f"/reseller/clients/{app_server['ids']['clients_waiting']}/edit")
    expect(page.locator("#activate")).to_be_visible()
    page.locator("#activate").click()
    expect(page.get_by_text("Client activated.")).to_be_visible()
    expect(page.locator("#activate")).to_have_count(0)


def test_list_in_a_phone_sized_window(browser, app_server):
    ctx = browser.new_context(base_url=app_server["base"], viewport={"width": 390, "height": 800})
    page = ctx.new_page()
    _login(page)
    page.goto("/reseller/clients")
    expect(page.locator("#new-client")).to_be_visible()
    _shot(page, "client-list-narrow")
    page.goto(f"/reseller/clients/{app_server['ids']['clients_waiting']}")
    expect(page.locator("#client-status")).to_be_visible()
    box = page.locator("#pay-submit").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    _shot(page, "client-manage-narrow")
    ctx.close()
