"""PayPal deposits against a local fake of PayPal's endpoints: one credit per captured order, whatever arrives."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from reseller_app.api import create_api
from reseller_app.config import settings
from reseller_app.db import session_scope
from reseller_app.models import Client, LedgerEntry, PaymentOrder, Reseller, ResellerSettings
from reseller_app.services.access.actor import Actor
from reseller_app.services.accounting import payments
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed


class FakePayPal:
    """PayPal's token, create-order and capture endpoints (and GET order), with approval done by the test."""

    def __init__(self) -> None:
        self.orders: dict[str, dict] = {}
        self.by_request_id: dict[str, httpx.Response] = {}
        self.captures = 0
        self.capture_value: str | None = None  # override what a capture reports (tampering test)

    def approve(self, order_id: str) -> None:
        self.orders[order_id]["approved"] = True

    def _order(self, oid: str) -> dict:
        o = self.orders[oid]
        body = {"id": oid, "status": "COMPLETED" if o["captured"] else ("APPROVED" if o["approved"] else "CREATED")}
        if o["captured"]:
            value = self.capture_value or o["amount"]["value"]
            cap = {"status": "COMPLETED", "amount": {"currency_code": o["amount"]["currency_code"], "value": value}}
            body["purchase_units"] = [{"payments": {"captures": [cap]}}]
        return body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/oauth2/token":
            assert request.headers["authorization"].startswith("Basic ")
            return httpx.Response(200, json={"access_token": "tok-1", "expires_in": 3600})
        assert request.headers["authorization"] == "Bearer tok-1"
        rid = request.headers.get("paypal-request-id")
        if rid and rid in self.by_request_id:
            return self.by_request_id[rid]
        resp = self._handle(request, path)
        if rid:
            self.by_request_id[rid] = resp
        return resp

    def _handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if path == "/v2/checkout/orders" and request.method == "POST":
            body = json.loads(request.content)
            oid = f"ORD{len(self.orders) + 1}X"
            unit = body["purchase_units"][0]
            self.orders[oid] = {"amount": unit["amount"], "payee": unit["payee"], "approved": False, "captured": False}
            self.orders[oid]["context"] = body["payment_source"]["paypal"]["experience_context"]
            link = {"rel": "payer-action", "href": f"https://www.sandbox.paypal.com/checkoutnow?token={oid}"}
            return httpx.Response(200, json={"id": oid, "status": "PAYER_ACTION_REQUIRED", "links": [link]})
        parts = path.strip("/").split("/")
        oid = parts[3] if len(parts) > 3 else ""
        if oid not in self.orders:
            return httpx.Response(404, json={"name": "RESOURCE_NOT_FOUND"})
        if request.method == "GET":
            return httpx.Response(200, json=self._order(oid))
        o = self.orders[oid]
        if o["captured"]:
            return httpx.Response(422, json={"details": [{"issue": "ORDER_ALREADY_CAPTURED"}]})
        if not o["approved"]:
            return httpx.Response(422, json={"details": [{"issue": "ORDER_NOT_APPROVED"}]})
        o["captured"] = True
        self.captures += 1
        return httpx.Response(201, json=self._order(oid))


@pytest.fixture()
def paypal(world, monkeypatch):
    """PayPal deposits switched on for reseller A (amounts 10 and 25), answered by the fake."""
    fake = FakePayPal()
    gw = payments.PayPal("app-id", "app-secret", "sandbox", transport=httpx.MockTransport(fake))
    monkeypatch.setattr(payments, "gateway", lambda: gw)
    monkeypatch.setattr(
        payments, "settings", dataclasses.replace(payments.settings, paypal_client_id="app-id", paypal_secret="s")
    )
    with session_scope() as s:
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == world["ra"])).one()
        st.paypal_enabled, st.paypal_email, st.deposit_amounts = True, "pay@alpha.example", "10, 25,junk"
    world["fake"] = fake
    world["client_actor"] = Actor("client", world["ra"], world["c"])
    return world


def _balance(cid: int) -> Decimal:
    with session_scope() as s:
        return s.get(Client, cid).balance


def _credits(cid: int) -> list[LedgerEntry]:
    with session_scope() as s:
        return list(s.exec(select(LedgerEntry).where(LedgerEntry.client_id == cid, LedgerEntry.kind == "payment")))


