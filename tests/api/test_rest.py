"""The VoIP.ms-compatible REST API through FastAPI's TestClient: wire conventions, every method, scoping, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from reseller_app.api import create_api
from reseller_app.carrier import CarrierCdr
from reseller_app.db import session_scope
from reseller_app.models import Client, LedgerEntry, Package, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.auth import create_reseller
from reseller_app.services.api import access as api_access
from reseller_app.services.telephony.calls import ingest_cdrs

API_PW = "api-secret-123"
PATH = "/api/v1/rest.php"


def _all_strings(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _all_strings(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_all_strings(v) for v in value)
    return isinstance(value, str)


@pytest.fixture()
def api(engine):
    """Two resellers with the API enabled; reseller A has one client with a sub-account on a package."""
    api_access.limiter.reset()
    api_access.failures.reset()
    ra = create_reseller("ra@example.com", "login-pass-1")
    rb = create_reseller("rb@example.com", "login-pass-1")
    for rid in (ra, rb):
        actor = Actor("reseller", rid)
        api_access.set_password(actor, API_PW, API_PW)
        api_access.set_access(actor, True, "")
    with session_scope() as s:
        pkg = Package(reseller_id=ra, name="Std", markup_fixed=Decimal("0.0025"), markup_percent=Decimal("20"), pulse=6)
        s.add(pkg)
        s.flush()
        c = Client(reseller_id=ra, email="c@example.com", password_hash="x", firstname="Cy", lastname="Cole")
        other = Client(reseller_id=rb, email="o@example.com", password_hash="x", firstname="Ot")
        s.add_all([c, other])
        s.flush()
        s.add(SubAccount(reseller_id=ra, client_id=c.id, package_id=pkg.id, account="100001_front", sip_password="p"))
        ids = {"ra": ra, "rb": rb, "c": c.id, "other": other.id, "pkg": pkg.id}
    ids["http"] = TestClient(create_api())
    yield ids
    api_access.limiter.reset()


def call(api, method: str, user: str = "ra@example.com", http_method: str = "GET", **params) -> dict:
    data = {"api_username": user, "api_password": API_PW, "method": method, **params}
    if http_method == "GET":
        r = api["http"].get(PATH, params=data)
    else:
        r = api["http"].post(PATH, data=data)
    assert r.status_code == 200
    body = r.json()
    assert _all_strings(body), body
    return body


def _signup(api, email="new@example.com", **over) -> dict:
    params = dict(
        firstname="Ann",
        lastname="Lee",
        company="Acme",
        address="1 Main St",
        city="Montreal",
        state="QC",
        country="CA",
        zip="H1H1H1",
        phone_number="5145550100",
        email=email,
        confirm_email=email,
        password="client-pass-1",
        confirm_password="client-pass-1",
        activate="1",
        balance_management="1",
    )
    params.update(over)
    return call(api, "signupClient", **params)


# --- authentication and access ---------------------------------------------------------------------------


def test_wrong_password_unknown_user_and_login_password_are_invalid_credentials(api):
    assert call(api, "getClients", api_password="nope")["status"] == "invalid_credentials"
    assert call(api, "getClients", user="ghost@example.com")["status"] == "invalid_credentials"
    # The login password is not the API password.
    assert call(api, "getClients", api_password="login-pass-1")["status"] == "invalid_credentials"
    assert call(api, "getClients")["status"] == "success"


def test_disabled_api_is_api_not_enabled(api):
    api_access.set_access(Actor("reseller", api["ra"]), False, "")
    assert call(api, "getClients")["status"] == "api_not_enabled"


def test_ip_allow_list(api):
    api_access.set_access(Actor("reseller", api["ra"]), True, "10.0.0.0/8, 192.0.2.7")
    assert call(api, "getClients")["status"] == "ip_not_enabled"  # TestClient's address is "testclient"
    inside = TestClient(create_api(), client=("10.1.2.3", 5000))
    r = inside.get(PATH, params={"api_username": "ra@example.com", "api_password": API_PW, "method": "getClients"})
    assert r.json()["status"] == "success"


def test_rate_limit_per_reseller(api, monkeypatch):
    monkeypatch.setattr(api_access, "limiter", api_access.RateLimiter(limit=3, window=60))
    assert [call(api, "getClients")["status"] for _ in range(4)] == ["success"] * 3 + ["api_limit_exceeded"]
    # Another reseller has its own budget.
    assert call(api, "getClients", user="rb@example.com")["status"] == "success"


def test_repeated_wrong_passwords_lock_the_name_for_a_while(api, monkeypatch):
    monkeypatch.setattr(api_access, "failures", api_access.RateLimiter(limit=3, window=300))
    assert [call(api, "getClients", api_password="bad")["status"] for _ in range(3)] == ["invalid_credentials"] * 3
    # Now even the right password waits for the window: guessing cannot go on.
    assert call(api, "getClients")["status"] == "api_limit_exceeded"
    assert call(api, "getClients", user="rb@example.com")["status"] == "success"
    # From another address the reseller's integration still works.
    other_ip = TestClient(create_api(), client=("192.0.2.9", 5000))
    r = other_ip.get(PATH, params={"api_username": "ra@example.com", "api_password": API_PW, "method": "getClients"})
    assert r.json()["status"] == "success"


def test_unknown_and_missing_method(api):
    assert call(api, "getEverything")["status"] == "invalid_method"
    assert call(api, "")["status"] == "missing_method"


# --- clients ----------------------------------------------------------------------------------------------


def test_signup_get_set_and_delete_client(api):
    res = _signup(api)
    assert res["status"] == "success" and res["client"].isdigit()
    cid = res["client"]
    got = call(api, "getClients", client=cid)
    assert got["clients"] == [
        {
            "client": cid,
            "email": "new@example.com",
            "company": "Acme",
            "firstname": "Ann",
            "lastname": "Lee",
            "address": "1 Main St",
            "city": "Montreal",
            "state": "QC",
            "country": "CA",
            "zip": "H1H1H1",
            "phone_number": "5145550100",
            "balance_management": "1",
        }
    ]
    assert call(api, "getClients", client="new@example.com")["clients"][0]["client"] == cid
    assert call(api, "setClient", http_method="POST", client=cid, city="Laval", balance_management="2")["status"] == (
        "success"
    )
    row = call(api, "getClients", client=cid)["clients"][0]
    assert (row["city"], row["balance_management"], row["firstname"]) == ("Laval", "2", "Ann")
    assert len(call(api, "getClients")["clients"]) == 2
    assert call(api, "delClient", client=cid)["status"] == "success"
    assert call(api, "getClients", client=cid)["status"] == "invalid_client"


def test_signup_refusals(api):
    assert _signup(api, firstname="")["status"] == "missing_firstname"
    assert _signup(api, email="bad")["status"] == "invalid_email"
    assert _signup(api, confirm_email="x@example.com")["status"] == "invalid_confirm_email"
    assert _signup(api, confirm_password="other-pass-1")["status"] == "invalid_confirm_password"
    assert _signup(api, password="short", confirm_password="short")["status"] == "invalid_password"
    assert _signup(api, balance_management="3")["status"] == "invalid_balance_management"
    assert _signup(api, country="Canada")["status"] == "invalid_country"
    assert _signup(api, email="c@example.com")["status"] == "email_exists"
    with session_scope() as s:
        assert len(s.exec(select(Client).where(Client.reseller_id == api["ra"])).all()) == 1


def test_signup_without_activate_waits(api):
    cid = _signup(api, activate="0")["client"]
    with session_scope() as s:
        assert s.get(Client, int(cid)).status == "WAIT"


def test_another_resellers_client_is_invalid_client(api):
    other = str(api["other"])
    for method in ("getClientThreshold", "getCharges", "getDeposits", "getClientPackages", "getResellerBalance"):
        assert call(api, method, client=other)["status"] == "invalid_client", method
    assert call(api, "addPayment", client=other, payment="5", description="x")["status"] == "invalid_client"
    assert call(api, "delClient", client=other)["status"] == "invalid_client"
    assert call(api, "setClient", client=other, city="X")["status"] == "invalid_client"
    assert call(api, "getClients", client="o@example.com")["status"] == "invalid_client"
    assert call(api, "getClients", client="99999999")["status"] == "invalid_client"
    with session_scope() as s:
        assert s.get(Client, api["other"]).balance == 0


def test_del_client_with_a_sub_account_is_refused(api):
    assert call(api, "delClient", client=str(api["c"]))["status"] == "client_in_use"
    assert call(api, "delClient")["status"] == "missing_client"


# --- balance management and threshold ---------------------------------------------------------------------


def test_balance_management_list(api):
    res = call(api, "getBalanceManagement")
    assert [i["value"] for i in res["balance_management"]] == ["1", "2"]
    assert [i["value"] for i in call(api, "getBalanceManagement", balance_management="2")["balance_management"]] == [
        "2"
    ]
    assert call(api, "getBalanceManagement", balance_management="9")["status"] == "invalid_balance_management"


def test_threshold_round_trip_and_bounds(api):
    cid = str(api["c"])
    assert call(api, "getClientThreshold", client=cid)["threshold_information"] == {"threshold": "", "email": ""}
    assert call(api, "setClientThreshold", client=cid, threshold="25", email="n@example.com")["status"] == "success"
    got = call(api, "getClientThreshold", client=cid)["threshold_information"]
    assert got == {"threshold": "25", "email": "n@example.com"}
    for bad in ("9", "501", "abc", "12.5"):
        assert call(api, "setClientThreshold", client=cid, threshold=bad)["status"] == "invalid_threshold"
    assert call(api, "setClientThreshold", client=cid)["status"] == "missing_threshold"


# --- money ------------------------------------------------------------------------------------------------


def _balance(cid: int) -> Decimal:
    with session_scope() as s:
        return s.get(Client, cid).balance


def test_payment_and_charge_move_the_balance_and_are_listed(api):
    cid = str(api["c"])
    assert call(api, "addPayment", http_method="POST", client=cid, payment="20.50", description="Card")["status"] == (
        "success"
    )
    assert call(api, "addCharge", client=cid, charge="5", description="Setup")["status"] == "success"
    assert _balance(api["c"]) == Decimal("15.5")
    deposits = call(api, "getDeposits", client=cid)["deposits"]
    charges = call(api, "getCharges", client=cid)["charges"]
    assert [(d["amount"], d["description"]) for d in deposits] == [("20.5000", "Card")]
    assert [(c["amount"], c["description"]) for c in charges] == [("5.0000", "Setup")]
    assert set(deposits[0]) == {"id", "date", "amount", "description"}
    assert call(api, "getResellerBalance", client=cid)["balance"]["current_balance"] == "15.5000"


def test_test_flag_validates_only(api):
    cid = str(api["c"])
    assert call(api, "addPayment", client=cid, payment="9", description="T", test="1")["status"] == "success"
    assert call(api, "addPayment", client=cid, payment="-9", description="T", test="1")["status"] == "invalid_amount"
    assert _balance(api["c"]) == 0


def test_idempotency_key_posts_once(api):
    cid = str(api["c"])
    for _ in range(3):
        res = call(api, "addPayment", client=cid, payment="10", description="Card", idempotency_key="txn-42")
        assert res["status"] == "success"
    r = api["http"].post(
        PATH,
        data={"api_username": "ra@example.com", "api_password": API_PW, "method": "addCharge", "client": cid},
        headers={"Idempotency-Key": "chg-1"},
    )
    assert r.json()["status"] == "missing_charge"
    for _ in range(2):
        r = api["http"].post(
            PATH,
            data={
                "api_username": "ra@example.com",
                "api_password": API_PW,
                "method": "addCharge",
                "client": cid,
                "charge": "3",
                "description": "Fee",
            },
            headers={"Idempotency-Key": "chg-1"},
        )
        assert r.json()["status"] == "success"
    assert _balance(api["c"]) == Decimal("7")
    # The same key for another reseller is that reseller's own key.
    other = str(api["other"])
    res = call(
        api, "addPayment", user="rb@example.com", client=other, payment="1", description="x", idempotency_key="txn-42"
    )
    assert res["status"] == "success" and _balance(api["other"]) == Decimal("1")


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"payment": "10", "description": "x"}, "missing_client"),
        ({"client": "C", "description": "x"}, "missing_payment"),
        ({"client": "C", "payment": "abc", "description": "x"}, "invalid_amount"),
        ({"client": "C", "payment": "0", "description": "x"}, "invalid_amount"),
        ({"client": "C", "payment": "1.234", "description": "x"}, "invalid_amount"),
        ({"client": "C", "payment": "NaN", "description": "x"}, "invalid_amount"),
        ({"client": "C", "payment": "10"}, "missing_description"),
        ({"client": "abc", "payment": "10", "description": "x"}, "invalid_client"),
        ({"client": "C", "payment": "10", "description": "x", "test": "maybe"}, "invalid_test"),
    ],
)
def test_payment_refusals(api, params, status):
    params = {k: (str(api["c"]) if v == "C" else v) for k, v in params.items()}
    assert call(api, "addPayment", **params)["status"] == status
    assert _balance(api["c"]) == 0
    with session_scope() as s:
        assert s.exec(select(LedgerEntry)).all() == []


# --- packages ---------------------------------------------------------------------------------------------


def test_packages(api):
    res = call(api, "getPackages")
    assert res["packages"] == [
        {
            "package": str(api["pkg"]),
            "name": "Std",
            "markup_fixed": "0.0025",
            "markup_percentage": "20",
            "pulse": "6",
            "international_route": "value",
            "canada_route": "value",
            "monthly_fee": "0.0000",
            "setup_fee": "0.0000",
            "free_minutes": "0",
        }
    ]
    assert call(api, "getPackages", package=str(api["pkg"]))["packages"][0]["name"] == "Std"
    assert call(api, "getPackages", user="rb@example.com", package=str(api["pkg"]))["status"] == "invalid_package"
    assert call(api, "getPackages", user="rb@example.com")["packages"] == []
    pk = call(api, "getClientPackages", client=str(api["c"]))["packages"]
    assert pk == [{"value": str(api["pkg"]), "description": "Std"}]


# --- calls ------------------------------------------------------------------------------------------------


def _calls(api) -> None:
    t0 = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)
    base = dict(direction="out", account="100001_front", callerid='"Front" <15145550000>', destination="15145550143")
    ingest_cdrs(
        api["ra"],
        [
            CarrierCdr(uniqueid="A1b2", start=t0, duration=60, disposition="ANSWERED", **base),
            CarrierCdr(uniqueid="n0", start=t0 + timedelta(hours=1), duration=0, disposition="NO ANSWER", **base),
            CarrierCdr(uniqueid="old", start=t0 - timedelta(days=40), duration=30, disposition="ANSWERED", **base),
        ],
    )


def test_reseller_cdr_rows_filters_and_range(api):
    _calls(api)
    cid = str(api["c"])
    res = call(api, "getResellerCDR", client=cid, date_from="2026-11-01", date_to="2026-11-30")
    rows = res["cdr"]
    assert [r["uniqueid"] for r in rows] == ["n0", "A1b2"]
    answered = rows[1]
    assert set(answered) == {
        "date", "callerid", "destination", "description", "account", "disposition", "duration",
        "seconds", "rate", "total", "uniqueid", "destination_type",
    }  # fmt: skip
    assert (answered["date"], answered["duration"], answered["seconds"]) == ("2026-11-10 15:00:00", "00:01:00", "60")
    assert answered["disposition"] == "ANSWERED" and Decimal(answered["total"]) > 0
    only = call(api, "getResellerCDR", client=cid, date_from="2026-11-01", date_to="2026-11-30", answered="1")
    assert [r["uniqueid"] for r in only["cdr"]] == ["A1b2"]
    shifted = call(api, "getResellerCDR", client=cid, date_from="2026-11-10", date_to="2026-11-10", timezone="-5")
    assert [r["date"] for r in shifted["cdr"]] == ["2026-11-10 11:00:00", "2026-11-10 10:00:00"]
    assert call(api, "getResellerCDR", client=cid, date_from="2026-01-01", date_to="2026-11-30")["status"] == (
        "invalid_daterange"
    )
    assert call(api, "getResellerCDR", client=cid, date_from="2026-11-30", date_to="2026-11-01")["status"] == (
        "invalid_daterange"
    )
    assert call(api, "getResellerCDR", client=cid, date_from="2025-01-01", date_to="2025-01-02")["status"] == "no_cdr"
    assert call(api, "getResellerCDR", client=cid, date_from="junk", date_to="2025-01-02")["status"] == (
        "invalid_datefrom"
    )
    assert call(api, "getResellerCDR", client=cid, date_to="2025-01-02")["status"] == "missing_datefrom"
    other = call(api, "getResellerCDR", client=str(api["other"]), date_from="2026-11-01", date_to="2026-11-30")
    assert other["status"] == "invalid_client"


def test_reseller_balance_counts_calls(api):
    _calls(api)
    bal = call(api, "getResellerBalance", client=str(api["c"]))["balance"]
    assert bal["calls_total"] == "3" and bal["time_total"] == "00:01:30"
    assert Decimal(bal["spent_total"]) == -Decimal(bal["current_balance"]) > 0
    assert set(bal) == {"current_balance", "spent_total", "calls_total", "time_total", "spent_today", "calls_today",
                        "time_today"}  # fmt: skip


# --- robustness -------------------------------------------------------------------------------------------


def test_odd_input_is_a_status_not_a_500(api):
    http = api["http"]
    base = {"api_username": "ra@example.com", "api_password": API_PW}
    for extra in (
        {"method": "getClients", "client": "\x00\x01"},
        {"method": "addPayment", "client": "9" * 40, "payment": "1e9999", "description": "x"},
        {"method": "getResellerCDR", "client": "1", "date_from": "2026-02-30", "date_to": "2026-03-01"},
        {"method": "getResellerCDR", "client": str(api["c"]), "date_from": "2026-01-01", "date_to": "2026-01-02",
         "timezone": "Infinity"},
        {"method": "signupClient", "email": "é" * 500},
        {"method": "getClients", "client": "١٢"},
        {"method": "setClientThreshold", "client": str(api["c"]), "threshold": "²"},
        {"method": "getPackages", "package": "٣"},
    ):  # fmt: skip
        r = http.get(PATH, params={**base, **extra})
        assert r.status_code == 200 and r.json()["status"] != "success", extra
    r = http.post(PATH, content=b"\xff\xfe", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and r.json()["status"] in ("invalid_credentials", "invalid_request")
    r = http.post(PATH, json={**base, "method": "getClients"})
    assert r.json()["status"] == "success"


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
def test_an_unreadable_body_is_invalid_request(api, body, ctype):
    r = api["http"].post(PATH, content=body, headers={"content-type": ctype})
    assert r.status_code == 200 and r.json() == {"status": "invalid_request"}


def test_openapi_documents_the_endpoint(api):
    spec = api["http"].get("/api/openapi.json").json()
    op = spec["paths"][PATH]
    names = {p["name"] for p in op["get"]["parameters"]}
    assert {"api_username", "api_password", "method", "client", "payment", "idempotency_key", "date_from"} <= names
    assert "application/x-www-form-urlencoded" in op["post"]["requestBody"]["content"]
