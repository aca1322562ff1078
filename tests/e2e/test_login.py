"""Logins for both roles in the browser: success, failure, lockout and the walls between realms."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.seed import PASSWORD

pytestmark = __import__("pytest").mark.e2e


def _login(page, path: str, email: str, password: str) -> None:
    page.goto(path)
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("#submit").click()


def test_reseller_logs_in_and_out(page):
    _login(page, "/login", "reseller-a@example.com", PASSWORD)
    expect(page).to_have_url(re.compile(r"/reseller/?$"))
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.locator("#logout").click()
    expect(page).to_have_url(re.compile(r"/login/?$"))
    page.goto("/reseller")
    expect(page).to_have_url(re.compile(r"/login/?$"))


def test_client_logs_in_at_its_resellers_url(page, app_server):
    rid = app_server["ids"]["a"]
    _login(page, f"/r/{rid}/login", "client-a@example.com", PASSWORD)
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))
    expect(page.locator("#balance")).to_have_text("$0.00")
    expect(page).to_have_title("Alpha Voice")
    visible = page.inner_text("body").lower()
    assert "reflex" not in visible and "reseller portal" not in visible
    assert page.locator("a[href*='reflex.dev']").count() == 0


def test_wrong_password_shows_the_error(page):
    _login(page, "/login", "reseller-a@example.com", "not-the-password")
    expect(page.locator("#login-error")).to_have_text("Incorrect email or password.")
    expect(page).to_have_url(re.compile(r"/login/?$"))


def test_unknown_email_gets_the_same_message(page):
    _login(page, "/login", "nobody@example.com", "whatever-123")
    expect(page.locator("#login-error")).to_have_text("Incorrect email or password.")


def test_sixth_failed_attempt_is_locked(page, app_server):
    rid = app_server["ids"]["b"]
    for _ in range(5):
        _login(page, f"/r/{rid}/login", "lock-b@example.com", "wrong-password")
        expect(page.locator("#login-error")).to_have_text("Incorrect email or password.")
    # The sixth is refused even with the right password.
    _login(page, f"/r/{rid}/login", "lock-b@example.com", PASSWORD)
    expect(page.locator("#login-error")).to_contain_text("locked")
    expect(page).to_have_url(re.compile(rf"/r/{rid}/login/?$"))


def test_client_session_is_turned_away_from_reseller_pages(page, app_server):
    rid = app_server["ids"]["a"]
    _login(page, f"/r/{rid}/login", "client-a@example.com", PASSWORD)
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))
    page.goto("/reseller/clients")
    expect(page).to_have_url(re.compile(r"/login/?$"))
    expect(page.get_by_role("heading", name="Reseller portal")).to_be_visible()


def test_client_cannot_log_in_through_another_resellers_portal(page, app_server):
    other = app_server["ids"]["b"]
    _login(page, f"/r/{other}/login", "client-a@example.com", PASSWORD)
    expect(page.locator("#login-error")).to_have_text("Incorrect email or password.")
    expect(page).to_have_title("Bravo Phone")


def test_the_auto_connect_codes_show_their_message_on_the_login_page(page, app_server):
    from tests.e2e.conftest import SHOTS

    rid = app_server["ids"]["a"]
    page.set_viewport_size({"width": 390, "height": 760})  # a phone: the message wraps inside the card
    page.goto(f"/r/{rid}/login?e=many")  # where /interface/login.php sends an address past its failed sign-ins
    expect(page.locator("#direct-login-error")).to_have_text(
        "Too many failed sign-ins from your address. Please try again in 15 minutes."
    )
    box, card = page.locator("#direct-login-error").bounding_box(), page.locator("form").bounding_box()
    assert box is not None and card is not None and box["x"] + box["width"] <= card["x"] + card["width"] + 1
    page.screenshot(path=str(SHOTS / "client-login-too-many.png"), full_page=True)
    page.locator("#lang-fr_CA").click()  # in the client's language too
    expect(page.locator("#direct-login-error")).to_have_text(
        "Trop de connexions échouées à partir de votre adresse. Veuillez réessayer dans 15 minutes."
    )
    page.locator("#lang-en").click()
    page.goto(f"/r/{rid}/login?e=nonsense")  # an unknown code shows nothing
    expect(page.locator("#email")).to_be_visible()
    expect(page.locator("#direct-login-error")).to_have_count(0)
