"""PayPal deposits: a PaymentOrder per deposit, an order created and captured through PayPal's REST API (httpx).

The reseller's PayPal address is the payee; the portal's PayPal app (PAYPAL_CLIENT_ID / PAYPAL_SECRET) creates
the orders. The client is credited once per captured order, whichever of the return redirect and the webhook
arrives first (the order row moves from pending to completed in one conditional update, and the ledger reference
`paypal:<order id>` is unique).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import httpx
import sqlalchemy as sa
from sqlmodel import Session, select

from reseller_app.billing.money import parse_amount
from reseller_app.config import settings
from reseller_app.db import session_scope
from reseller_app.i18n import _
from reseller_app.models import Client, PaymentOrder, Reseller, ResellerSettings, utcnow
from reseller_app.services.access.actor import Actor, require_client
from reseller_app.services.accounting.postings import Effects, post_to_client, run_effects
from reseller_app.services.common import audit
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import NotFound, ServiceError, ValidationFailed
from reseller_app.services.common.lookup import own_account
from reseller_app.services.settings.branding import portal_base

log = logging.getLogger(__name__)

URLS = {"sandbox": "https://api-m.sandbox.paypal.com", "live": "https://api-m.paypal.com"}
MAX_DEPOSIT = Decimal("10000")
MAX_DEPOSIT_AMOUNTS = 20


class PaymentError(ServiceError):
    """PayPal refused or could not be reached; nothing was credited."""


class PayPal:
    """The two PayPal Orders v2 calls the portal makes (create, capture), plus the OAuth token they need."""

    def __init__(
        self,
        client_id: str,
        secret: str,
        mode: str = "sandbox",
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 20.0,
    ) -> None:
        """Configure for sandbox or live mode; `transport` lets tests answer with a local fake."""
        if mode not in URLS:
            raise ValueError(f"PAYPAL_MODE must be one of {sorted(URLS)}")
        self._auth = (client_id, secret)
        self._http = httpx.Client(base_url=URLS[mode], transport=transport, timeout=timeout)
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def _bearer(self) -> str:
        with self._lock:
            if self._token and self._token[1] > time.monotonic():
                return self._token[0]
            r = self._http.post("/v1/oauth2/token", data={"grant_type": "client_credentials"}, auth=self._auth)
            if r.status_code != 200:
                raise PaymentError(f"PayPal login failed (HTTP {r.status_code}).")
            body = r.json()
            self._token = (body["access_token"], time.monotonic() + max(int(body.get("expires_in", 300)) - 60, 30))
            return self._token[0]

    def _send(
        self, method: str, path: str, *, json: dict | None = None, request_id: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._bearer()}", "Content-Type": "application/json"}
        if request_id:
            # PayPal replays the first answer for a repeated request id: a retry never creates or captures twice.
            headers["PayPal-Request-Id"] = request_id
        try:
            return self._http.request(method, path, json=json, headers=headers)
        except httpx.HTTPError as e:
            raise PaymentError(f"PayPal could not be reached ({type(e).__name__}).") from e

    def create_order(
        self,
        *,
        amount: Decimal,
        currency: str,
        payee: str,
        reference: str,
        brand: str,
        return_url: str,
        cancel_url: str,
    ) -> tuple[str, str]:
        """Create an order; returns (order id, the URL where the payer approves it)."""
        body = {
            "intent": "CAPTURE",
            "purchase_units": [
                {
                    "reference_id": reference,
                    "description": f"Deposit to {brand}"[:127],
                    "amount": {"currency_code": currency, "value": f"{amount:.2f}"},
                    "payee": {"email_address": payee},
                }
            ],
            "payment_source": {
                "paypal": {
                    "experience_context": {
                        "brand_name": brand[:127],
                        "shipping_preference": "NO_SHIPPING",
                        "user_action": "PAY_NOW",
                        "return_url": return_url,
                        "cancel_url": cancel_url,
                    }
                }
            },
        }
        r = self._send("POST", "/v2/checkout/orders", json=body, request_id=f"create-{reference}")
        if r.status_code not in (200, 201):
            raise PaymentError(f"PayPal refused the order (HTTP {r.status_code}).")
        data = r.json()
        link = next((x["href"] for x in data.get("links", []) if x.get("rel") in ("payer-action", "approve")), None)
        if not data.get("id") or not link:
            raise PaymentError("PayPal sent no approval link.")
        return str(data["id"]), str(link)

    def capture(self, order_id: str) -> dict:
        """Capture an approved order; an order captured already answers with its completed state."""
        r = self._send("POST", f"/v2/checkout/orders/{order_id}/capture", json={}, request_id=f"capture-{order_id}")
        if r.status_code in (200, 201):
            return r.json()
        if r.status_code == 422 and "ORDER_ALREADY_CAPTURED" in r.text:
            got = self._send("GET", f"/v2/checkout/orders/{order_id}")
            if got.status_code == 200:
                return got.json()
        raise PaymentError(f"PayPal did not capture the order (HTTP {r.status_code}).")


_gateway: PayPal | None = None


def gateway() -> PayPal:
    """The portal's PayPal client (from PAYPAL_CLIENT_ID, PAYPAL_SECRET, PAYPAL_MODE)."""
    global _gateway
    if _gateway is None:
        if not settings.paypal_client_id or not settings.paypal_secret:
            raise PaymentError("PayPal is not configured on this portal.")
        _gateway = PayPal(settings.paypal_client_id, settings.paypal_secret, settings.paypal_mode)
    return _gateway


