"""Issue 20 in the browser: each defect a person tripped over, walking the portal as a reseller and as a client,
and the pages of both roles at 1280 and 390 px (screenshots under `make screenshots`; nothing scrolls sideways)."""

from __future__ import annotations

import csv
import re
import struct
import zlib

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import SHOTS
from tests.e2e.seed import PASSWORD
from tests.e2e.seeds.polish import EMAIL

pytestmark = [pytest.mark.e2e, pytest.mark.screenshots]  # writes docs/screenshots under make screenshots

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
PHONE_MESSAGE = "Enter a valid phone number, e.g. +1 514 555 0142."


def _png(width: int = 32, height: int = 32, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = zlib.compress((b"\x00" + bytes(rgb) * width) * height)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _reseller(page: Page) -> None:
    page.goto("/login")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))


def _client(page: Page, rid: int, email: str) -> None:
    page.goto(f"/r/{rid}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))


def _new(browser, app_server, viewport: dict | None = None, **kw):
    ctx = browser.new_context(base_url=app_server["base"], viewport=viewport or DESKTOP, **kw)
    pg = ctx.new_page()
    pg.set_default_timeout(20000)
    return ctx, pg


def _wide(page: Page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollWidth")


# ------------------------------------------------------------------ 1. Copy


def test_copy_puts_the_auto_connect_form_on_the_clipboard_without_eval(page, app_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.on("pageerror", lambda e: console.append(str(e)))
    _reseller(page)
    page.goto("/reseller/configuration")
    page.locator("#tab-interface").click()
    snippet = page.locator("#snippet").inner_text()
    assert "DirectLogin" in snippet
    page.locator("#copy-snippet").click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == snippet
    assert not [m for m in console if "unsafe-eval" in m or "EvalError" in m], console


# ------------------------------------------------------------------ 2. Phone numbers


def test_every_form_checks_phone_numbers_the_same_way(page, browser, app_server):
    rid = app_server["ids"]["pol"]
    page.goto(f"/r/{rid}/signup")
    page.locator("#su-email").fill("newbie@example.com")
    page.locator("#su-password").fill("long-enough-pw")
    page.locator("#su-firstname").fill("New")
    page.locator("#su-lastname").fill("Comer")
    page.locator("#su-phone_number").fill("call me<script>")
    page.locator("#signup-submit").click()
    expect(page.locator("#err-phone_number")).to_have_text(PHONE_MESSAGE)
    expect(page.locator("#signup-done")).to_have_count(0)

    ctx, rp = _new(browser, app_server)
    try:
        _reseller(rp)
        rp.goto("/reseller/clients/new")
        rp.locator("#f-firstname").fill("Twelve")
        rp.locator("#f-email").fill("twelve@example.com")
        rp.locator("#f-password").fill("long-enough-pw")
        rp.locator("#f-phone_number").fill("12")
        rp.locator("#save-client").click()
        expect(rp.locator("#err-phone_number")).to_have_text(PHONE_MESSAGE)
        # The message goes as soon as the field is corrected (not at the next submit).
        rp.locator("#f-phone_number").fill("+1 514 555 0142")
        expect(rp.locator("#err-phone_number")).to_have_count(0)
    finally:
        ctx.close()


# ------------------------------------------------------------------ 3. Double-click on Buy


def test_a_double_click_on_buy_buys_one_number_and_confirms_it(page, app_server):
    rid = app_server["ids"]["pol"]
    _client(page, rid, "buyer@example.com")
    page.get_by_role("link", name="Services").click()
    number = page.locator("#buy-number").input_value()
    assert re.fullmatch(r"\d{11}", number)
    # Rings the client's first sub-account by default, not "no sub-account".
    expect(page.locator("#buy-sub")).to_have_value(re.compile(r"^\d+$"))
    page.locator("#buy-did").dblclick()
    expect(page.locator("#svc-message")).to_have_text(f"Number {number} is yours. Setup fee: $0.50.")
    expect(page.locator("#err-number")).to_have_count(0)
    expect(page.get_by_role("cell", name=number, exact=True)).to_have_count(1)
    page.get_by_role("link", name="Balance").click()
    expect(page.locator("#transactions")).to_contain_text(f"Phone number {number} setup fee")
    expect(page.locator("#transactions tbody tr")).to_have_count(1)  # charged once


# ------------------------------------------------------------------ 4. Call history


def test_call_history_refusals_are_said_and_the_export_is_newest_first(page, app_server):
    rid = app_server["ids"]["pol"]
    first, second, third = app_server["ids"]["pol_days"]
    _client(page, rid, "calls@example.com")
    page.get_by_role("link", name="Call history").click()
    expect(page.locator("#call-total")).to_have_text("Matching calls: 3")
    with page.expect_download() as info:
        page.locator("#export-csv").click()
    with open(info.value.path(), encoding="utf-8") as f:
        days = [row["date"][:10] for row in csv.DictReader(f)]
    assert days == [third, second, first]  # as the page lists them: newest first
    # A refused range: said beside the filters, for Apply and for Export, and no old results stay on screen.
    page.locator("#f-from").fill(third)
    page.locator("#f-to").fill(first)
    page.locator("#apply-filters").click()
    expect(page.locator("#call-error")).to_contain_text("before the start date")
    expect(page.locator("#call-total")).to_have_count(0)
    expect(page.locator("#call-table")).to_have_count(0)
    page.locator("#f-from").fill(second)
    page.locator("#f-to").fill(first)
    downloads: list = []
    page.on("download", lambda d: downloads.append(d))
    page.locator("#export-csv").click()
    expect(page.locator("#call-error")).to_contain_text("before the start date")
    page.locator("#f-to").fill(third)
    page.locator("#apply-filters").click()
    expect(page.locator("#call-total")).to_have_text("Matching calls: 2")
    assert downloads == []


# ------------------------------------------------------------------ 5. Spending panels


def test_spending_panels_count_the_days_fees(page, app_server):
    _client(page, app_server["ids"]["pol"], "fees@example.com")
    expect(page.locator("#balance")).to_have_text("$17.00")
    expect(page.locator("#today-spent")).to_have_text("$3.00")
    expect(page.locator("#month-spent")).to_have_text("$3.00")


def test_a_suspended_client_is_told_how_to_pay_without_paypal(page, app_server):
    _client(page, app_server["ids"]["pol"], "broke-pol@example.com")
    expect(page.locator("#suspended-note")).to_contain_text("suspended")
    expect(page.locator("#payment-instructions")).to_have_text(
        "Pay by bank transfer to account 12-345, reference your email."
    )


# ------------------------------------------------------------------ 6. Simple view


def test_simple_view_keeps_technical_settings_off_the_services_page(page, app_server):
    _client(page, app_server["ids"]["pol"], "tech@example.com")
    page.get_by_role("link", name="Services").click()
    page.locator("[id^=edit-]").first.click()
    expect(page.locator("#sub-callerid")).to_be_visible()
    expect(page.locator("#sub-codecs")).to_have_count(0)
    expect(page.locator("#sub-dtmf")).to_have_count(0)
    assert "dtmf" not in page.inner_text("body").lower() and "codec" not in page.inner_text("body").lower()


# ------------------------------------------------------------------ 7 and 8. Welcome headings, long titles


def test_welcome_headings_keep_their_look_and_a_long_title_fits_a_phone(browser, app_server):
    rid = app_server["ids"]["pol"]
    for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
        ctx, pg = _new(browser, app_server, viewport)
        try:
            pg.goto(f"/r/{rid}/login")
            expect(pg.locator("#submit")).to_be_enabled()
            assert _wide(pg) <= viewport["width"]
            pg.screenshot(path=str(SHOTS / f"client-login-long-title{suffix}.png"), full_page=True)
            _client(pg, rid, "fees@example.com")
            heading = pg.locator("#welcome h3")
            expect(heading).to_have_text("Our news")
            size = float(heading.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
            para = float(pg.locator("#welcome p").evaluate("e => getComputedStyle(e).fontSize").removesuffix("px"))
            assert size > para * 1.15, (size, para)
            assert pg.locator("#welcome li").evaluate("e => getComputedStyle(e).display") == "list-item"
            assert _wide(pg) <= viewport["width"]
            pg.screenshot(path=str(SHOTS / f"client-dashboard-welcome{suffix}.png"), full_page=True)
        finally:
            ctx.close()


# ------------------------------------------------------------------ 9. Payment tab


def test_payment_tab_says_paypal_is_not_set_up_and_calls_a_negative_amount_negative(page, app_server):
    _reseller(page)
    page.goto("/reseller/configuration")
    page.locator("#tab-payment").click()
    expect(page.locator("#paypal-not-configured")).to_be_visible()
    page.locator("#f-paypal_email").fill("pay@example.com")
    page.locator("#f-deposit_amounts").fill("10,-5")
    page.locator("#save-payment").click()
    expect(page.locator("#err-deposit_amounts")).to_have_text("'-5' must be positive.")
    page.locator("#f-deposit_amounts").fill("10,25")
    expect(page.locator("#f-paypal_enabled")).to_have_attribute("aria-checked", "false")
    page.locator("#f-paypal_enabled").click()
    expect(page.locator("#f-paypal_enabled")).to_have_attribute("aria-checked", "true")
    page.locator("#save-payment").click()
    expect(page.locator("#notice-payment")).to_contain_text("will not see PayPal deposits")
    page.screenshot(path=str(SHOTS / "config-payment.png"), full_page=True)


# ------------------------------------------------------------------ 10. Auto-connect with a session


def test_a_wrong_auto_connect_password_does_not_open_the_previous_session(page, app_server):
    rid = app_server["ids"]["pol"]
    _client(page, rid, "alice@example.com")
    page.evaluate(
        """([uid]) => {
            const f = document.createElement('form');
            f.method = 'POST'; f.action = '/interface/login.php';
            for (const [k, v] of [['UID', uid], ['action', 'DirectLogin'], ['col_email', 'bob@example.com'],
                                  ['col_password', 'not-his-password']]) {
                const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
            }
            document.body.appendChild(f); f.submit();
        }""",
        [str(rid)],
    )
    expect(page).to_have_url(re.compile(rf"/r/{rid}/login\?e=bad$"))
    expect(page.locator("#direct-login-error")).to_have_text("Incorrect email or password.")
    expect(page.locator("#submit")).to_be_enabled()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/login\?e=bad$"))  # stays on the error, not Alice's dashboard


# ------------------------------------------------------------------ 11 and 12. Favicon, og:image, preview


def test_favicons_are_the_portals_own_and_no_framework_leftovers(page, browser, app_server, tmp_path):
    rid = app_server["ids"]["pol"]
    assert httpx.get(f"{app_server['base']}/favicon.ico").status_code == 200
    page.goto("/login")
    expect(page.locator("#submit")).to_be_enabled()
    assert page.locator("meta[property='og:image'][content='favicon.ico']").count() == 0
    assert page.locator("link[rel='icon']").first.get_attribute("href") == "/favicon.ico"
    _reseller(page)
    page.goto("/reseller/configuration")
    page.locator("#tab-branding").click()
    svg = tmp_path / "icon.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    page.locator("#up-img_favicon input[type=file]").set_input_files(str(svg))
    expect(page.locator("#err-img_favicon")).to_have_text("Upload a PNG or ICO icon.")
    icon = tmp_path / "icon.png"
    icon.write_bytes(_png())
    page.locator("#up-img_favicon input[type=file]").set_input_files(str(icon))
    expect(page.locator("#f-img_favicon")).to_have_value(re.compile(r"^/_upload/[0-9a-f]{32}\.png$"))
    href = page.locator("#f-img_favicon").input_value()
    page.locator("#save-branding").click()
    expect(page.locator("#notice-branding")).to_have_text("Saved.")
    ctx, client = _new(browser, app_server)
    try:
        client.goto(f"/r/{rid}/login")
        expect(client.locator(f"link[rel='icon'][href='{href}']")).to_have_count(1)
        assert httpx.get(f"{app_server['base']}{href}").status_code == 200
    finally:
        ctx.close()


def test_branding_preview_follows_the_forgot_password_switch(page, app_server):
    _reseller(page)
    page.goto("/reseller/configuration")
    page.locator("#tab-branding").click()
    expect(page.locator("#preview-forgot")).to_be_visible()
    page.locator("#tab-display").click()
    page.locator("#f-show_forgot_password").click()  # a draft: the preview follows before any save
    page.locator("#tab-branding").click()
    expect(page.locator("#preview-login-button")).to_be_visible()
    expect(page.locator("#preview-forgot")).to_have_count(0)


# ------------------------------------------------------------------ 13. Billing dates


def test_a_next_billing_date_in_the_past_is_refused(page, app_server):
    _reseller(page)
    page.goto("/reseller/clients/new")
    page.locator("#f-firstname").fill("Past")
    page.locator("#f-email").fill("past@example.com")
    page.locator("#f-password").fill("long-enough-pw")
    page.locator("#f-next_billing_date").fill("2001-01-01")
    page.locator("#save-client").click()
    expect(page.locator("#err-next_billing_date")).to_contain_text("today or a later date")
    expect(page).to_have_url(re.compile(r"/new/?$"))


# ------------------------------------------------------------------ 14. Client management


def test_create_form_keeps_early_typing_and_shows_the_password_rule(page, app_server):
    _reseller(page)
    page.goto("/reseller/clients/new", wait_until="commit")
    page.locator("#f-firstname").fill("Early")  # as soon as the field takes input
    expect(page.locator("#hint-password")).to_have_text("At least 8 characters.")  # said before any error
    expect(page.locator("#f-sub-choice")).to_be_visible()  # the page's data is in
    expect(page.locator("#f-firstname")).to_have_value("Early")


def test_manage_refuses_long_descriptions_and_says_amount_errors_plainly(page, app_server):
    _reseller(page)
    page.goto(f"/reseller/clients/{app_server['ids']['pol_alice']}")
    page.locator("#pay-amount").fill("abc")
    page.locator("#pay-description").fill("Cash")
    page.locator("#pay-submit").click()
    expect(page.locator("#err-amount")).to_have_text("Enter a number such as 25.00.")
    page.locator("#pay-amount").fill("5.00")
    page.locator("#pay-description").fill("x" * 600)
    page.locator("#pay-submit").click()
    expect(page.locator("#err-description")).to_have_text("Use at most 255 characters (this has 600).")
    expect(page.locator("#client-balance")).to_have_text("$0.00")


def test_edit_save_says_saved(page, app_server):
    _reseller(page)
    page.goto(f"/reseller/clients/{app_server['ids']['pol_bob']}/edit")
    page.locator("#f-company").fill("Bob's Bakery")
    page.locator("#f-phone_number").fill("(514) 555-0199")
    page.locator("#save-client").click()
    expect(page.locator("#form-notice")).to_have_text("Saved.")
    expect(page.locator("#f-phone_number")).to_have_value("(514) 555-0199")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#form-notice")).to_have_text("Saved.")  # still there: no reload wipes it


def test_opening_another_client_never_shows_the_previous_one(page, app_server):
    ids = app_server["ids"]
    _reseller(page)
    page.goto(f"/reseller/clients/{ids['pol_alice']}")
    expect(page.get_by_text("alice@example.com")).to_be_visible()
    page.goto(f"/reseller/clients/{ids['pol_bob']}/edit")  # Bob's edit page: nothing of Alice's on it
    expect(page.locator("#f-email")).to_have_value("bob@example.com")
    # Watch every frame from here: once the address is Bob's manage page, Alice's email must never be on screen.
    page.evaluate(
        """([path]) => { window.__stale = false; const look = () => {
            if (location.pathname.replace(/\\/$/, '') === path && document.body.innerText.includes('alice@example.com'))
                window.__stale = true;
            requestAnimationFrame(look); }; requestAnimationFrame(look); }""",
        [f"/reseller/clients/{ids['pol_bob']}"],
    )
    page.get_by_role("link", name="Manage client", exact=True).click()  # a link within the app: the page's state stays
    expect(page.get_by_text("Bob Pol · bob@example.com")).to_be_visible()
    expect(page.locator("#client-balance")).to_be_visible()
    assert page.evaluate("() => window.__stale") is False


def test_connect_numbers_names_the_client_and_searches_the_numbers(page, app_server):
    _reseller(page)
    page.goto(f"/reseller/clients/{app_server['ids']['pol_bob']}/numbers")
    expect(page.locator("#numbers-client")).to_contain_text("bob@example.com")
    total = page.locator("#did-count").inner_text()
    page.locator("#advanced").click()
    first = page.locator(".did-pick").first.locator("xpath=..").inner_text()
    digits = re.sub(r"\D", "", first.split("·")[0])
    page.locator("#did-search").fill(digits)
    expect(page.locator(".did-pick")).to_have_count(1)
    expect(page.locator("#did-count")).not_to_have_text(total)
    page.screenshot(path=str(SHOTS / "connect-numbers.png"), full_page=True)


def test_export_status_stays_with_its_report(page, app_server):
    _reseller(page)
    page.goto("/reseller/reports")
    expect(page.locator("#total-count")).to_be_visible()  # the report is loaded: the fields are the page's now
    page.locator("#date-from").fill("2026-09-01")
    page.locator("#date-to").fill("2026-09-30")
    expect(page.locator("#total-count")).to_have_text("3")
    with page.expect_download():
        page.locator("#export-csv").click()
    expect(page.locator("#export-status")).to_have_text("Exported 3 rows.")
    page.locator("#tab-dids").click()
    expect(page.locator("#export-status")).not_to_be_visible()
    expect(page.locator("#export-status")).to_have_text("")


# ------------------------------------------------------------------ 15. Per-area rates


def test_area_rates_errors_wrap_and_import_messages_go(page, app_server, tmp_path):
    _reseller(page)
    page.goto("/reseller/packages")
    page.locator("tr", has_text="Pol Standard").get_by_role("button", name="Edit").click()
    page.get_by_role("tab", name="Edit rates (per area)").click()
    csv_file = tmp_path / "rates.csv"
    csv_file.write_text("prefix,country,rate\n4420,,0.0300\n")
    page.locator("#area-csv input[type=file]").set_input_files(str(csv_file))
    expect(page.locator("#import-message")).to_have_text("Imported 1 rate.")
    expect(page.locator("#area-count")).to_have_text("1 rate")
    page.locator("#area-target").fill("Z" * 60)
    page.locator("#area-rate").fill("0.01")
    page.locator("#area-add").click()
    expect(page.locator("#err-target")).to_be_visible()
    expect(page.locator("#import-message")).to_have_count(0)  # the import's news is gone after the next action
    form_right = page.locator("#area-add").bounding_box()
    card = page.locator("#area-target").locator("xpath=ancestor::div[contains(@class,'rt-Card')][1]").bounding_box()
    assert form_right["x"] + form_right["width"] <= card["x"] + card["width"]
    err = page.locator("#err-target").bounding_box()
    assert err["width"] <= 240  # wraps under its field


# ------------------------------------------------------------------ Every page at 390 px


RESELLER_PAGES = [
    ("overview", "/reseller"),
    ("config", "/reseller/configuration"),
    ("packages", "/reseller/packages"),
    ("clients", "/reseller/clients"),
    ("client-new", "/reseller/clients/new"),
    ("client-manage", "/reseller/clients/{pol_alice}"),
    ("client-edit", "/reseller/clients/{pol_alice}/edit"),
    ("subaccount", "/reseller/clients/{pol_alice}/subaccount/new"),
    ("numbers", "/reseller/clients/{pol_alice}/numbers"),
    ("reports", "/reseller/reports"),
    ("api", "/reseller/api"),
]
CLIENT_PAGES = ["dashboard", "balance", "calls", "services"]


def test_no_page_of_either_role_scrolls_sideways_on_a_phone(browser, app_server):
    ids = app_server["ids"]
    rid = ids["pol"]
    for viewport, suffix in ((PHONE, "-phone"), (DESKTOP, "")):
        ctx, pg = _new(browser, app_server, viewport)
        try:
            public = (("login", "/login"), ("client-login", f"/r/{rid}/login"), ("signup", f"/r/{rid}/signup"))
            for name, path in public:
                pg.goto(path)
                expect(pg.locator("#submit, #signup-submit").first).to_be_visible()
                assert _wide(pg) <= viewport["width"], name
            _reseller(pg)
            for name, path in RESELLER_PAGES:
                pg.goto(path.format(**ids))
                expect(pg.locator("h1:visible").first).to_be_visible()
                pg.wait_for_load_state("networkidle")
                assert _wide(pg) <= viewport["width"], (name, _wide(pg))
                if suffix:
                    pg.screenshot(path=str(SHOTS / f"reseller-{name}{suffix}.png"), full_page=True)
            if suffix:
                menu = pg.locator("#nav-menu-button")
                expect(menu).to_be_visible()
                expect(pg.locator("#sidebar")).to_be_hidden()
                menu.click()
                expect(pg.locator("#nav-menu").get_by_role("link", name="Reports")).to_be_visible()
            for email in ("calls@example.com", "broke-pol@example.com"):
                _client(pg, rid, email)
                for name in CLIENT_PAGES:
                    pg.goto(f"/r/{rid}/{name}")
                    expect(pg.get_by_role("heading").first).to_be_visible()
                    pg.wait_for_load_state("networkidle")
                    assert _wide(pg) <= viewport["width"], (email, name, _wide(pg))
                    if suffix and email.startswith("calls"):
                        pg.screenshot(path=str(SHOTS / f"client-{name}{suffix}.png"), full_page=True)
                pg.locator("#client-logout").click()
        finally:
            ctx.close()


# ------------------------------------------------------------------ Rich-text welcome text


def test_the_welcome_text_is_edited_in_a_rich_text_editor_and_stays_clean(page, browser, app_server):
    rid = app_server["ids"]["pol"]
    _reseller(page)
    page.goto("/reseller/configuration")
    page.locator("#tab-messages").click()
    editor = page.locator("#welcome-editor .ql-editor")
    expect(editor.locator("h3")).to_have_text("Our news")  # the saved text, in the editor
    editor.locator("p").first.click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.locator("#welcome-editor .ql-size .ql-picker-label").click()
    page.locator("#welcome-editor .ql-size .ql-picker-item[data-value='24px']").click()
    page.keyboard.type("Big news")
    page.locator("#welcome-editor .ql-toolbar button.ql-italic").click()
    page.keyboard.type(" today")
    expect(page.locator("#welcome-preview span[style*='font-size:24px']")).to_contain_text("Big news")
    expect(page.locator("#welcome-preview em")).to_have_text("today")
    page.locator("#cmp-img").fill("javascript:alert(1)")
    page.locator("#cmp-add-image").click()
    expect(page.locator("#err-cmp_img")).to_be_visible()
    page.locator("#cmp-img").fill("")
    page.locator("#save-messages").click()
    expect(page.locator("#notice-messages")).to_have_text("Saved.")
    ctx, client = _new(browser, app_server)
    try:
        _client(client, rid, "calls@example.com")
        expect(client.locator("#welcome span[style*='font-size:24px']")).to_contain_text("Big news")
        expect(client.locator("#welcome em")).to_have_text("today")
        expect(client.locator("#welcome h3")).to_have_text("Our news")
    finally:
        ctx.close()
    page.screenshot(path=str(SHOTS / "config-messages.png"), full_page=True)


# ------------------------------------------------------------------ Sub-account forms


def test_sub_account_forms_use_labelled_controls_and_keep_the_password_hidden(page, browser, app_server):
    ids = app_server["ids"]
    _client(page, ids["pol"], "buyer@example.com")
    page.get_by_role("link", name="Services").click()
    page.locator("[id^=edit-]").first.click()
    expect(page.get_by_text("Caller ID number")).to_be_visible()  # words, not the raw keys
    expect(page.locator("#sub-dtmf option")).to_have_text(["Automatic", "RFC 2833", "In-band", "SIP INFO"])
    page.locator("#sub-dtmf").select_option("rfc2833")
    page.locator(".sub-codec-g722").click()
    page.locator("#save-sub").click()
    expect(page.locator("#svc-message")).to_have_text("Sub-account saved.")

    ctx, rp = _new(browser, app_server)
    try:
        _reseller(rp)
        rp.goto(f"/reseller/clients/{ids['pol_buyer']}")
        rp.get_by_role("link", name=re.compile(r"_main$")).click()
        field = rp.locator("#s-password")
        expect(field).to_have_attribute("type", "password")
        before = field.input_value()
        rp.locator("#s-password-generate").click()
        expect(field).to_have_attribute("type", "text")  # a new password is shown so it can be passed on
        expect(field).not_to_have_value(before)
        rp.locator("#s-password-show").click()
        expect(field).to_have_attribute("type", "password")
    finally:
        ctx.close()
