"""Security in the browser: headers on every kind of response, the app working under its CSP, and stored script
payloads (seeded in every shown text field of reseller "sx", and typed into the client's own forms) never running
in the reseller's or the client's browser. Configuration fields are covered in test_configuration.py."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS
from tests.e2e.seed import PASSWORD
from tests.e2e.seeds.security import MARK

pytestmark = [pytest.mark.e2e, pytest.mark.screenshots]  # writes docs/screenshots under make screenshots

# Records CSP violations and script payloads: any of them fails the test.
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = zlib.compress((b"\x00" + b"\x10\x80\xf0" * 8) * 8)
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _watch(page) -> list[str]:
    """Fail-fast hooks: dialogs (alert/confirm) are recorded, CSP violations collected by the init script."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.add_init_script(WATCH)
    return dialogs


def _inert(page, where: str) -> None:
    """Nothing a payload carried became live on this page."""
    state = page.evaluate(
        """() => ({
            xss: window.__xss === undefined ? null : String(window.__xss),
            csp: window.__csp || [],
            handlers: document.querySelectorAll('[onerror],[onload],[onclick],[onmouseover]').length,
            jsLinks: document.querySelectorAll('a[href^="javascript" i],iframe[src^="javascript" i]').length,
            svgs: [...document.querySelectorAll('svg')].filter(s => s.outerHTML.includes('__xss')).length,
            scripts: [...document.scripts].filter(s => s.text.includes('__xss')).length,
        })"""
    )
    assert state == {"xss": None, "csp": [], "handlers": 0, "jsLinks": 0, "svgs": 0, "scripts": 0}, (where, state)


def _reseller_login(page, email: str = "reseller-sx@example.com") -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(r"/reseller/?$"))


def _client_login(page, rid: int) -> None:
    page.goto(f"/r/{rid}/login")
    page.locator("#email").fill("sx-client@example.com")
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))


def _shows_payload_text(page, where: str) -> None:
    """The payload is on the page as text (so the check above looked at rendered data, not an empty page)."""
    expect(page.get_by_text(re.compile(rf"{MARK}\d+")).first, where).to_be_visible()


def _check_headers(r: httpx.Response, where: str) -> None:
    h = r.headers
    assert h.get("x-frame-options") == "DENY", where
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("referrer-policy") == "strict-origin-when-cross-origin", where
    csp = h.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp, (where, csp)


def test_security_headers_on_pages_api_and_uploads(page, app_server):
    rid = app_server["ids"]["sx"]
    _watch(page)
    _reseller_login(page)
    page.goto("/reseller/configuration")
    page.locator("#tab-branding").click()
    page.locator("#up-img_login_logo input[type=file]").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": _png()}]
    )
    field = page.locator("#f-img_login_logo")
    expect(field).to_have_value(re.compile(r"^/_upload/[0-9a-f]{32}\.png$"))
    upload_url = field.input_value()

    with httpx.Client(base_url=app_server["base"], timeout=20) as http:
        for path in ("/login", f"/r/{rid}/login", f"/r/{rid}/dashboard", "/reseller/clients", "/no-such-page"):
            r = http.get(path, follow_redirects=True)
            assert r.status_code in (200, 404), path
            for hop in [*r.history, r]:  # the trailing-slash redirect too
                _check_headers(hop, f"{path} ({hop.status_code})")
            assert "script-src 'self' 'unsafe-inline';" in r.headers["content-security-policy"]
        for path in ("/api/health", "/api/openapi.json", "/api/v1/rest.php", "/ping"):
            _check_headers(http.get(path), path)
        r = http.get(upload_url)
        assert r.status_code == 200 and r.content == _png()
        _check_headers(r, upload_url)
        assert r.headers["content-type"] == "image/png"
        assert "sandbox" in r.headers["content-security-policy"]
        assert "default-src 'none'" in r.headers["content-security-policy"]
        # A JS/CSS asset of the compiled frontend gets them too (served by the same backend).
        html = http.get("/login", follow_redirects=True).text
        asset = re.search(r'(?:src|href)="(/assets/[^"]+\.(?:js|css))"', html)
        assert asset, "no compiled asset referenced by /login"
        _check_headers(http.get(asset.group(1)), asset.group(1))
    _inert(page, "configuration")


