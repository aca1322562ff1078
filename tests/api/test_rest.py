"""The REST endpoint's wire conventions: authentication and access, verbs and encodings, scoping, idempotency,
odd input (never a 500, never an undocumented code), the OpenAPI description."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reseller_app.api import create_api
from reseller_app.db import session_scope
from reseller_app.models import Client
from reseller_app.services.access.actor import Actor
from reseller_app.services.api import access as api_access
from reseller_app.services.api import methods
from reseller_app.services.api.wire import DOCUMENTED_CODES
from tests.api.helpers import API_PW, PATH, call

BASE = {"api_username": "ra@example.com", "api_password": API_PW}


def _balance(cid: int) -> Decimal:
    with session_scope() as s:
        return s.get(Client, cid).balance


# --- authentication and access ---------------------------------------------------------------------------


def test_credentials_missing_wrong_or_the_login_password(api):
    http = api["http"]
    assert http.get(PATH, params={"method": "getClients"}).json() == {"status": "missing_credentials"}
    assert http.get(PATH, params={"api_username": "ra@example.com", "method": "getClients"}).json() == {
        "status": "missing_credentials"
    }
    assert call(api, "getClients", api_password="nope")["status"] == "invalid_credentials"
    assert call(api, "getClients", user="ghost@example.com")["status"] == "invalid_credentials"
    assert call(api, "getClients", api_password="login-pass-1")["status"] == "invalid_credentials"
    assert call(api, "getClients")["status"] == "success"


def test_disabled_api_is_api_not_enabled(api):
    api_access.set_access(Actor("reseller", api["ra"]), False, "")
    assert call(api, "getClients")["status"] == "api_not_enabled"


def test_ip_allow_list(api):
    api_access.set_access(Actor("reseller", api["ra"]), True, "10.0.0.0/8, 192.0.2.7")
    assert call(api, "getClients")["status"] == "ip_not_enabled"  # TestClient's address is "testclient"
    inside = TestClient(create_api(), client=("10.1.2.3", 5000))
    assert inside.get(PATH, params={**BASE, "method": "getClients"}).json()["status"] == "success"


def test_rate_limit_per_reseller(api, monkeypatch):
    monkeypatch.setattr(api_access, "limiter", api_access.RateLimiter(limit=3, window=60))
    assert [call(api, "getClients")["status"] for _ in range(4)] == ["success"] * 3 + ["api_limit_exceeded"]
    assert call(api, "getClients", user="rb@example.com")["status"] == "success"


def test_repeated_wrong_passwords_lock_the_name_for_a_while(api, monkeypatch):
    monkeypatch.setattr(api_access, "failures", api_access.RateLimiter(limit=3, window=300))
    assert [call(api, "getClients", api_password="bad")["status"] for _ in range(3)] == ["invalid_credentials"] * 3
    assert call(api, "getClients")["status"] == "api_limit_exceeded"
    assert call(api, "getClients", user="rb@example.com")["status"] == "success"
    other_ip = TestClient(create_api(), client=("192.0.2.9", 5000))
    assert other_ip.get(PATH, params={**BASE, "method": "getClients"}).json()["status"] == "success"


def test_unknown_missing_and_wrongly_cased_method(api):
    assert call(api, "getEverything")["status"] == "invalid_method"
    assert call(api, "")["status"] == "missing_method"
    assert call(api, "getclients")["status"] == "invalid_method"  # names match case-sensitively


# --- verbs and encodings ----------------------------------------------------------------------------------


def test_get_urlencoded_multipart_and_json_posts_all_work(api):
    http = api["http"]
    params = {**BASE, "method": "getClientThreshold", "client": str(api["c"])}
    assert http.get(PATH, params=params).json()["status"] == "success"
    assert http.post(PATH, data=params).json()["status"] == "success"
    assert http.post(PATH, files={k: (None, v) for k, v in params.items()}).json()["status"] == "success"
    assert http.post(PATH, json=params).json()["status"] == "success"


def test_head_and_options_answer_json(api):
    http = api["http"]
    r = http.options(PATH)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == {"status": "missing_credentials"} and "POST" in r.headers["allow"]
    r = http.head(PATH)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json" and r.content == b""


def test_booleans_unknown_and_empty_parameters(api):
    cid = str(api["c"])
    for value in ("1", "true", "TRUE", "yes"):
        assert call(api, "addPayment", client=cid, payment="5", test=value)["status"] == "success"
    for value in ("0", "false", "No", ""):
        assert call(api, "addPayment", client=cid, payment="1", test=value)["status"] == "success"
    assert _balance(api["c"]) == Decimal("4")
    # Unknown parameters are ignored (content_type=json is what some clients add); empty optional = absent.
    assert call(api, "getPackages", content_type="json", whatever="x" * 5000, package="")["status"] == "success"


# --- scoping and idempotency ------------------------------------------------------------------------------


def test_another_resellers_client_is_invalid_client_everywhere(api):
    other = str(api["other"])
    for method in ("getClientThreshold", "getCharges", "getDeposits", "getClientPackages", "getResellerBalance",
                   "delClient", "getCallTypes", "getCallAccounts", "getResellerSMS", "getResellerMMS",
                   "getVoicemails"):  # fmt: skip
        assert call(api, method, client=other)["status"] == "invalid_client", method
    assert call(api, "addPayment", client=other, payment="5")["status"] == "invalid_client"
    assert call(api, "getDIDsInfo", client=other)["status"] == "invalid_client"
    assert call(api, "getSubAccounts", account=other)["status"] == "invalid_account"
    assert _balance(api["other"]) == 0


def test_idempotency_key_posts_once(api):
    cid = str(api["c"])
    for _ in range(3):
        assert call(api, "addPayment", client=cid, payment="10", idempotency_key="txn-42")["status"] == "success"
    data = {**BASE, "method": "addCharge", "client": cid, "charge": "3"}
    for _ in range(2):
        r = api["http"].post(PATH, data=data, headers={"Idempotency-Key": "chg-1"})
        assert r.json()["status"] == "success"
    assert _balance(api["c"]) == Decimal("7")
    res = call(
        api, "addPayment", user="rb@example.com", client=str(api["other"]), payment="1", idempotency_key="txn-42"
    )
    assert res["status"] == "success" and _balance(api["other"]) == Decimal("1")


# --- odd input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"method": "getClients", "client": "\x00\x01"},
        {"method": "addPayment", "client": "9" * 40, "payment": "1e9999"},
        {"method": "getResellerCDR", "client": "1", "date_from": "2026-02-30", "date_to": "2026-03-01"},
        {"method": "getResellerCDR", "client": "C", "date_from": "9999-12-31", "date_to": "9999-12-31",
         "timezone": "-12", "answered": "1"},
        {"method": "getResellerCDR", "client": "C", "date_from": "0001-01-01", "date_to": "0001-01-01",
         "timezone": "14", "answered": "1"},
        {"method": "getResellerCDR", "client": "C", "date_from": "2026-01-01", "date_to": "2026-01-02",
         "timezone": "Infinity", "answered": "1"},
        {"method": "signupClient", "email": "é" * 500},
        {"method": "getClients", "client": "١٢"},
        {"method": "setClientThreshold", "client": "C", "threshold": "²"},
        {"method": "getPackages", "package": "٣"},
        {"method": "getDIDsInfo", "did": "9" * 30},
        {"method": "createVoicemail", "digits": "1" * 3000},
    ],
)  # fmt: skip
def test_odd_input_is_a_documented_status(api, extra):
    params = {k: (str(api["c"]) if v == "C" else v) for k, v in extra.items()}
    r = api["http"].get(PATH, params={**BASE, **params})
    assert r.status_code == 200
    status = r.json()["status"]
    assert status != "success" and status in DOCUMENTED_CODES, status


def test_long_parameter_names_are_not_echoed(api):
    name = "x" * 5000
    r = api["http"].get(PATH, params={**BASE, "method": "getClients", name: "\x01"})
    assert r.json()["status"] == "success"  # an unknown parameter is ignored, whatever it holds
    r = api["http"].get(PATH, params={**BASE, "method": "signupClient", "firstname": "\x01"})
    assert r.json() == {"status": "invalid_firstname"}
    r = api["http"].get(PATH, params={**BASE, "method": "getClients", "client": "y" * 3000})
    assert r.json() == {"status": "invalid_client"}
    r = api["http"].post(PATH, content=b"\xff\xfe", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and r.json() == {"status": "missing_credentials"}


def test_an_unexpected_failure_is_a_documented_code_and_logged(api, monkeypatch, caplog):
    def boom(actor, p):
        raise RuntimeError("boom")

    monkeypatch.setitem(methods.REGISTRY, "getRoutes", methods.REGISTRY["getRoutes"].__class__(
        "getRoutes", boom, "", (), ()))  # fmt: skip
    assert call(api, "getRoutes") == {"status": "unavailable_info"}
    assert "REST API failure" in caplog.text


def test_openapi_lists_every_method_its_codes_and_parameters(api):
    spec = api["http"].get("/api/openapi.json").json()
    op = spec["paths"][PATH]
    names = {p["name"] for p in op["get"]["parameters"]}
    described = op["get"]["description"]
    for name, m in methods.REGISTRY.items():
        assert f"**{name}**" in described
        assert all(f"`{code}`" in described for code in m.codes), name
        assert {p.name for p in m.params} <= names, name
    assert "application/x-www-form-urlencoded" in op["post"]["requestBody"]["content"]
    method_param = next(p for p in op["get"]["parameters"] if p["name"] == "method")
    assert set(method_param["schema"]["enum"]) == set(methods.METHODS)


def test_the_readme_lists_every_method_with_its_codes():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    reference = methods.describe().split("\n\n", 1)[1]
    assert reference in readme


MULTIPART_X = "multipart/form-data; boundary=x"


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),  # deeper than the JSON parser goes
        (b"junk", "multipart/form-data"),  # no boundary
        (b"--x\r\nContent-Disposition: form-data\r\n\r\nv\r\n--x--\r\n", MULTIPART_X),  # a part without a name
        (b"--x\r\nContent-Disposition: form-data; name=a\r\nX\xff: y\r\n\r\nv\r\n--x--\r\n", MULTIPART_X),  # bad header
    ],
)
def test_an_unreadable_body_is_missing_credentials(api, body, ctype):
    # Nothing could be read, credentials included: the first documented check answers.
    r = api["http"].post(PATH, content=body, headers={"content-type": ctype})
    assert r.status_code == 200 and r.json() == {"status": "missing_credentials"}
