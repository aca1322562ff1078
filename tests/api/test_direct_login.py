"""The auto-connect endpoint (action=DirectLogin) and custom-hostname routing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from reseller_app.api import create_api, direct_login
from reseller_app.db import session_scope
from reseller_app.models import Client, Reseller
from reseller_app.services.access import auth
from reseller_app.services.access.security import hash_password

PW = "client-pass-123"


@pytest.fixture()
def world(engine):
    """Two active portals; reseller A has client `c` (password PW)."""
    ra = auth.create_reseller("ra@example.com", "password-123")
    rb = auth.create_reseller("rb@example.com", "password-123")
    with session_scope() as s:
        for rid in (ra, rb):
            s.get(Reseller, rid).portal_active = True
        c = Client(reseller_id=ra, email="c@example.com", password_hash=hash_password(PW), firstname="Cy")
        s.add(c)
        s.flush()
        return {"ra": ra, "rb": rb, "c": c.id}


@pytest.fixture()
def api(world):
    return TestClient(create_api(), follow_redirects=False)


def _form(world, **kw):
    data = {"UID": str(world["ra"]), "action": "DirectLogin", "col_email": "c@example.com", "col_password": PW}
    data.update(kw)
    return data


def test_direct_login_sets_the_client_cookie_and_goes_to_the_dashboard(api, world):
    r = api.post("/interface/login.php", data=_form(world))
    assert r.status_code == 303
    assert r.headers["location"] == f"/r/{world['ra']}/dashboard"
    token = r.cookies.get("rp_csess")
    actor = auth.resolve(token, "client", world["ra"])
    assert actor is not None and actor.client_id == world["c"]
    assert "samesite=lax" in r.headers["set-cookie"].lower()


def test_path_variant_works_too(api, world):
    data = _form(world)
    data.pop("UID")
    r = api.post(f"/r/{world['ra']}/direct-login", data=data)
    assert r.status_code == 303 and r.headers["location"].endswith("/dashboard")


def test_wrong_password_goes_to_the_login_page_with_a_code(api, world):
    r = api.post("/interface/login.php", data=_form(world, col_password="wrong-one"))
    assert r.status_code == 303
    assert r.headers["location"] == f"/r/{world['ra']}/login?e=bad"
    assert "rp_csess" not in r.cookies


def test_client_of_another_reseller_cannot_direct_login(api, world):
    r = api.post("/interface/login.php", data=_form(world, UID=str(world["rb"])))
    assert r.headers["location"] == f"/r/{world['rb']}/login?e=bad"


def test_inactive_portal_and_missing_action_are_refused(api, world):
    r = api.post("/interface/login.php", data=_form(world, action="Other"))
    assert r.headers["location"].endswith("?e=bad")
    with session_scope() as s:
        s.get(Reseller, world["ra"]).portal_active = False
    r = api.post("/interface/login.php", data=_form(world))
    assert r.headers["location"].endswith("?e=off")


def test_custom_hostname_opens_that_resellers_portal(api, world):
    with session_scope() as s:
        r = s.get(Reseller, world["ra"])
        r.custom_hostname = "voice.example.com"
        r.hostname_status = "active"  # verified: a requested one routes nothing
    resp = api.get("/", headers={"host": "Voice.Example.com:443"})
    assert resp.status_code == 307 and resp.headers["location"] == f"/r/{world['ra']}/login"
    # Other hosts fall through (here to a 404: the Reflex app is not mounted in this test).
    assert api.get("/", headers={"host": "other.example.com"}).status_code == 404
    assert api.get("/api/health", headers={"host": "voice.example.com"}).status_code == 200


# --- issue 15 #10: ids out of the id columns' range are a polite refusal, never a 500 ---

HUGE = ["99999999999999999999999", "-99999999999999999999999", "9223372036854775808", "2147483648", "0", "-1", "1e3"]


@pytest.mark.parametrize("uid", HUGE)
def test_an_out_of_range_uid_is_refused_politely(world, uid):
    api = TestClient(create_api(), follow_redirects=False, raise_server_exceptions=False)
    r = api.post("/interface/login.php", data=_form(world, UID=uid))
    assert r.status_code == 404 and r.text == "No such portal.", (uid, r.status_code, r.text[:200])
    data = _form(world)
    data.pop("UID")
    r = api.post(f"/r/{uid}/direct-login", data=data)
    assert r.status_code == 404, (uid, r.status_code)


@pytest.mark.parametrize("bad", HUGE)
def test_out_of_range_ids_in_exports_are_refused_politely(world, bad):
    api = TestClient(create_api(), follow_redirects=False, raise_server_exceptions=False)
    api.cookies.set("rp_rsess", auth.login_reseller("ra@example.com", "password-123"))
    r = api.get("/api/reports/cdr.csv", params={"client_id": bad})
    assert r.status_code in (200, 422), (bad, r.status_code)  # 200: "0" means every client
    api.cookies.set("rp_csess", auth.login_client(world["ra"], "c@example.com", PW))
    r = api.get(f"/api/client/{world['ra']}/calls.csv", params={"sub": bad[:12]})
    assert r.status_code in (404, 422), (bad, r.status_code)
    r = api.get(f"/api/client/{bad}/calls.csv")
    assert r.status_code in (401, 422), (bad, r.status_code)


def test_many_wrong_logins_from_one_address_are_refused_with_their_own_code(api, world):
    from reseller_app.pages.access.login import DIRECT_LOGIN_ERRORS
    from reseller_app.services.access import abuse

    for i in range(abuse.settings.login_failures_per_ip):  # each for another name: no name's own lockout
        r = api.post("/interface/login.php", data=_form(world, col_email=f"guess{i}@example.com"))
        assert r.headers["location"] == f"/r/{world['ra']}/login?e=bad"
    r = api.post("/interface/login.php", data=_form(world))  # the right password, from that address
    assert r.status_code == 303 and r.headers["location"] == f"/r/{world['ra']}/login?e=many"
    assert "rp_csess" not in r.cookies
    assert DIRECT_LOGIN_ERRORS["many"] == abuse.TOO_MANY_LOGINS  # the login page says why
    # Every code the endpoint sends has its message on the login page.
    assert set(direct_login.ERROR_CODES.values()) <= set(DIRECT_LOGIN_ERRORS)
