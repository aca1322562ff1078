"""A local fake of the few Stripe endpoints the portal uses, and its hosted Checkout page (tests only).

The Stripe library is pointed at it with STRIPE_API_BASE (`settings.stripe_api_base`); nothing reaches the internet.
Requests are form-encoded as the library sends them; answers are the JSON objects Stripe answers with (the fields
the portal reads). Idempotency keys replay the first answer, as Stripe does. Events are signed the way Stripe signs
them (`t=<unix time>,v1=<HMAC-SHA256 of "t.payload">`) with the webhook secret the test gives.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

DECLINE_CARD = "4000000000000341"  # Stripe's test card that saves fine and is declined when charged


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for this payload."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


class FakeStripe:
    """The fake's state: objects by id, the keys it accepts, counters the tests read, the events it sends."""

    def __init__(self, secret_keys: tuple[str, ...] = ("sk_test_good",)) -> None:
        self.keys = set(secret_keys)
        self.objects: dict[str, dict] = {}
        self.idem: dict[tuple[str, str], tuple[int, str]] = {}
        self.calls: list[tuple[str, str]] = []
        self.intents_created = 0
        self.refunds_created = 0
        self.events: list[dict] = []
        self.webhook_secret = ""
        self.deliver: Callable[[str, str], object] | None = None  # (payload, signature header) -> anything
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeStripe:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    # ------------------------------------------------------------ events

    def event(self, kind: str, obj: dict, *, send: bool = True) -> tuple[str, str]:
        """Record (and, with a deliverer, send) an event; returns (payload, signature) for a test to replay."""
        ev = {"id": self.new_id("evt"), "object": "event", "type": kind, "data": {"object": obj}}
        ev.update({"api_version": "2025-01-01", "created": int(time.time()), "livemode": False})
        payload = json.dumps(ev)
        header = sign(payload, self.webhook_secret) if self.webhook_secret else ""
        self.events.append(ev)
        if send and self.deliver is not None:
            self.deliver(payload, header)
        return payload, header

    # ------------------------------------------------------------ what the hosted page does

    def pay(self, session_id: str, card: str = "4242424242424242", *, send: bool = True) -> dict:
        """The payer completes the hosted page: pay (payment mode) or save the card (setup mode)."""
        with self._lock:
            cs = self.objects[session_id]
            pm = self._payment_method(cs["customer"], card)
            if cs["mode"] == "setup":
                si = {"id": self.new_id("seti"), "object": "setup_intent", "status": "succeeded"}
                si.update({"payment_method": pm["id"], "customer": cs["customer"]})
                self.objects[si["id"]] = si
                cs.update(status="complete", setup_intent=si["id"])
            else:
                pi = self._intent(cs["amount_total"], cs["currency"], cs["customer"], pm["id"])
                pi["metadata"] = dict(cs.get("_pi_metadata", {}))
                cs.update(status="complete", payment_status="paid", payment_intent=pi["id"])
            public = _public(cs)
        self.event("checkout.session.completed", public, send=send)
        if cs["mode"] == "payment":
            self.event("payment_intent.succeeded", self.objects[cs["payment_intent"]], send=send)
        return public

    def _payment_method(self, customer: str, card: str) -> dict:
        pm = {"id": self.new_id("pm"), "object": "payment_method", "customer": customer, "type": "card"}
        pm["card"] = {"brand": "visa", "last4": card[-4:], "_number": card}
        self.objects[pm["id"]] = pm
        return pm

    def _intent(self, amount: int, currency: str, customer: str, pm: str) -> dict:
        self.intents_created += 1
        pi = {"id": self.new_id("pi"), "object": "payment_intent", "amount": amount, "currency": currency}
        pi.update({"customer": customer, "payment_method": pm, "status": "succeeded", "amount_received": amount})
        pi["metadata"] = {}
        self.objects[pi["id"]] = pi
        return pi

    # ------------------------------------------------------------ the API

    def handle(self, method: str, path: str, key: str, form: dict[str, str]) -> tuple[int, dict]:
        self.calls.append((method, path))
        if key not in self.keys:
            return 401, _error("invalid_request_error", "Invalid API Key provided: " + key[:8] + "***")
        parts = path.strip("/").split("/")
        with self._lock:
            return self._route(method, parts, form)

    def _route(self, method: str, parts: list[str], form: dict[str, str]) -> tuple[int, dict]:
        if parts == ["v1", "balance"]:
            return 200, {"object": "balance", "available": [], "pending": [], "livemode": False}
        if parts == ["v1", "customers"] and method == "POST":
            cus = {"id": self.new_id("cus"), "object": "customer", "email": form.get("email", "")}
            self.objects[cus["id"]] = cus
            return 200, cus
        if parts == ["v1", "checkout", "sessions"] and method == "POST":
            return 200, _public(self._session(form))
        if parts == ["v1", "payment_intents"] and method == "POST":
            return self._charge(form)
        if parts == ["v1", "refunds"] and method == "POST":
            return self._refund(form)
        if method == "GET" and len(parts) >= 3 and parts[-1] in self.objects:
            return 200, _public(self.objects[parts[-1]])
        return 404, _error("invalid_request_error", "No such object: " + "/".join(parts))

    def _session(self, form: dict[str, str]) -> dict:
        cs = {"id": self.new_id("cs_test"), "object": "checkout.session", "mode": form["mode"], "status": "open"}
        cs["url"] = f"{self.base}/pay/{cs['id']}"
        cs.update(customer=form.get("customer"), success_url=form["success_url"], cancel_url=form["cancel_url"])
        cs.update(payment_intent=None, setup_intent=None, payment_status="unpaid")
        cs["metadata"] = _sub(form, "metadata")
        cs["_pi_metadata"] = _sub(form, "payment_intent_data[metadata]")
        if cs["mode"] == "payment":
            cs["amount_total"] = int(form["line_items[0][price_data][unit_amount]"])
            cs["currency"] = form["line_items[0][price_data][currency]"]
        else:
            cs.update(amount_total=None, currency=None, payment_status="no_payment_required")
        self.objects[cs["id"]] = cs
        return cs

    def _charge(self, form: dict[str, str]) -> tuple[int, dict]:
        pm = self.objects.get(form.get("payment_method", ""))
        if pm is None:
            return 400, _error("invalid_request_error", "No such PaymentMethod")
        pi = self._intent(int(form["amount"]), form["currency"], form.get("customer", ""), pm["id"])
        pi["metadata"] = _sub(form, "metadata")
        if pm["card"]["_number"] == DECLINE_CARD:
            pi.update(status="requires_payment_method", amount_received=0)
            pi["last_payment_error"] = {"message": "Your card was declined.", "code": "card_declined"}
            err = _error("card_error", "Your card was declined.", code="card_declined")
            err["error"]["payment_intent"] = _public(pi)
            self._later("payment_intent.payment_failed", pi)
            return 402, err
        self._later("payment_intent.succeeded", pi)
        return 200, _public(pi)

    def _refund(self, form: dict[str, str]) -> tuple[int, dict]:
        pi = self.objects.get(form.get("payment_intent", ""))
        if pi is None:
            return 400, _error("invalid_request_error", "No such payment_intent")
        amount = int(form.get("amount") or pi["amount_received"])
        done = sum(r["amount"] for r in self.objects.values() if r.get("object") == "refund" and r["pi"] == pi["id"])
        if amount + done > pi["amount_received"]:
            return 400, _error("invalid_request_error", "Refund amount is greater than the unrefunded amount.")
        self.refunds_created += 1
        r = {"id": self.new_id("re"), "object": "refund", "amount": amount, "status": "succeeded", "pi": pi["id"]}
        self.objects[r["id"]] = r
        return 200, r

    def _later(self, kind: str, obj: dict) -> None:
        """An event about an API call, sent after the answer (as Stripe does) on another thread."""
        payload, header = self.event(kind, _public(obj), send=False)
        if self.deliver is not None:
            threading.Thread(target=self.deliver, args=(payload, header), daemon=True).start()


