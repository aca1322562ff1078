"""Card payments in the browser, against the local fake of Stripe: a client pays on the (fake) hosted page and sees
the balance rise once; with a saved card, automatic top-up fires once when a charge crosses the threshold."""

from __future__ import annotations

import re

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from reseller_app import routes
from tests.e2e.seed import PASSWORD
from tests.e2e.seeds.cards import WEBHOOK_SECRET

pytestmark = pytest.mark.e2e


def _ledger(app_server, like: str) -> list[tuple[str, str]]:
    eng = sa.create_engine(app_server["database_url"])
    try:
        with eng.connect() as c:
            rows = c.execute(
                sa.text("SELECT kind, reference FROM ledgerentry WHERE reference LIKE :r ORDER BY id"), {"r": like}
            ).all()
    finally:
        eng.dispose()
    return [(k, r) for k, r in rows]


def _client_login(page, rid: int) -> None:
    page.goto(f"/r/{rid}/login")  # (the portal's PUBLIC_URL is http://localhost:<port>, where Stripe returns)
    page.locator("#email").fill("cardholder@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))


def test_pay_by_card_then_automatic_topup(browser, app_server, stripe_fake):
    rid, cid = app_server["ids"]["card_reseller"], app_server["ids"]["card_client"]
    stripe_fake.webhook_secret = WEBHOOK_SECRET
    hook = f"{app_server['base']}/api/stripe/webhook/{rid}"
    delivered: list[int] = []

    def deliver(payload: str, header: str) -> None:
        r = httpx.post(hook, content=payload, headers={"Stripe-Signature": header, "Content-Type": "application/json"})
        delivered.append(r.status_code)

    stripe_fake.deliver = deliver
    # The client uses the portal's address (PUBLIC_URL, http://localhost:<port>): Stripe sends it back there.
    page = browser.new_context(base_url=f"http://localhost:{app_server['port']}").new_page()
    page.set_default_timeout(20000)
    _client_login(page, rid)
    page.goto(f"/r/{rid}/balance")
    expect(page.locator("#balance")).to_have_text("$0.00")

    # Pay 10 by card: Stripe's (fake) hosted page, the signed webhook, then the return redirect.
    page.locator("#card-10\\.00").click()
    expect(page.locator("#checkout-title")).to_have_text("Pay 10.00 usd")
    page.locator("#pay").click()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/balance/?\?deposit=completed$"))
    expect(page.get_by_text("Thank you: your deposit was added to your balance.")).to_be_visible()
    expect(page.locator("#balance")).to_have_text("$10.00")
    assert delivered and all(code == 200 for code in delivered)  # the webhook arrived first, then the return
    page.reload()
    expect(page.locator("#balance")).to_have_text("$10.00")
    assert [k for k, _r in _ledger(app_server, "stripe:%")] == ["payment"]

    # Save a card and turn on automatic top-up: below 5, charge 10.
    page.locator("#card-save").click()
    expect(page.locator("#checkout-title")).to_have_text("Save your card")
    page.locator("#pay").click()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/balance/?\?card=saved$"))
    expect(page.locator("#card-label")).to_have_text("visa •••• 4242")
    page.locator("#topup-threshold").fill("5")
    page.locator("#topup-on").click()
    expect(page.locator("#topup-state")).to_have_text("On")

    # The reseller charges 8: the balance falls to 2, below 5, and one top-up of 10 brings it to 12.
    charges_before = [c for c in stripe_fake.calls if c == ("POST", "/v1/payment_intents")]
    reseller = browser.new_context(base_url=app_server["base"], viewport={"width": 1280, "height": 860}).new_page()
    reseller.goto("/login")
    reseller.locator("#email").fill("reseller-card@example.com")
    reseller.locator("#password").fill(PASSWORD)
    reseller.locator("#submit").click()
    expect(reseller).to_have_url(re.compile(r"/reseller/?$"))
    reseller.goto(routes.reseller_client_path(cid))
    reseller.locator("#pay-kind").click()
    reseller.get_by_role("option", name="charge", exact=True).click()
    reseller.locator("#pay-amount").fill("8")
    reseller.locator("#pay-description").fill("Monthly usage")
    reseller.locator("#pay-submit").click()
    expect(reseller.get_by_text("Monthly usage")).to_be_visible()

    page.reload()
    expect(page.locator("#balance")).to_have_text("$12.00")
    charges = [c for c in stripe_fake.calls if c == ("POST", "/v1/payment_intents")]
    assert len(charges) - len(charges_before) == 1
    assert [k for k, _r in _ledger(app_server, "stripe:%")] == ["payment", "payment"]
    reseller.context.close()
    page.context.close()
