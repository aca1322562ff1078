"""Reseller configuration: each tab validates, saves only its own fields, and refuses other callers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import AuditLog, Reseller, ResellerSettings
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.settings import branding as portal
from reseller_app.services.settings import configuration as config

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
PAYLOADS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)")


def _settings(rid: int) -> ResellerSettings:
    with session_scope() as s:
        return s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == rid)).one()


def _form(world) -> dict[str, str]:
    return config.load(world["actor_a"])["form"]


def test_load_gives_strings_of_every_tab(world):
    data = config.load(world["actor_a"])
    assert set(config.ALL_FIELDS) <= set(data["form"])
    assert all(isinstance(v, str) for v in data["form"].values())
    assert data["form"]["did_minute"] == "0.00"
    assert data["reseller_id"] == str(world["ra"])


def test_client_actor_and_anonymous_are_refused(world):
    client = Actor("client", world["ra"], world["c"])
    for call in (
        lambda a: config.load(a),
        lambda a: config.save_section(a, "branding", {}),
        lambda a: config.set_active(a, True),
        lambda a: config.request_hostname(a, "portal.example.com"),
        lambda a: config.store_upload(a, "img_header", PNG, __import__("pathlib").Path("/tmp")),
    ):
        with pytest.raises(Forbidden):
            call(client)
        with pytest.raises(Forbidden):
            call(None)


def test_unknown_section_and_slot_are_not_found(world, tmp_path):
    with pytest.raises(NotFound):
        config.save_section(world["actor_a"], "reseller", {})
    with pytest.raises(NotFound):
        config.store_upload(world["actor_a"], "password_hash", PNG, tmp_path)


def test_hand_crafted_reseller_id_is_not_found(world):
    with pytest.raises(NotFound):
        config.load(Actor("reseller", 999999))


def test_activation_turns_the_portal_on_for_that_reseller_only(world):
    with session_scope() as s:
        s.get(Reseller, world["ra"]).portal_active = False
        s.get(Reseller, world["rb"]).portal_active = False
    assert config.set_active(world["actor_a"], True) is True
    with session_scope() as s:
        assert s.get(Reseller, world["ra"]).portal_active
        assert not s.get(Reseller, world["rb"]).portal_active


def test_branding_saves_and_is_published(world):
    form = _form(world)
    form.update(title="Acme Voice", btn_primary_bg="#ABC", color_navbar="#112233")
    saved = config.save_section(world["actor_a"], "branding", form)
    assert saved["btn_primary_bg"] == "#abc"
    pub = portal.public_branding(world["ra"])
    assert pub["title"] == "Acme Voice" and pub["color_navbar"] == "#112233"
    assert portal.public_branding(world["rb"])["title"] != "Acme Voice"


@pytest.mark.parametrize("bad", ["red", "#12345", "#ggg", "#1234567", "#123;background:url(x)", ""])
def test_bad_colours_are_refused_and_nothing_saved(world, bad):
    form = _form(world)
    form.update(title="Changed", color_link=bad)
    with pytest.raises(ValidationFailed) as e:
        config.save_section(world["actor_a"], "branding", form)
    assert "color_link" in e.value.errors
    assert _settings(world["ra"]).title != "Changed"


@pytest.mark.parametrize(
    "url,ok",
    [
        ("https://cdn.example.com/logo.png", True),
        ("/_upload/" + "a" * 32 + ".png", True),
        ("http://cdn.example.com/logo.png", False),
        ("javascript:alert(1)", False),
        ("data:image/svg+xml;base64,PHN2Zz4=", False),
        ("https://x.com/a.png) ; background:url(javascript:1", False),
        ("/_upload/../secret.png", False),
        ("//evil.example.com/x.png", False),
    ],
)
def test_image_urls_are_https_or_our_uploads(world, url, ok):
    form = _form(world)
    form["img_login_logo"] = url
    if ok:
        assert config.save_section(world["actor_a"], "branding", form)["img_login_logo"] == url
    else:
        with pytest.raises(ValidationFailed) as e:
            config.save_section(world["actor_a"], "branding", form)
        assert "img_login_logo" in e.value.errors


def test_a_bad_tab_leaves_the_other_tabs_alone(world):
    form = _form(world)
    form.update(paypal_email="pay@example.com", deposit_amounts="5,10")
    config.save_section(world["actor_a"], "payment", form)
    form.update(color_text="nope", paypal_email="changed@example.com")
    with pytest.raises(ValidationFailed):
        config.save_section(world["actor_a"], "branding", form)
    assert _settings(world["ra"]).paypal_email == "pay@example.com"


def test_uploads_accept_real_images_only(world, tmp_path):
    for data, ext in ((PNG, "png"), (JPEG, "jpg"), (WEBP, "webp")):
        url = config.store_upload(world["actor_a"], "img_login_logo", data, tmp_path)
        assert url.startswith("/_upload/") and url.endswith("." + ext)
        assert (tmp_path / url.removeprefix("/_upload/")).read_bytes() == data
    for bad in (SVG, b"GIF89a" + b"\x00" * 10, b"<html><script>alert(1)</script>", b"", PNG + b"\x00" * (2 << 20)):
        with pytest.raises(ValidationFailed):
            config.store_upload(world["actor_a"], "img_login_logo", bad, tmp_path)
    # Only the three accepted images were written.
    assert len(list(tmp_path.iterdir())) == 3


def test_uploaded_url_passes_branding_validation(world, tmp_path):
    url = config.store_upload(world["actor_a"], "img_login_logo", PNG, tmp_path)
    form = _form(world)
    form["img_login_logo"] = url
    assert config.save_section(world["actor_a"], "branding", form)["img_login_logo"] == url


def test_interface_rates_are_exact_decimals(world):
    form = _form(world)
    form.update(did_setup="1.50", did_monthly="2.25", did_minute="0.0085", fax_minute="0.012345", e911_monthly="1.5")
    saved = config.save_section(world["actor_a"], "interface", form)
    assert saved["did_minute"] == "0.0085" and saved["fax_minute"] == "0.012345"
    s = _settings(world["ra"])
    assert s.did_setup == Decimal("1.50") and s.e911_monthly == Decimal("1.5")
    assert isinstance(s.did_minute, Decimal)


@pytest.mark.parametrize("bad", ["-1", "abc", "1.23456", "1e3", "", "5000"])
def test_bad_rates_are_refused(world, bad):
    form = _form(world)
    form["did_setup"] = bad
    with pytest.raises(ValidationFailed) as e:
        config.save_section(world["actor_a"], "interface", form)
    assert set(e.value.errors) == {"did_setup"}


def test_display_and_services(world):
    form = _form(world)
    form.update(show_forgot_password="", signup_enabled="1", signup_company="required", signup_zip="hidden")
    config.save_section(world["actor_a"], "display", form)
    form.update(view_setting="simple_hide", svc_fax="", svc_e911="")
    config.save_section(world["actor_a"], "services", form)
    s = _settings(world["ra"])
    assert not s.show_forgot_password and s.signup_enabled
    assert (
        not s.client_two_factor and config.load(world["actor_a"])["form"]["client_two_factor"] == ""
    )  # off by default
    form["client_two_factor"] = "1"
    config.save_section(world["actor_a"], "display", form)
    assert (
        _settings(world["ra"]).client_two_factor and config.load(world["actor_a"])["form"]["client_two_factor"] == "1"
    )
    assert s.signup_fields["company"] == "required" and s.signup_fields["zip"] == "hidden"
    assert s.view_setting == "simple_hide" and "fax" not in s.services and "cdr" in s.services
    assert portal.public_branding(world["ra"])["show_forgot_password"] == ""
    form["view_setting"] = "fancy"
    with pytest.raises(ValidationFailed):
        config.save_section(world["actor_a"], "services", form)


def test_welcome_text_is_sanitized_but_keeps_formatting():
    dirty = (
        '<p style="color:#ff0000;font-family:Georgia;position:fixed">Hi</p>'
        "<script>alert(1)</script><img src=x onerror=alert(1)>"
        '<img src="https://cdn.example.com/a.png"><a href="javascript:alert(1)">x</a>'
        '<img src="http://cdn.example.com/b.png"><iframe src="https://evil"></iframe><svg onload=alert(1)></svg>'
    )
    out = config.sanitize_welcome(dirty)
    assert "color:#ff0000" in out and "font-family:Georgia" in out and "position" not in out
    assert "<script" not in out and "onerror" not in out and "javascript:" not in out
    assert "<iframe" not in out and "<svg" not in out and "onload" not in out
    assert 'src="https://cdn.example.com/a.png"' in out and "http://cdn" not in out


def test_composer_escapes_text_and_refuses_non_https_images():
    p = config.compose_paragraph("<b>hi</b>", "Georgia", "#ff0000", "18px")
    assert p == '<p style="font-family:Georgia;color:#ff0000;font-size:18px">&lt;b&gt;hi&lt;/b&gt;</p>'
    assert config.compose_paragraph("x", "evil;", "red", "9em") == "<p>x</p>"
    assert "https://cdn.example.com/a.png" in config.compose_image("https://cdn.example.com/a.png")
    with pytest.raises(ValidationFailed):
        config.compose_image("javascript:alert(1)")


def test_every_text_field_stores_payloads_inertly(world):
    """Titles and bodies are shown as text; the welcome HTML is cleaned; colours and URLs are refused."""
    for payload in PAYLOADS:
        form = _form(world)
        form.update(title=payload, welcome_html=payload, paypal_email="p@example.com")
        for k in config.MESSAGE_KINDS:
            form[f"{k}_subject"] = payload
            form[f"{k}_body"] = payload + (" [url]" if k == "reset_url" else "")
        config.save_section(world["actor_a"], "branding", form)
        config.save_section(world["actor_a"], "messages", form)
        s = _settings(world["ra"])
        assert "<script" not in s.welcome_html and "onerror" not in s.welcome_html
        assert "javascript:alert(1)" not in s.welcome_html or "<a" not in s.welcome_html
        for key in ("color_text", "img_header"):
            bad = dict(form, **{key: payload})
            with pytest.raises(ValidationFailed):
                config.save_section(world["actor_a"], "branding", bad)


def test_messages_need_title_and_body_and_known_variables(world):
    form = _form(world)
    form.update(reset_url_subject="", reset_done_body="   ")
    with pytest.raises(ValidationFailed) as e:
        config.save_section(world["actor_a"], "messages", form)
    assert {"reset_url_subject", "reset_done_body"} <= set(e.value.errors)
    form = _form(world)
    form["reset_done_body"] = "Hi [firstname], your balance is [balance]"
    with pytest.raises(ValidationFailed) as e:
        config.save_section(world["actor_a"], "messages", form)
    assert "[balance]" in e.value.errors["reset_done_body"]
    form = _form(world)
    form["reset_url_body"] = "Hi [firstname], no link here"
    with pytest.raises(ValidationFailed) as e:
        config.save_section(world["actor_a"], "messages", form)
    assert "[url]" in e.value.errors["reset_url_body"]


def test_message_preview_fills_sample_values():
    out = config.preview_message("low_balance", "Low [balance]", "Hi [firstname] [lastname]: [balance] < [threshold]")
    assert out == "Subject: Low $4.20\n\nHi Jane Doe: $4.20 < $10.00"
    assert config.preview_message("nope", "a", "b") == ""


def test_payment_validates_the_paypal_email(world):
    form = _form(world)
    form.update(paypal_enabled="1", paypal_email="not-an-email")
    with pytest.raises(ValidationFailed) as e:
        config.save_section(world["actor_a"], "payment", form)
    assert "paypal_email" in e.value.errors
    form.update(paypal_email="Pay@Example.com", deposit_amounts="10, 20.5")
    saved = config.save_section(world["actor_a"], "payment", form)
    assert saved["deposit_amounts"] == "10,20.5" and saved["paypal_email"] == "Pay@example.com"


def test_contrast_warnings_flag_poor_pairs_only():
    good = config.default_branding()
    assert config.contrast_warnings(good) == []
    bad = dict(good, btn_primary_bg="#ffff00", btn_primary_fg="#ffffff")
    warnings = config.contrast_warnings(bad)
    assert len(warnings) == 1 and warnings[0].startswith("Primary button")
    assert config.contrast_ratio("#000", "#fff").quantize(Decimal("0.1")) == Decimal("21.0")


def test_hostname_request_records_the_fee_once(world):
    out = config.request_hostname(world["actor_a"], "Interface.Example.com")
    assert out == {"hostname": "interface.example.com", "status": "requested", "fee": "$10.00"}
    again = config.request_hostname(world["actor_a"], "portal.example.com")
    assert again["fee"] == ""
    with session_scope() as s:
        fees = s.exec(select(AuditLog).where(AuditLog.action == "hostname_fee")).all()
        assert [f.detail["amount"] for f in fees] == ["$10.00"] and fees[0].reseller_id == world["ra"]
    assert "$10.00 charged on" in config.load(world["actor_a"])["hostname_fee"]
    # Requested, not verified: nothing is routed to the portal yet (issue 15 #3).
    assert portal.reseller_for_host("portal.example.com") is None
    assert portal.reseller_for_host("interface.example.com") is None


@pytest.mark.parametrize(
    "bad", ["", "localhost", "1.2.3.4", "-bad.example.com", "exa mple.com", "a..b.com", "x.local", "a_b.example.com"]
)
def test_bad_hostnames_are_refused(world, bad):
    with pytest.raises(ValidationFailed) as e:
        config.request_hostname(world["actor_a"], bad)
    assert "hostname" in e.value.errors


def test_a_hostname_belongs_to_one_reseller(world, monkeypatch):
    monkeypatch.setattr(config, "_addresses", lambda host: set())  # B proves nothing in the DNS
    monkeypatch.setattr(config, "_txt_records", lambda name: set())
    config.request_hostname(world["actor_a"], "voice.example.com")
    with pytest.raises(ValidationFailed) as e:
        config.request_hostname(world["actor_b"], "voice.example.com")
    assert "another portal" in e.value.errors["hostname"].lower()
    assert config.load(world["actor_a"])["hostname"] == "voice.example.com"


def test_autoconnect_snippet_posts_direct_login():
    html = config.autoconnect_snippet("https://portal.example.com/", 42)
    assert 'action="https://portal.example.com/interface/login.php"' in html
    assert 'name="UID" value="42"' in html and 'value="DirectLogin"' in html
    assert 'name="col_email"' in html and 'name="col_password"' in html


def test_a_hostname_becomes_active_when_its_dns_points_here_and_links_use_it(world):
    from reseller_app.config import settings
    from reseller_app.services.access import password_reset
    from tests.services.access.test_password_reset import _mails

    config.request_hostname(world["actor_a"], "interface.example.com")
    config.request_hostname(world["actor_b"], "voip.example.org")
    dns = {"interface.example.com": {"203.0.113.9"}, "voip.example.org": {settings.portal_ip, "203.0.113.1"}}
    looked: list[str] = []

    def resolve(host: str) -> set[str]:
        looked.append(host)
        return dns.get(host, set())

    proofs = {
        config.hostname_proof(world["ra"], "interface.example.com")[0]: {
            config.hostname_proof(world["ra"], "interface.example.com")[1]
        },
        config.hostname_proof(world["rb"], "voip.example.org")[0]: {
            config.hostname_proof(world["rb"], "voip.example.org")[1]
        },
    }

    def txt(name: str) -> set[str]:
        return proofs.get(name, set())

    # Reseller A's record points elsewhere: still requested. Reseller B's points here: active.
    assert config.verify_hostnames(resolve, txt) == {"voip.example.org": "active"}
    assert sorted(looked) == ["interface.example.com", "voip.example.org"]
    assert config.load(world["actor_a"])["hostname_status"] == "requested"
    b = config.load(world["actor_b"])
    assert b["hostname_status"] == "active" and b["portal_base"].endswith("://voip.example.org")
    assert config.load(world["actor_a"])["portal_base"] == settings.public_url.rstrip("/")
    assert portal.reseller_for_host("voip.example.org") == world["rb"]
    # Nothing changed: nothing to report, nothing audited twice.
    assert config.verify_hostnames(resolve, txt) == {}
    with session_scope() as s:
        assert len(s.exec(select(AuditLog).where(AuditLog.action == "hostname_active")).all()) == 1
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == world["rb"])).one()
        st.show_forgot_password = True
        other = s.exec(select(Reseller).where(Reseller.id == world["rb"])).one()
        assert other.hostname_status == "active"
    # The emailed reset link of reseller B's client is on B's own hostname.
    with session_scope() as s:
        from reseller_app.models import Client

        s.add(Client(reseller_id=world["rb"], email="b-client@example.com", password_hash="x", firstname="Bo"))
    password_reset.request_reset(world["rb"], "b-client@example.com")
    [mail] = _mails()
    assert f"://voip.example.org/r/{world['rb']}/reset?token=" in mail.body_text
    # The record moves away: back to requested, and links use PUBLIC_URL again.
    dns["voip.example.org"] = set()
    assert config.verify_hostnames(resolve, txt) == {"voip.example.org": "requested"}
    assert config.load(world["actor_b"])["portal_base"] == settings.public_url.rstrip("/")


def test_hostname_check_does_not_undo_a_newer_request(world, monkeypatch):
    from reseller_app.config import settings

    config.request_hostname(world["actor_a"], "old.example.com")

    def resolve(host: str) -> set[str]:
        # While the DNS is being looked up, the reseller asks for another name.
        config.request_hostname(world["actor_a"], "new.example.com")
        return {settings.portal_ip}

    assert (
        config.verify_hostnames(resolve, lambda name: {config.hostname_proof(world["ra"], "old.example.com")[1]}) == {}
    )
    data = config.load(world["actor_a"])
    assert (data["hostname"], data["hostname_status"]) == ("new.example.com", "requested")


@pytest.mark.parametrize(("text", "message"), [("10,-5", "'-5' must be positive."), ("0", "'0' must be positive.")])
def test_a_negative_or_zero_deposit_amount_is_called_what_it_is(text, message):
    from reseller_app.services.accounting.payments import parse_deposit_amounts

    with pytest.raises(ValueError) as e:
        parse_deposit_amounts(text)
    assert str(e.value) == message


def test_the_payment_tab_knows_whether_this_server_has_a_paypal_app(world, monkeypatch):
    import dataclasses

    from reseller_app.config import settings as app_settings

    without = dataclasses.replace(app_settings, paypal_client_id="", paypal_secret="")
    monkeypatch.setattr(config, "settings", without)
    assert config.load(world["actor_a"])["paypal_ready"] is False
    monkeypatch.setattr(config, "settings", dataclasses.replace(without, paypal_client_id="id", paypal_secret="s"))
    assert config.load(world["actor_a"])["paypal_ready"] is True


# --- issue 15 #3: a hostname routes only once verified; the portal's own host is refused; a verified owner wins ---


def test_a_requested_hostname_routes_nothing_until_verified(world):
    config.request_hostname(world["actor_a"], "squat.example.com")
    assert portal.reseller_for_host("squat.example.com") is None
    with session_scope() as s:
        s.get(Reseller, world["ra"]).hostname_status = "active"
    assert portal.reseller_for_host("squat.example.com") == world["ra"]


def test_an_a_record_alone_does_not_verify_a_hostname(world):
    from reseller_app.config import settings

    config.request_hostname(world["actor_a"], "voice.example.com")
    assert config.verify_hostnames(lambda host: {settings.portal_ip}, lambda name: set()) == {}
    assert config.load(world["actor_a"])["hostname_status"] == "requested"
    # Another reseller's proof is not this reseller's.
    b_proof = config.hostname_proof(world["rb"], "voice.example.com")[1]
    assert config.verify_hostnames(lambda host: {settings.portal_ip}, lambda name: {b_proof}) == {}


@pytest.mark.parametrize("host", ["portal.example.net", "x.portal.example.net", "API.portal.example.net"])
def test_the_portals_own_host_and_its_subdomains_are_refused(world, monkeypatch, host):
    from reseller_app import config as app_config

    monkeypatch.setattr(app_config, "settings", app_config.Settings(public_url="https://portal.example.net"))
    with pytest.raises(ValidationFailed) as e:
        config.request_hostname(world["actor_a"], host)
    assert "own address" in e.value.errors["hostname"]


def test_a_verified_owner_takes_over_an_unverified_claim(world, monkeypatch):
    from reseller_app.config import settings

    config.request_hostname(world["actor_a"], "brand.example.com")  # A squats B's name
    # B has not proved anything yet: refused, and told which TXT record proves it.
    monkeypatch.setattr(config, "_addresses", lambda host: {settings.portal_ip})
    monkeypatch.setattr(config, "_txt_records", lambda name: set())
    with pytest.raises(ValidationFailed) as e:
        config.request_hostname(world["actor_b"], "brand.example.com")
    name, value = config.hostname_proof(world["rb"], "brand.example.com")
    assert name in e.value.errors["hostname"] and value in e.value.errors["hostname"]
    # With its proof in the DNS, B takes the name over: active at once; A's claim is gone.
    monkeypatch.setattr(config, "_txt_records", lambda n: {value} if n == name else set())
    out = config.request_hostname(world["actor_b"], "brand.example.com")
    assert out["status"] == "active"
    assert config.load(world["actor_a"])["hostname"] == ""
    assert portal.reseller_for_host("brand.example.com") == world["rb"]
    # A verified name cannot be taken back by a squatter, proof or not.
    with pytest.raises(ValidationFailed) as e:
        config.request_hostname(world["actor_a"], "brand.example.com")
    assert "already used by another portal" in e.value.errors["hostname"]