def _sub(form: dict[str, str], prefix: str) -> dict[str, str]:
    return {
        k[len(prefix) + 1 : -1]: v
        for k, v in form.items()
        if k.startswith(prefix + "[") and k.count("[") == 1 + prefix.count("[")
    }


def _public(obj: dict) -> dict:
    out = {k: v for k, v in obj.items() if not k.startswith("_")}
    if "card" in out:
        out["card"] = {k: v for k, v in out["card"].items() if not k.startswith("_")}
    return out


def _error(kind: str, message: str, code: str = "") -> dict:
    return {"error": {"type": kind, "message": message, "code": code or None}}


def _handler(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt: str, *args: object) -> None:
            return

        def _answer(self, status: int, body: str, ctype: str = "application/json", location: str = "") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            if location:
                self.send_header("Location", location)
            self.end_headers()
            self.wfile.write(data)

        def _form(self) -> dict[str, str]:
            n = int(self.headers.get("Content-Length") or 0)
            return dict(parse_qsl(self.rfile.read(n).decode(), keep_blank_values=True)) if n else {}

        def _api(self, method: str) -> None:
            url = urlsplit(self.path)
            form = self._form() if method == "POST" else dict(parse_qsl(url.query))
            key = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip()
            idem = self.headers.get("Idempotency-Key") or ""
            if method == "POST" and idem and (key, idem) in fake.idem:
                status, body = fake.idem[(key, idem)]
                return self._answer(status, body)
            status, obj = fake.handle(method, url.path, key, form)
            body = json.dumps(obj)
            if method == "POST" and idem and status < 500:
                fake.idem[(key, idem)] = (status, body)
            return self._answer(status, body)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path.startswith("/pay/"):
                cs = fake.objects.get(path.removeprefix("/pay/"))
                if cs is None:
                    return self._answer(404, "no such session", "text/plain")
                return self._answer(200, _page(cs), "text/html; charset=utf-8")
            return self._api("GET")

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if path.startswith("/pay/"):
                sid = path.removeprefix("/pay/")
                form = self._form()
                cs = fake.objects.get(sid)
                if cs is None:
                    return self._answer(404, "no such session", "text/plain")
                if form.get("action") == "cancel":
                    return self._answer(303, "", "text/plain", cs["cancel_url"].replace("{CHECKOUT_SESSION_ID}", sid))
                fake.pay(sid, form.get("card", "4242424242424242").replace(" ", ""))
                return self._answer(303, "", "text/plain", cs["success_url"].replace("{CHECKOUT_SESSION_ID}", sid))
            return self._api("POST")

    return Handler


def _page(cs: dict) -> str:
    what = "Save your card" if cs["mode"] == "setup" else f"Pay {cs['amount_total'] / 100:.2f} {cs['currency']}"
    return f"""<!doctype html><html><head><title>Fake Stripe Checkout</title></head><body>
<h1 id="checkout-title">{html.escape(what)}</h1>
<form method="post"><label for="card">Card number</label>
<input id="card" name="card" value="4242 4242 4242 4242">
<button id="pay" name="action" value="pay" type="submit">{"Save" if cs["mode"] == "setup" else "Pay"}</button>
<button id="cancel" name="action" value="cancel" type="submit">Cancel</button></form></body></html>"""