def parse_deposit_amounts(text: str, *, skip_bad: bool = False) -> list[Decimal]:
    """The reseller's comma-separated deposit amounts: each more than zero, at most MAX_DEPOSIT, at most 2 decimals,
    none twice, at most MAX_DEPOSIT_AMOUNTS of them.

    The Configuration tab saves only a list that keeps these rules (ValueError with a message for the field);
    reading a stored list, `skip_bad` leaves out the entries that break them.
    """
    out: list[Decimal] = []
    parts = [p.strip() for p in (text or "").split(",")]
    if not any(parts) and not skip_bad:
        raise ValueError("Enter at least one amount, e.g. 10,25,50.")
    for p in parts:
        try:
            out.append(_deposit_amount(p, out))
        except ValueError:
            if not skip_bad:
                raise
    if len(out) > MAX_DEPOSIT_AMOUNTS:
        if not skip_bad:
            raise ValueError(f"List at most {MAX_DEPOSIT_AMOUNTS} amounts.")
        out = out[:MAX_DEPOSIT_AMOUNTS]
    return out


def _deposit_amount(p: str, earlier: list[Decimal]) -> Decimal:
    if not p:
        raise ValueError("Remove the empty entry between commas.")
    try:
        v = parse_amount(p, places=2, allow_negative=True, what=p)
    except ValueError:
        raise ValueError(f"{p!r} is not an amount with at most 2 decimals.") from None
    if v <= 0:  # "-5" is a number, and negative: say so (not "not an amount")
        raise ValueError(f"{p!r} must be positive.")
    if v > MAX_DEPOSIT:
        raise ValueError(f"{p!r} is more than {MAX_DEPOSIT:,}.")
    if v in earlier:
        raise ValueError(f"{p!r} is listed twice.")
    return v


@dataclass
class DepositOptions:
    """What the client's deposit panel shows."""

    enabled: bool
    amounts: list[dict[str, str]]  # {"value": "25.00", "label": "$25.00"}


def deposit_options(actor: Actor) -> DepositOptions:
    """The reseller's deposit amounts for this client, when PayPal deposits are on."""
    require_client(actor)
    with session_scope() as session:
        s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == actor.reseller_id)).one()
        enabled = bool(s.paypal_enabled and s.paypal_email and settings.paypal_client_id)
        amounts = [
            {"value": f"{a:.2f}", "label": fmt.money(a)}
            for a in parse_deposit_amounts(s.deposit_amounts, skip_bad=True)
        ]
    return DepositOptions(enabled=enabled and bool(amounts), amounts=amounts if enabled else [])


def start_deposit(actor: Actor, amount: str) -> str:
    """Create a PayPal order for one of the reseller's amounts; returns the approval URL to send the client to."""
    require_client(actor)
    try:
        value = parse_amount(str(amount).strip(), places=2)
    except ValueError:
        raise ValidationFailed({"amount": _("Choose one of the amounts.")}) from None
    with session_scope() as session:
        s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == actor.reseller_id)).one()
        reseller = session.get(Reseller, actor.reseller_id)
        own_account(session, actor)
        if not (s.paypal_enabled and s.paypal_email):
            raise ValidationFailed({"amount": _("Online deposits are not available.")})
        if value not in parse_deposit_amounts(s.deposit_amounts, skip_bad=True):
            raise ValidationFailed({"amount": _("Choose one of the amounts.")})
        payee, brand, currency = s.paypal_email, s.title, reseller.currency or "USD"
        # PayPal sends the client back to the address it uses (its reseller's hostname once active), where its
        # session cookie is: never the platform's own address on a white-label portal.
        base = portal_base(settings.public_url, reseller.custom_hostname, reseller.hostname_status)
    reference = f"{actor.reseller_id}-{actor.client_id}-{utcnow().strftime('%Y%m%d%H%M%S%f')}"
    order_id, approve = gateway().create_order(
        amount=value,
        currency=currency,
        payee=payee,
        reference=reference,
        brand=brand,
        return_url=f"{base}/api/paypal/return",
        cancel_url=f"{base}/api/paypal/cancel",
    )
    with session_scope() as session:
        session.add(
            PaymentOrder(
                reseller_id=actor.reseller_id,
                client_id=actor.client_id,
                amount=value,
                provider="paypal",
                provider_ref=order_id,
            )
        )
        audit.record(session, actor, "deposit_started", "client", actor.client_id, amount=value, order=order_id)
    return approve


