"""The HTTP side: every API route refuses anonymous and foreign callers; REST auth, allow-list and limits hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import select

from reseller_app.api import create_api
from reseller_app.db import session_scope
from reseller_app.models import Cdr, Client, LoginSession, Package, Reseller, SubAccount, utcnow
from reseller_app.services.access import auth
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.security import hash_password
from reseller_app.services.api import access as api_access

PW = "password-123"
API_PW = "api-secret-123"
SECRET = "victim-secret"
REST = "/api/v1/rest.php"
# Routes that are public by design: health and the API's own description, PayPal's redirects and webhook (they only
# settle an order PayPal itself confirms; tests/api and tests/services cover them), Stripe's redirects and webhook
# (the same: a session Stripe reports paid, an event signed with the reseller's secret; tests/services/accounting/
# test_cards.py), the auto-connect login forms
# (they are logins), and the REST endpoint (it authenticates with its own api_username/api_password, tested below).
PUBLIC = {
    "/api/health",
    "/api/openapi.json",
    "/api/docs",
    "/api/paypal/return",
    "/api/paypal/cancel",
    "/api/paypal/webhook",
    "/api/stripe/return/{reseller_id}",
    "/api/stripe/setup-return/{reseller_id}",
    "/api/stripe/cancel/{reseller_id}",
    "/api/stripe/webhook/{reseller_id}",
    "/interface/login.php",
    "/r/{rid}/direct-login",
    REST,
}


@pytest.fixture()
def world(engine):
    """Victim reseller V (client with a call, API on), attacker reseller A with a client; live session cookies."""
    api_access.limiter.reset()
    api_access.failures.reset()
    v = auth.create_reseller("v@example.com", PW, company="Victim Telecom")
    a = auth.create_reseller("a@example.com", PW)
    now = datetime.now(UTC) - timedelta(hours=1)
    with session_scope() as s:
        for rid in (v, a):
            s.get(Reseller, rid).portal_active = True
        pkg = Package(reseller_id=v, name="P", pulse=6)
        vc = Client(reseller_id=v, email="vc@example.com", firstname=SECRET, password_hash=hash_password(PW))
        ac = Client(reseller_id=a, email="ac@example.com", firstname="Att", password_hash=hash_password(PW))
        s.add_all([pkg, vc, ac])
        s.flush()
        sub = SubAccount(reseller_id=v, client_id=vc.id, package_id=pkg.id, account="100_v", sip_password="x")
        s.add(sub)
        s.flush()
        s.add(
            Cdr(
                reseller_id=v,
                client_id=vc.id,
                sub_account_id=sub.id,
                uniqueid="v-1",
                start=now,
                direction="out",
                destination="15145550100",
                description=SECRET,
                callerid=SECRET,
                disposition="ANSWERED",
                price=Decimal("0.10"),
            )
        )
        ids = {"v": v, "a": a, "vc": vc.id, "ac": ac.id, "sub": sub.id}
    for rid in (v, a):
        api_access.set_password(Actor("reseller", rid), API_PW, API_PW)
        api_access.set_access(Actor("reseller", rid), True, "")
    ids["a_reseller"] = auth.login_reseller("a@example.com", PW)
    ids["a_client"] = auth.login_client(a, "ac@example.com", PW)
    ids["v_client"] = auth.login_client(v, "vc@example.com", PW)
    ids["http"] = TestClient(create_api(), follow_redirects=False)
    yield ids
    api_access.limiter.reset()
    api_access.failures.reset()


def _walk(routes: list) -> list[APIRoute]:
    out = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        elif getattr(r, "original_router", None) is not None:  # FastAPI's included routers
            out.extend(_walk(r.original_router.routes))
    return out


def _routes() -> list[APIRoute]:
    """Every route of the API app, found at run time: a route added later is checked too."""
    return _walk(create_api().routes)


def _fill(path: str, world: dict) -> str:
    return path.replace("{rid}", str(world["v"])).replace("{kind}", "cdr")


def _refused(r) -> bool:
    if r.status_code in (401, 403, 404):
        return True
    return r.status_code in (302, 303, 307) and "login" in r.headers.get("location", "")


def test_the_public_list_names_real_routes():
    paths = {r.path for r in _routes()}
    assert PUBLIC - {"/api/docs", "/api/openapi.json"} <= paths
    # The private ones the checks below walk through (a new route lands there unless listed as public).
    assert {"/api/client/{rid}/calls.csv", "/api/reports/{kind}.csv"} <= paths - PUBLIC


@pytest.mark.parametrize("cookies", ["none", "attacker reseller", "attacker client", "victims client as reseller"])
def test_every_private_route_refuses_the_wrong_caller(world, cookies):
    jar = {
        "none": {},
        "attacker reseller": {"rp_rsess": world["a_reseller"], "rp_csess": world["a_reseller"]},
        "attacker client": {"rp_rsess": world["a_client"], "rp_csess": world["a_client"]},
        # A client's own token in the reseller cookie: a client is never a reseller.
        "victims client as reseller": {"rp_rsess": world["v_client"]},
    }[cookies]
    http = world["http"]
    http.cookies.clear()
    for name, value in jar.items():
        http.cookies.set(name, value)
    private = [r for r in _routes() if r.path not in PUBLIC]
    assert private, "no private route found: the enumeration is broken"
    for route in private:
        for method in route.methods:
            r = http.request(method, _fill(route.path, world), params={"client_id": world["vc"]})
            if cookies == "attacker reseller" and route.path.startswith("/api/reports/"):
                # A reseller may export its own reports, but never with the victim's client as a filter.
                assert r.status_code in (403, 404, 422) or SECRET not in r.text, route.path
                continue
            assert _refused(r), (method, route.path, r.status_code)
            assert SECRET not in r.text


def test_the_reseller_export_never_includes_another_resellers_rows(world):
    http = world["http"]
    http.cookies.set("rp_rsess", world["a_reseller"])
    for kind in ("cdr", "financial", "subaccounts", "dids", "fax"):
        r = http.get(f"/api/reports/{kind}.csv")
        assert r.status_code == 200, kind
        assert SECRET not in r.text and "vc@example.com" not in r.text
        r = http.get(f"/api/reports/{kind}.csv", params={"sub_account_id": world["sub"]})
        assert r.status_code in (403, 404, 422) or (SECRET not in r.text and "100_v" not in r.text)


def test_the_victims_own_client_export_works_so_the_refusals_mean_something(world):
    http = world["http"]
    http.cookies.set("rp_csess", world["v_client"])
    r = http.get(f"/api/client/{world['v']}/calls.csv")
    assert r.status_code == 200 and "15145550100" in r.text


def test_expired_or_revoked_cookies_are_refused_by_the_exports(world):
    http = world["http"]
    auth.logout(world["v_client"])
    http.cookies.set("rp_csess", world["v_client"])
    assert http.get(f"/api/client/{world['v']}/calls.csv").status_code == 401
    token = auth.login_reseller("v@example.com", PW)
    with session_scope() as s:
        for row in s.exec(select(LoginSession).where(LoginSession.role == "reseller")).all():
            row.expires_at = utcnow() - timedelta(minutes=1)
    http.cookies.set("rp_rsess", token)
    assert http.get("/api/reports/cdr.csv").status_code == 401


def _rest(http: TestClient, user: str = "v@example.com", method: str = "GET", headers: dict | None = None, **extra):
    data = {"api_username": user, "api_password": API_PW, "method": "getClients", **extra}
    if method == "GET":
        return http.get(REST, params=data, headers=headers or {}).json()
    return http.post(REST, data=data, headers=headers or {}).json()


def test_a_forwarded_for_header_does_not_pass_the_ip_allow_list(world):
    api_access.set_access(Actor("reseller", world["v"]), True, "10.0.0.0/8")
    spoof = {"X-Forwarded-For": "10.1.2.3", "X-Real-IP": "10.1.2.3", "Forwarded": "for=10.1.2.3"}
    assert _rest(world["http"], headers=spoof)["status"] == "ip_not_enabled"
    assert _rest(world["http"], method="POST", headers=spoof)["status"] == "ip_not_enabled"


def test_the_rate_limit_counts_get_and_post_together_and_per_reseller(world, monkeypatch):
    monkeypatch.setattr(api_access, "limiter", api_access.RateLimiter(limit=4, window=60))
    http = world["http"]
    got = [_rest(http, method=m)["status"] for m in ("GET", "POST", "GET", "POST", "POST")]
    assert got == ["success"] * 4 + ["api_limit_exceeded"]
    assert _rest(http, user="a@example.com")["status"] == "success"


def test_the_api_never_answers_with_another_resellers_client(world):
    http = world["http"]
    got = _rest(http, user="a@example.com", method="GET", client=str(world["vc"]))
    assert SECRET not in str(got) and "vc@example.com" not in str(got)
    got = http.get(
        REST,
        params={
            "api_username": "a@example.com",
            "api_password": API_PW,
            "method": "getClients",
            "client": "vc@example.com",
        },
    ).json()
    assert SECRET not in str(got)


def test_a_login_session_token_is_not_an_api_password(world):
    http = world["http"]
    for token in (world["a_reseller"], world["v_client"]):
        r = http.get(REST, params={"api_username": "a@example.com", "api_password": token, "method": "getClients"})
        assert r.json()["status"] == "invalid_credentials"
    r = http.get(REST, params={"method": "getClients"}, cookies={"rp_rsess": world["a_reseller"]})
    assert r.json()["status"] != "success"


def test_the_auto_connect_login_obeys_the_lockout_and_sets_a_fresh_cookie(world):
    http = world["http"]
    v = world["v"]
    planted = "planted-token-value"
    http.cookies.set("rp_csess", planted)
    form = {"action": "DirectLogin", "col_email": "vc@example.com", "col_password": "wrong-password"}
    codes = [http.post(f"/r/{v}/direct-login", data=form).headers["location"] for _ in range(5)]
    assert all(c.endswith("?e=bad") for c in codes)
    right = {**form, "col_password": PW}
    locked = http.post(f"/r/{v}/direct-login", data=right)
    assert locked.headers["location"].endswith("?e=locked") and "set-cookie" not in locked.headers
    # The guide's URL shares the same lock (one counter per portal and login, whatever the entry point).
    assert http.post("/interface/login.php", data={**right, "UID": v}).headers["location"].endswith("?e=locked")


def test_a_lock_on_one_portal_does_not_lock_the_same_email_elsewhere(world):
    a = world["a"]
    with session_scope() as s:
        s.add(Client(reseller_id=a, email="vc@example.com", firstname="Twin", password_hash=hash_password(PW)))
    for _ in range(5):
        with pytest.raises(auth.AuthFailed):
            auth.login_client(world["v"], "vc@example.com", "wrong-password")
    with pytest.raises(auth.AuthFailed, match="locked"):
        auth.login_client(world["v"], "vc@example.com", PW)
    assert auth.login_client(a, "vc@example.com", PW)


def test_a_successful_auto_connect_issues_a_new_session_cookie(world):
    http = world["http"]
    http.cookies.set("rp_csess", "planted-token-value")
    form = {"action": "DirectLogin", "col_email": "vc@example.com", "col_password": PW}
    r = http.post(f"/r/{world['v']}/direct-login", data=form)
    assert r.headers["location"].endswith("/dashboard")
    issued = r.cookies.get("rp_csess") or http.cookies.get("rp_csess")
    assert issued and issued != "planted-token-value"
    assert auth.resolve(issued, "client", world["v"]) is not None
    assert auth.resolve("planted-token-value", "client", world["v"]) is None