@pytest.mark.parametrize("text", ["10,25,50", "5, 12.50 ,100", "0.01"])
def test_deposit_amounts_accepted(text):
    assert all(a > 0 for a in payments.parse_deposit_amounts(text))


@pytest.mark.parametrize("text", ["", "10,,20", "10,-5", "0", "1.234", "ten", "10,10", "1e2", "20000"])
def test_deposit_amounts_refused(text):
    with pytest.raises(ValueError):
        payments.parse_deposit_amounts(text)


def test_a_stored_list_is_read_by_the_same_rules_leaving_out_what_breaks_them():
    text = "10, 25,junk,,10,-5,20000,1.234,50"
    assert payments.parse_deposit_amounts(text, skip_bad=True) == [Decimal(10), Decimal(25), Decimal(50)]
    many = ",".join(str(n) for n in range(1, 31))
    assert payments.parse_deposit_amounts(many, skip_bad=True) == [Decimal(n) for n in range(1, 21)]
    with pytest.raises(ValueError, match="at most 20"):
        payments.parse_deposit_amounts(many)


def test_options_show_the_resellers_amounts(paypal):
    opts = payments.deposit_options(paypal["client_actor"])
    assert opts.enabled and opts.amounts == [
        {"value": "10.00", "label": "$10.00"},
        {"value": "25.00", "label": "$25.00"},
    ]


def test_options_off_when_the_reseller_has_no_paypal(paypal):
    with session_scope() as s:
        s.exec(
            select(ResellerSettings).where(ResellerSettings.reseller_id == paypal["ra"])
        ).one().paypal_enabled = False
    assert payments.deposit_options(paypal["client_actor"]).enabled is False
    with pytest.raises(ValidationFailed):
        payments.start_deposit(paypal["client_actor"], "10")


def test_start_creates_an_order_to_the_resellers_paypal(paypal):
    url = payments.start_deposit(paypal["client_actor"], "25")
    assert url.startswith("https://www.sandbox.paypal.com/checkoutnow?token=ORD1X")
    sent = paypal["fake"].orders["ORD1X"]
    assert sent["amount"] == {"currency_code": "USD", "value": "25.00"}
    assert sent["payee"] == {"email_address": "pay@alpha.example"}
    assert sent["context"]["return_url"].endswith("/api/paypal/return")
    with session_scope() as s:
        order = s.exec(select(PaymentOrder)).one()
        assert (order.client_id, order.amount, order.status, order.provider_ref) == (
            paypal["c"],
            Decimal("25"),
            "pending",
            "ORD1X",
        )


def test_paypal_sends_the_client_back_to_its_resellers_own_hostname(paypal):
    """White label: once the reseller's hostname is active, PayPal returns the client there (where its session
    cookie is), not to the platform's PUBLIC_URL; before that, to PUBLIC_URL."""
    payments.start_deposit(paypal["client_actor"], "25")
    first = paypal["fake"].orders["ORD1X"]["context"]
    assert first["return_url"] == f"{settings.public_url.rstrip('/')}/api/paypal/return"
    with session_scope() as s:
        r = s.get(Reseller, paypal["ra"])
        r.custom_hostname, r.hostname_status = "voice.alpha.example", "requested"
    payments.start_deposit(paypal["client_actor"], "25")
    assert [o["context"]["return_url"] for o in paypal["fake"].orders.values()][-1] == first["return_url"]
    with session_scope() as s:
        s.get(Reseller, paypal["ra"]).hostname_status = "active"
    payments.start_deposit(paypal["client_actor"], "25")
    context = list(paypal["fake"].orders.values())[-1]["context"]
    scheme = settings.public_url.split("://", 1)[0]
    assert context["return_url"] == f"{scheme}://voice.alpha.example/api/paypal/return"
    assert context["cancel_url"] == f"{scheme}://voice.alpha.example/api/paypal/cancel"


@pytest.mark.parametrize("amount", ["11", "-10", "abc", "10.001", ""])
def test_only_the_resellers_amounts(paypal, amount):
    with pytest.raises(ValidationFailed):
        payments.start_deposit(paypal["client_actor"], amount)
    assert paypal["fake"].orders == {}


