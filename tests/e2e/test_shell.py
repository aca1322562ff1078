"""The running app: API mounted beside the UI, our own favicon, and the shells in a narrow window."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.seed import PASSWORD

pytestmark = pytest.mark.e2e


def test_api_is_mounted_beside_the_ui(app_server):
    assert httpx.get(f"{app_server['base']}/api/health").json() == {"status": "ok"}
    assert httpx.get(f"{app_server['base']}/favicon.svg").status_code == 200


def test_reseller_sections_show_honest_empty_states(page):
    page.goto("/login")
    page.locator("#email").fill("reseller-a@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))
    page.get_by_role("link", name="Manage rates & packages").click()
    expect(page.get_by_text("No packages yet")).to_be_visible()
    page.get_by_role("link", name="Manage client's accounts").click()
    expect(page.get_by_text("client-a@example.com")).to_be_visible()


def test_client_portal_in_a_phone_sized_window(browser, app_server):
    ctx = browser.new_context(base_url=app_server["base"], viewport={"width": 390, "height": 800})
    page = ctx.new_page()
    rid = app_server["ids"]["a"]
    page.goto(f"/r/{rid}/login")
    page.locator("#email").fill("client-a@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page.locator("#balance")).to_be_visible()
    for name in ("Balance", "Call history", "Services"):
        link = page.get_by_role("link", name=name)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.get_by_role("link", name="Call history").click()
    # Other browser tests add calls to this client, so either the table or the empty state is fine here.
    expect(page.get_by_role("heading", name="Call history")).to_be_visible()
    expect(page.locator("#call-table").or_(page.get_by_text("No calls yet."))).to_be_visible()
    ctx.close()
