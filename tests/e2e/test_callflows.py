"""The client builds a phone system in the browser: business hours → IVR → ring group with voicemail, routes a
number to it, reads the diagram and asks the simulator; then the reseller hides IVR on the package."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS
from tests.e2e.seed import PASSWORD
from tests.e2e.seeds.callflows import CLIENT_EMAIL, RESELLER_EMAIL

pytestmark = [pytest.mark.e2e, pytest.mark.screenshots]  # writes docs/screenshots under make screenshots

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00" + b"\x00" * 512
OPEN_2 = "Time condition Business hours (open) → IVR Main → 2 → Ring group Sales → 100900_alice"
SUNDAY = "Time condition Business hours (closed) → Voicemail 200 (Sales)"


def _client_login(page, rid: int) -> None:
    page.goto(f"/r/{rid}/login")
    page.locator("#email").fill(CLIENT_EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.locator("#submit").click()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/dashboard/?$"))


def _new(page, tab: str) -> None:
    page.locator(f"#tab-{tab}").click()
    page.locator("#new-object").click()
    expect(page.locator("#object-form")).to_be_visible()


def _pick(page, field: str, label: str) -> None:
    page.locator(f"#f-{field}").select_option(label=label)


def _save_and_see(page, name: str) -> None:
    page.locator("#save-object").click()
    expect(page.locator("#ps-message")).to_have_text("Saved.")
    expect(page.locator("#object-list")).to_contain_text(name)


def _simulate(page, day: str, at: str, keys: str) -> None:
    page.locator("#f-day").fill(day)
    page.locator("#f-at").fill(at)
    page.locator("#f-keys").fill(keys)
    page.locator("#simulate").click()


def test_build_route_draw_and_simulate_then_the_reseller_hides_ivr(page, browser, app_server):
    rid = app_server["ids"]["pbx"]
    _client_login(page, rid)
    page.get_by_role("link", name="Phone system").click()
    expect(page).to_have_url(re.compile(rf"/r/{rid}/phone-system/?$"))

    # A greeting, uploaded and playable in the page.
    page.locator("#tab-recording").click()
    page.locator("#new-object").click()
    page.locator("#f-name").fill("Welcome")
    page.locator("#recording-upload input[type=file]").set_input_files(
        files=[{"name": "welcome.wav", "mimeType": "audio/wav", "buffer": WAV}]
    )
    expect(page.locator("#chosen-file")).to_have_text("welcome.wav")
    page.locator("#upload-recording").click()
    expect(page.locator("#ps-message")).to_have_text("Recording uploaded.")
    audio = page.locator("#object-list audio")
    expect(audio).to_have_count(1)
    src = audio.get_attribute("src")
    assert re.fullmatch(r"/_upload/[0-9a-f]{32}\.wav", src)
    served = page.request.get(app_server["base"] + src)
    assert served.ok and served.body() == WAV

    # An empty ring group is refused beside its members; then Sales with both phones and the Sales voicemail.
    _new(page, "grp")
    page.locator("#f-name").fill("Empty")
    page.locator("#save-object").click()
    expect(page.locator("#err-members")).to_have_text("Add at least one member.")
    page.locator("#f-name").fill("Sales")
    _pick(page, "member_1", "100900_alice")
    _pick(page, "member_2", "100900_bob")
    _pick(page, "voicemail_id", "Voicemail 200 (Sales)")
    _save_and_see(page, "Sales")

    _new(page, "ivr")
    page.locator("#f-name").fill("Main")
    _pick(page, "recording_id", "Welcome")
    _pick(page, "choice_1", "100900_alice")
    _pick(page, "choice_2", "Ring group Sales")
    _pick(page, "timeout_dest", "Hang up")
    _save_and_see(page, "Main")

    _new(page, "tc")
    page.locator("#f-name").fill("Business hours")
    # Rule 1 comes filled with Mon–Fri 09:00–17:00; a second rule ending before it starts is refused.
    page.locator("#f-rule_2_from").select_option("sat")
    page.locator("#f-rule_2_to").select_option("sat")
    page.locator("#f-rule_2_start").fill("12:00")
    page.locator("#f-rule_2_end").fill("10:00")
    _pick(page, "match", "IVR Main")
    _pick(page, "nomatch", "Voicemail 200 (Sales)")
    page.locator("#save-object").click()
    expect(page.locator("#err-rule_2_end")).to_have_text("The end is not after the start.")
    for part in ("from", "to"):
        page.locator(f"#f-rule_2_{part}").select_option("")
    page.locator("#f-rule_2_start").fill("")
    page.locator("#f-rule_2_end").fill("")
    _save_and_see(page, "Mon–Fri 09:00–17:00")
    page.locator("#tab-ivr").click()
    page.locator("#edit-Main").click()
    expect(page.locator("#f-choice_2")).to_have_value(re.compile(r"^grp:\d+$"))
    page.screenshot(path=str(SHOTS / "client-phone-system.png"), full_page=True)
    page.locator("#cancel-object").click()

    # Route the number to the hours and read the diagram.
    page.get_by_role("link", name="Call flows").click()
    expect(page.locator("#number-list")).to_contain_text("100900_alice")
    _pick(page, "routing", "Time condition Business hours")
    _pick(page, "failover_busy", "Voicemail 200 (Sales)")
    page.locator("#save-routing").click()
    expect(page.locator("#cf-message")).to_have_text("Routing saved.")
    expect(page.locator("#number-list")).to_contain_text("Time condition Business hours")
    diagram = page.locator("#flow-diagram")
    for text in (
        "Time condition Business hours",
        "Mon–Fri 09:00–17:00",
        "IVR Main",
        "Ring group Sales",
        "100900_bob",
        "Voicemail 200 (Sales)",
        "busy",
    ):
        expect(diagram).to_contain_text(text)

    # What happens if: Wednesday 10:30 pressing 2, and a Sunday call.
    _simulate(page, "2026-12-02", "10:30", "2")
    expect(page.locator("#sim-path")).to_have_text(OPEN_2)
    expect(page.locator("#sim-unanswered")).to_have_text(
        "Time condition Business hours (open) → IVR Main → 2 → Ring group Sales → no answer → Voicemail 200 (Sales)"
    )
    page.screenshot(path=str(SHOTS / "client-call-flows.png"), full_page=True)
    _simulate(page, "2026-12-06", "10:30", "2")
    expect(page.locator("#sim-path")).to_have_text(SUNDAY)
    expect(page.locator("#sim-ended")).to_have_text("Ends: voicemail")
    # Keys that are not keys are refused beside the field.
    _simulate(page, "2026-12-02", "10:30", "2x")
    expect(page.locator("#err-keys")).to_have_text("Use only the keys 0-9, * and #.")

    # The same page on a phone: nothing sticks out sideways.
    phone = browser.new_context(base_url=app_server["base"], viewport={"width": 390, "height": 844})
    p = phone.new_page()
    p.set_default_timeout(20000)
    _client_login(p, rid)
    p.goto(f"/r/{rid}/call-flows")
    expect(p.locator("#flow-diagram")).to_contain_text("Ring group Sales")
    _simulate(p, "2026-12-02", "10:30", "2")
    expect(p.locator("#sim-path")).to_have_text(OPEN_2)
    assert p.evaluate("() => document.documentElement.scrollWidth") <= 390
    p.screenshot(path=str(SHOTS / "client-call-flows-phone.png"), full_page=True)
    phone.close()

    # The reseller hides IVR on the client's package.
    reseller = browser.new_context(base_url=app_server["base"], viewport={"width": 1280, "height": 860})
    r = reseller.new_page()
    r.set_default_timeout(20000)
    r.goto("/login")
    r.locator("#email").fill(RESELLER_EMAIL)
    r.locator("#password").fill(PASSWORD)
    r.locator("#submit").click()
    expect(r).to_have_url(re.compile(r"/reseller/?$"))
    r.get_by_role("link", name="Manage rates & packages").click()
    r.get_by_role("row").filter(has_text="PBX").get_by_role("button", name="Edit").click()
    r.get_by_role("tab", name="Services configuration").click()
    tick = r.locator("#tick-services-ivr")
    expect(tick).to_have_attribute("data-state", "checked")
    tick.click()
    expect(tick).to_have_attribute("data-state", "unchecked")
    r.locator("#pkg-save").click()
    expect(r.locator("#saved")).to_be_visible()
    reseller.close()

    # The client loses IVR: no tab, no IVR to pick; the flow that uses one keeps working.
    page.goto(f"/r/{rid}/phone-system")
    expect(page.locator("#tab-grp")).to_be_visible()
    expect(page.locator("#tab-ivr")).to_have_count(0)
    _new(page, "tc")
    assert "IVR Main" not in page.locator("#f-match").inner_text()
    page.goto(f"/r/{rid}/call-flows")
    expect(page.locator("#flow-diagram")).to_contain_text("IVR Main")
    # Wait for the page's own load: the tab first shows its last state, which still offered the IVR.
    expect(page.locator("#f-routing")).not_to_contain_text("IVR Main")
    _simulate(page, "2026-12-02", "10:30", "2")
    expect(page.locator("#sim-path")).to_have_text(OPEN_2)