def test_a_reseller_actor_or_a_foreign_client_cannot_start_a_deposit(paypal):
    with pytest.raises(Forbidden):
        payments.start_deposit(paypal["actor_a"], "10")
    with pytest.raises(NotFound):
        payments.start_deposit(Actor("client", paypal["ra"], paypal["other"]), "10")


def test_return_and_webhook_both_arrive_credit_once(paypal):
    payments.start_deposit(paypal["client_actor"], "10")
    paypal["fake"].approve("ORD1X")
    first = payments.complete("ORD1X")
    again = payments.complete("ORD1X")
    assert (first.status, first.credited_now, again.credited_now) == ("completed", True, False)
    assert paypal["fake"].captures == 1
    assert _balance(paypal["c"]) == Decimal("10")
    assert [e.reference for e in _credits(paypal["c"])] == ["paypal:ORD1X"]


def test_return_and_webhook_at_the_same_moment_credit_once(paypal):
    import threading

    payments.start_deposit(paypal["client_actor"], "10")
    paypal["fake"].approve("ORD1X")
    fake = paypal["fake"]
    barrier = threading.Barrier(2, timeout=10)
    handle = fake._handle

    def both_inside(request, path):
        if path.endswith("/capture"):
            barrier.wait()  # both requests are at PayPal before either is answered
        return handle(request, path)

    fake._handle = both_inside
    # Distinct request ids, as two processes would send (PayPal does not dedupe them).
    fake.by_request_id = {}
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(payments.complete("ORD1X"))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(results) == 2 and sorted(r.credited_now for r in results) == [False, True]
    assert _balance(paypal["c"]) == Decimal("10") and len(_credits(paypal["c"])) == 1


def test_not_approved_yet_credits_nothing(paypal):
    payments.start_deposit(paypal["client_actor"], "10")
    with pytest.raises(payments.PaymentError):
        payments.complete("ORD1X")
    assert _balance(paypal["c"]) == 0
    with pytest.raises(NotFound):
        payments.complete("NOPE")


def test_a_capture_for_another_amount_is_not_credited(paypal):
    payments.start_deposit(paypal["client_actor"], "10")
    paypal["fake"].approve("ORD1X")
    paypal["fake"].capture_value = "1.00"
    assert payments.complete("ORD1X").status == "failed"
    assert _balance(paypal["c"]) == 0


def test_http_return_webhook_and_cancel(paypal):
    http = TestClient(create_api())
    payments.start_deposit(paypal["client_actor"], "25")
    paypal["fake"].approve("ORD1X")
    event = {"event_type": "CHECKOUT.ORDER.APPROVED", "resource": {"id": "ORD1X", "status": "COMPLETED"}}
    r = http.post("/api/paypal/webhook", json=event)
    assert r.status_code == 200 and r.json()["status"] == "completed"
    r = http.get("/api/paypal/return", params={"token": "ORD1X"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/r/{paypal['ra']}/balance?deposit=completed"
    capture_event = {
        "event_type": "PAYMENT.CAPTURE.COMPLETED",
        "resource": {"supplementary_data": {"related_ids": {"order_id": "ORD1X"}}},
    }
    assert http.post("/api/paypal/webhook", json=capture_event).json()["status"] == "completed"
    assert _balance(paypal["c"]) == Decimal("25") and len(_credits(paypal["c"])) == 1
    # A forged webhook for an order PayPal never approved credits nothing.
    payments.start_deposit(paypal["client_actor"], "10")
    forged = {"event_type": "CHECKOUT.ORDER.APPROVED", "resource": {"id": "ORD2X", "status": "APPROVED"}}
    assert http.post("/api/paypal/webhook", json=forged).status_code == 503
    r = http.get("/api/paypal/cancel", params={"token": "ORD2X"}, follow_redirects=False)
    assert r.headers["location"] == f"/r/{paypal['ra']}/balance?deposit=cancelled"
    assert _balance(paypal["c"]) == Decimal("25")
    assert http.post("/api/paypal/webhook", json={"event_type": "OTHER"}).json()["status"] == "ignored"
    assert http.post("/api/paypal/webhook", content=b"{nope").status_code == 400