def _captured(data: dict) -> tuple[str, Decimal | None, str]:
    """(status, captured amount, currency) from an order answer."""
    status = str(data.get("status", ""))
    total = Decimal(0)
    currency = ""
    found = False
    for unit in data.get("purchase_units", []) or []:
        for cap in (unit.get("payments") or {}).get("captures", []) or []:
            if cap.get("status") != "COMPLETED":
                continue
            amt = cap.get("amount") or {}
            try:
                total += Decimal(str(amt.get("value")))
            except (InvalidOperation, TypeError):
                continue
            currency = str(amt.get("currency_code", ""))
            found = True
    return status, (total if found else None), currency


@dataclass
class Completion:
    """Where a deposit ended: the client's reseller (for the redirect) and whether this call credited it."""

    reseller_id: int
    status: str  # completed | pending | cancelled | failed
    credited_now: bool = False


def _paypal_order(session: Session, order_id: str) -> PaymentOrder | None:
    return session.exec(
        select(PaymentOrder).where(PaymentOrder.provider == "paypal", PaymentOrder.provider_ref == order_id)
    ).first()


def complete(order_id: str) -> Completion:
    """Capture the order at PayPal and credit the client once (called by the return redirect and the webhook)."""
    order_id = (order_id or "").strip()[:80]
    with session_scope() as session:
        order = _paypal_order(session, order_id)
        if order is None:
            raise NotFound("No such deposit.")
        rid, cid, amount, status = order.reseller_id, order.client_id, order.amount, order.status
        currency = session.get(Reseller, rid).currency or "USD"
    # A cancelled order may still be paid later (the payer went back to PayPal): PayPal decides.
    if status not in ("pending", "cancelled"):
        return Completion(rid, status)
    # The truth comes from PayPal (never from the webhook's body), outside any transaction.
    state, captured, cur = _captured(gateway().capture(order_id))
    if state != "COMPLETED" or captured is None:
        return Completion(rid, status)
    if captured != amount or cur != currency:
        log.error("PayPal order %s captured %s %s, expected %s %s", order_id, captured, cur, amount, currency)
        with session_scope() as session:
            session.execute(
                sa.update(PaymentOrder)
                .where(PaymentOrder.provider_ref == order_id, PaymentOrder.status == "pending")
                .values(status="failed")
            )
        return Completion(rid, "failed")
    fx = Effects()
    with session_scope() as session:
        moved = session.execute(
            sa.update(PaymentOrder)
            .where(PaymentOrder.provider == "paypal", PaymentOrder.provider_ref == order_id)
            .where(PaymentOrder.status.in_(("pending", "cancelled")))
            .values(status="completed", completed_at=utcnow())
        )
        if moved.rowcount != 1:
            return Completion(rid, "completed")
        client = session.get(Client, cid)
        post_to_client(
            session,
            client,
            kind="payment",
            amount=amount,
            description="PayPal deposit",
            reference=f"paypal:{order_id}"[:120],
            by="paypal",
            fx=fx,
        )
        audit.record(session, Actor("client", rid, cid), "deposit_completed", "client", cid, amount=amount)
    run_effects(fx)
    return Completion(rid, "completed", credited_now=True)


def cancel_lookup(order_id: str) -> int | None:
    """The reseller id of a deposit (for the redirect after a PayPal failure), or None."""
    with session_scope() as session:
        order = session.exec(
            select(PaymentOrder).where(PaymentOrder.provider == "paypal", PaymentOrder.provider_ref == order_id[:80])
        ).first()
        return order.reseller_id if order else None


def cancel(order_id: str) -> int | None:
    """The payer went back without paying: mark a pending order cancelled; returns its reseller id."""
    order_id = (order_id or "").strip()[:80]
    with session_scope() as session:
        order = _paypal_order(session, order_id)
        if order is None:
            return None
        if order.status == "pending":
            order.status = "cancelled"
        return order.reseller_id


def order_id_from_event(event: dict) -> str | None:
    """The order id a PayPal webhook event is about (approved order or completed capture)."""
    kind = str(event.get("event_type", ""))
    resource = event.get("resource") or {}
    if not isinstance(resource, dict):
        return None
    if kind.startswith("CHECKOUT.ORDER."):
        return str(resource.get("id") or "") or None
    if kind.startswith("PAYMENT.CAPTURE."):
        related = (resource.get("supplementary_data") or {}).get("related_ids") or {}
        return str(related.get("order_id") or "") or None
    return None