def test_the_portal_works_under_its_csp(page, app_server):
    """Both roles sign in, pages load, the websocket carries events, and the browser reports no CSP violation."""
    rid = app_server["ids"]["sx"]
    dialogs = _watch(page)
    _reseller_login(page)  # the login itself is a websocket event answered by a redirect
    for path in (
        "/reseller",
        "/reseller/clients",
        "/reseller/packages",
        "/reseller/reports",
        "/reseller/configuration",
        "/reseller/api",
    ):
        page.goto(path)
        expect(page.locator("body")).not_to_contain_text("Error")
        _inert(page, path)
    # The reports' CSV export (a static script, called as a compiled function: the CSP has no 'unsafe-eval')
    # fetches the API and streams the file: it must work.
    page.goto("/reseller/reports")
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    assert "," in Path(download.value.path()).read_text().splitlines()[0]  # the CSV's header line
    _inert(page, "report export")
    page.goto("/reseller/clients")
    page.locator("#client-search").fill("sx-client")  # a server round trip per keystroke
    expect(page.get_by_role("row").filter(has_text="sx-client@example.com")).to_be_visible()
    _inert(page, "client search")
    _client_login(page, rid)
    expect(page.locator("#balance")).to_contain_text("19")
    _inert(page, "client dashboard")
    assert dialogs == []


RESELLER_PAGES = [
    "/reseller",
    "/reseller/clients",
    "/reseller/clients/{cid}",
    "/reseller/clients/{cid}/edit",
    "/reseller/clients/{cid}/subaccount/{sub}",
    "/reseller/clients/{cid}/numbers",
    "/reseller/packages",
    "/reseller/reports",
]
CLIENT_PAGES = ["dashboard", "balance", "calls", "services"]


def test_seeded_payloads_stay_text_on_every_page_of_both_roles(page, app_server):
    ids = app_server["ids"]
    rid, cid, sub = ids["sx"], ids["sx_client"], ids["sx_sub"]
    dialogs = _watch(page)
    _reseller_login(page)
    for template in RESELLER_PAGES:
        path = template.format(cid=cid, sub=sub)
        page.goto(path)
        page.wait_for_load_state("networkidle")
        if template != "/reseller":
            _shows_payload_text(page, path)
        _inert(page, path)
    page.goto("/reseller/reports")
    for tab in ("cdr", "financial", "subaccounts", "dids"):
        tab_button = page.locator(f"#tab-{tab}")
        if tab_button.count():
            tab_button.click()
            page.wait_for_load_state("networkidle")
            _inert(page, f"reports {tab}")
    page.goto(f"/reseller/clients/{cid}")
    _shows_payload_text(page, "manage page")
    page.screenshot(path=str(SHOTS / "security-payloads-reseller.png"), full_page=True)

    _client_login(page, rid)
    for name in CLIENT_PAGES:
        page.goto(f"/r/{rid}/{name}")
        page.wait_for_load_state("networkidle")
        _shows_payload_text(page, name)
        _inert(page, name)
    page.goto(f"/r/{rid}/services")
    _shows_payload_text(page, "services")
    page.screenshot(path=str(SHOTS / "security-payloads-client.png"), full_page=True)
    assert dialogs == []


def test_payloads_typed_by_a_client_stay_text_for_the_reseller(page, browser, app_server):
    ids = app_server["ids"]
    rid, cid = ids["sx"], ids["sx_client"]
    dialogs = _watch(page)
    _client_login(page, rid)
    page.goto(f"/r/{rid}/services")
    page.locator("#mailbox").fill("2002")
    page.locator("#name").first.fill('"><svg onload=window.__xss=2>')
    page.locator("#pin").fill("4321")
    page.locator("#add-voicemail").click()
    expect(page.get_by_text('"><svg onload=window.__xss=2>')).to_be_visible()
    page.locator("#phone_number").fill("15145550177")
    page.locator("#description").fill("<img src=x onerror=window.__xss=3>")
    page.locator("#add-forwarding").click()
    expect(page.get_by_text("<img src=x onerror=window.__xss=3>")).to_be_visible()
    _inert(page, "client services after typing")

    ctx = browser.new_context(base_url=app_server["base"], viewport={"width": 1280, "height": 860})
    reseller = ctx.new_page()
    reseller.set_default_timeout(20000)
    dialogs += _watch(reseller)
    try:
        _reseller_login(reseller)
        for path in (f"/reseller/clients/{cid}", f"/reseller/clients/{cid}/numbers"):
            reseller.goto(path)
            reseller.wait_for_load_state("networkidle")
            _inert(reseller, path)
    finally:
        ctx.close()
    assert dialogs == []
