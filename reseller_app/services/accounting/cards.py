"""Card payments through the reseller's own Stripe account: deposits, a saved card, automatic top-up and refunds.

- A deposit is a Checkout Session (Stripe's hosted page) for one of the reseller's deposit amounts. It is credited
  once, from the signed webhook (`checkout.session.completed`, `payment_intent.succeeded`) or the return redirect,
  whichever comes first, with the amount Stripe reports: the payment row moves from pending to completed in one
  conditional UPDATE and the ledger reference `stripe:<id>` is unique (as PayPal deposits in `payments`).
- A saved card comes from a Checkout Session in setup mode (a SetupIntent); automatic top-up charges it off-session
  when a posting takes the balance below the client's threshold (`topup.on_posting` picks the one posting per
  crossing; `charge_topups` charges it after commit with the crossing's idempotency key). A refused card pauses
  top-up until the card is saved again, and the client and the reseller get an email.
- A refund (full or part, once per payment) is a Stripe refund and a ledger entry: the reversal of the deposit when
  in full, a charge `stripe-refund:<id>` when in part (a reversal carries the whole opposite amount).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import stripe
from sqlmodel import Session, select

from reseller_app import i18n
from reseller_app.billing.money import parse_amount
from reseller_app.config import settings
from reseller_app.db import session_scope
from reseller_app.i18n import _
from reseller_app.models import (
    CardPayment,
    CardProfile,
    Client,
    LedgerEntry,
    Reseller,
    ResellerSettings,
    StripeAccount,
    utcnow,
)
from reseller_app.notify import enqueue
from reseller_app.services.access.actor import Actor, require_client, require_reseller
from reseller_app.services.accounting import ledger
from reseller_app.services.accounting import stripe_gateway as gw
from reseller_app.services.accounting.payments import MAX_DEPOSIT, parse_deposit_amounts
from reseller_app.services.accounting.postings import Effects, apply_balance_rules, post_to_client, run_effects
from reseller_app.services.accounting.stripe_gateway import SK_FIELD, WH_FIELD
from reseller_app.services.common import audit, fields
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.common.lookup import client_of_reseller, own_account, owned, row_id
from reseller_app.services.settings import texts
from reseller_app.services.settings.branding import portal_base
from reseller_app.services.staff import roles
from reseller_app.services.staff.roles import require_role

log = logging.getLogger(__name__)

CardPaymentError = gw.CardPaymentError
SETUP_EVENTS = ("checkout.session.completed",)
PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


def _d(obj: Any) -> dict:  # noqa: ANN401 - a StripeObject (or a dict already)
    """A Stripe object as a plain dict (StripeObjects in this library version are not dicts)."""
    if obj is None:
        return {}
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


class BadSignature(Exception):
    """A webhook whose Stripe-Signature does not verify with the reseller's signing secret."""


# ---------------------------------------------------------------- the reseller's keys (Payment tab)


def webhook_url(reseller_id: int) -> str:
    """The endpoint the reseller registers in Stripe (Developers → Webhooks)."""
    return f"{settings.public_url.rstrip('/')}/api/stripe/webhook/{reseller_id}"


def _account(session: Session, reseller_id: int) -> StripeAccount | None:
    return session.exec(select(StripeAccount).where(StripeAccount.reseller_id == reseller_id)).first()


def stripe_settings(actor: Actor) -> dict[str, str]:
    """What the Payment tab shows: the switch, the publishable key, whether secrets are saved, the webhook URL."""
    require_reseller(actor)
    with session_scope() as session:
        a = _account(session, actor.reseller_id)
        return {
            "stripe_enabled": "1" if a and a.enabled else "",
            "stripe_publishable_key": a.publishable_key if a else "",
            "stripe_has_secret": "1" if a and a.secret_key else "",
            "stripe_has_webhook_secret": "1" if a and a.webhook_secret else "",
            "stripe_webhook_url": webhook_url(actor.reseller_id),
        }


def save_stripe(actor: Actor, enabled: bool, publishable: str, secret: str, webhook_secret: str) -> dict[str, str]:
    """Save the keys (an empty secret keeps the saved one) after asking Stripe whether the secret key works."""
    require_role(require_reseller(actor), roles.CONFIGURATION)
    publishable, secret, webhook_secret = (publishable or "").strip(), (secret or "").strip(), webhook_secret or ""
    webhook_secret = webhook_secret.strip()
    with session_scope() as session:
        a = _account(session, actor.reseller_id)
        saved_secret, saved_hook = (a.secret_key, a.webhook_secret) if a else ("", "")
    if not (enabled or publishable or secret or webhook_secret):
        pass  # switching card payments off with nothing entered
    else:
        errors = gw.key_problems(publishable, secret or saved_secret, webhook_secret or saved_hook)
        if not secret and not saved_secret:
            errors[SK_FIELD] = "Enter your Stripe secret key."
        if not webhook_secret and not saved_hook:
            errors[WH_FIELD] = "Enter the signing secret of the webhook endpoint."
        if errors:
            raise ValidationFailed(errors)
        if secret or enabled:
            problem = gw.check_secret_key(secret or saved_secret)
            if problem:
                raise ValidationFailed({SK_FIELD: problem})
    with session_scope() as session:
        a = _account(session, actor.reseller_id)
        if a is None:
            a = StripeAccount(reseller_id=actor.reseller_id)
            session.add(a)
        a.enabled = bool(enabled)
        if publishable or enabled:
            a.publishable_key = publishable
        if secret:
            a.secret_key = secret  # stored as given: Stripe needs it in clear on every call (see README)
        if webhook_secret:
            a.webhook_secret = webhook_secret
        a.updated_at = utcnow()
        session.flush()
        audit.record(session, actor, "config_stripe", "stripeaccount", a.id, enabled=a.enabled)
    return stripe_settings(actor)


# ---------------------------------------------------------------- the client's side


@dataclass
class CardOptions:
    """What the client's card panel shows."""

    enabled: bool
    amounts: list[dict[str, str]]
    card_label: str = ""
    topup_enabled: bool = False
    topup_threshold: str = ""
    topup_amount: str = ""
    topup_paused: bool = False


def _amounts(s: ResellerSettings) -> list[Decimal]:
    return parse_deposit_amounts(s.deposit_amounts, skip_bad=True)


def card_options(actor: Actor) -> CardOptions:
    """The reseller's deposit amounts (when card payments are on), the client's saved card and its top-up."""
    require_client(actor)
    with session_scope() as session:
        own_account(session, actor)
        a = _account(session, actor.reseller_id)
        if a is None or not a.enabled or not a.secret_key:
            return CardOptions(enabled=False, amounts=[])
        s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == actor.reseller_id)).one()
        amounts = [{"value": f"{v:.2f}", "label": fmt.money(v)} for v in _amounts(s)]
        p = session.exec(select(CardProfile).where(CardProfile.client_id == actor.client_id)).first()
        if p is None:
            return CardOptions(enabled=bool(amounts), amounts=amounts)
        return CardOptions(
            enabled=bool(amounts),
            amounts=amounts,
            card_label=p.card_label,
            topup_enabled=p.topup_enabled,
            topup_threshold=fmt.typed(p.topup_threshold),  # typed back in the client's locale (7,50 in French)
            topup_amount=f"{p.topup_amount:.2f}" if p.topup_amount is not None else "",
            topup_paused=p.topup_paused,
        )


def _ready(session: Session, actor: Actor) -> tuple[Client, StripeAccount, ResellerSettings, str]:
    client = own_account(session, actor)
    a = _account(session, actor.reseller_id)
    if a is None or not a.enabled or not a.secret_key:
        raise ValidationFailed({"amount": _("Card payments are not available.")})
    s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == actor.reseller_id)).one()
    reseller = session.get(Reseller, actor.reseller_id)
    return client, a, s, ((reseller.currency if reseller else None) or "USD").upper()


def _profile(session: Session, client: Client) -> CardProfile:
    p = session.exec(select(CardProfile).where(CardProfile.client_id == client.id)).first()
    if p is None:
        p = CardProfile(reseller_id=client.reseller_id, client_id=client.id)
        session.add(p)
        session.flush()
    return p


def _customer(actor: Actor, secret: str) -> str:
    """The client's Stripe customer, created once (the idempotency key makes two racing requests get one)."""
    with session_scope() as session:
        client = own_account(session, actor)
        p = _profile(session, client)
        if p.customer_id:
            return p.customer_id
        email, name = client.email, f"{client.firstname} {client.lastname}".strip()
    try:
        customer = gw.client(secret).v1.customers.create(
            {"email": email, "name": name, "metadata": {"client_id": str(actor.client_id)}},
            {"idempotency_key": f"customer-{actor.reseller_id}-{actor.client_id}"},
        )
    except stripe.StripeError as e:
        raise CardPaymentError(f"Stripe could not be reached ({type(e).__name__}).") from e
    with session_scope() as session:
        session.execute(
            sa.update(CardProfile)
            .where(CardProfile.client_id == actor.client_id, CardProfile.customer_id == "")
            .values(customer_id=str(customer["id"]))
        )
    return str(customer["id"])


def _urls(reseller_id: int, what: str) -> tuple[str, str]:
    """Stripe's return and cancel URLs, on the address the client uses (its reseller's hostname once active), so
    the client comes back to where its session cookie is."""
    with session_scope() as session:
        r = session.get(Reseller, reseller_id)
        portal = portal_base(settings.public_url, r.custom_hostname if r else None, r.hostname_status if r else "")
    base = f"{portal}/api/stripe"
    return (
        f"{base}/{what}/{reseller_id}?session_id={{CHECKOUT_SESSION_ID}}",
        f"{base}/cancel/{reseller_id}?session_id={{CHECKOUT_SESSION_ID}}",
    )


def start_card_deposit(actor: Actor, amount: str) -> str:
    """A Checkout Session for one of the reseller's amounts; returns Stripe's hosted page to send the client to."""
    require_client(actor)
    try:
        value = parse_amount(str(amount).strip(), places=2)
    except ValueError:
        raise ValidationFailed({"amount": _("Choose one of the amounts.")}) from None
    with session_scope() as session:
        _client, a, s, currency = _ready(session, actor)
        if value not in _amounts(s):
            raise ValidationFailed({"amount": _("Choose one of the amounts.")})
        try:
            units = gw.minor(value, currency)
        except ValueError:
            raise ValidationFailed(
                {"amount": _("{currency} amounts have no decimals.").format(currency=currency)}
            ) from None
        secret, brand = a.secret_key, s.title
        payment = CardPayment(
            reseller_id=actor.reseller_id,
            client_id=actor.client_id,
            kind="checkout",
            amount=value,
            currency=currency,
            idempotency_key=f"checkout-{actor.client_id}-{utcnow().strftime('%Y%m%d%H%M%S%f')}",
        )
        session.add(payment)
        session.flush()
        pid, key = payment.id, payment.idempotency_key
    customer = _customer(actor, secret)
    success, cancel = _urls(actor.reseller_id, "return")
    meta = {"card_payment": str(pid), "client_id": str(actor.client_id)}
    try:
        cs = gw.client(secret).v1.checkout.sessions.create(
            {
                "mode": "payment",
                "customer": customer,
                "client_reference_id": str(pid),
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": currency.lower(),
                            "unit_amount": units,
                            "product_data": {"name": f"Deposit to {brand}"[:250]},
                        },
                    }
                ],
                "metadata": meta,
                "payment_intent_data": {"metadata": meta},
                "success_url": success,
                "cancel_url": cancel,
            },
            {"idempotency_key": key},
        )
    except stripe.StripeError as e:
        with session_scope() as session:
            session.execute(sa.update(CardPayment).where(CardPayment.id == pid).values(status="failed"))
        raise CardPaymentError(f"Stripe refused the payment ({type(e).__name__}).") from e
    with session_scope() as session:
        session.execute(sa.update(CardPayment).where(CardPayment.id == pid).values(session_id=str(cs["id"])))
        audit.record(session, actor, "card_deposit_started", "client", actor.client_id, amount=value, payment=pid)
    return str(cs["url"])


def start_card_setup(actor: Actor) -> str:
    """A Checkout Session in setup mode (a SetupIntent) to save a card for automatic top-up; returns its page."""
    require_client(actor)
    with session_scope() as session:
        _client, a, _s, _currency = _ready(session, actor)
        secret = a.secret_key
    customer = _customer(actor, secret)
    success, cancel = _urls(actor.reseller_id, "setup-return")
    try:
        cs = gw.client(secret).v1.checkout.sessions.create(
            {
                "mode": "setup",
                "customer": customer,
                "payment_method_types": ["card"],
                "metadata": {"client_id": str(actor.client_id)},
                "success_url": success,
                "cancel_url": cancel,
            }
        )
    except stripe.StripeError as e:
        raise CardPaymentError(f"Stripe could not be reached ({type(e).__name__}).") from e
    with session_scope() as session:
        session.execute(
            sa.update(CardProfile).where(CardProfile.client_id == actor.client_id).values(setup_session=str(cs["id"]))
        )
    return str(cs["url"])


def set_topup(actor: Actor, enabled: bool, threshold: str, amount: str) -> CardOptions:
    """Turn automatic top-up on (a saved card, a threshold, one of the reseller's amounts) or off."""
    require_client(actor)
    errors: dict[str, str] = {}
    limit, value = None, None
    if enabled:
        try:  # typed by the client: the one amount reader (a decimal comma in French)
            limit = fields.amount(str(threshold), "topup_threshold", positive=False, maximum=MAX_DEPOSIT)
        except ValidationFailed as e:
            errors.update(e.errors)
        try:
            value = parse_amount(str(amount).strip(), places=2, what="amount")
        except ValueError:
            errors["topup_amount"] = _("Choose one of the amounts.")
    with session_scope() as session:
        client, _a, s, _currency = _ready(session, actor)
        if enabled and value is not None and value not in _amounts(s):
            errors["topup_amount"] = _("Choose one of the amounts.")
        p = session.exec(select(CardProfile).where(CardProfile.client_id == client.id)).first()
        if enabled and (p is None or not p.payment_method):
            errors["topup_enabled"] = _("Save a card first.")
        if errors:
            raise ValidationFailed(errors)
        if p is None:
            return card_options(actor)  # off, and nothing saved to turn off
        p.topup_enabled = bool(enabled)
        if enabled:
            p.topup_threshold, p.topup_amount = limit, value
            # Armed now: the next posting that leaves the balance below the threshold starts one top-up.
            p.topup_armed = True
        p.updated_at = utcnow()
        audit.record(session, actor, "card_topup", "client", client.id, enabled=p.topup_enabled)
    return card_options(actor)


def remove_card(actor: Actor) -> CardOptions:
    """Forget the saved card (Stripe keeps the customer); automatic top-up stops."""
    require_client(actor)
    with session_scope() as session:
        client = own_account(session, actor)
        p = session.exec(select(CardProfile).where(CardProfile.client_id == client.id)).first()
        if p is not None and p.payment_method:
            p.payment_method, p.card_label, p.topup_enabled, p.topup_armed = "", "", False, False
            audit.record(session, actor, "card_removed", "client", client.id)
    return card_options(actor)


# ---------------------------------------------------------------- settling: redirect, webhook, top-up


@dataclass
class Completion:
    """Where a card payment ended, for the redirect."""

    reseller_id: int
    status: str  # completed | pending | cancelled | failed | saved
    credited_now: bool = False


def _secret_of(reseller_id: int) -> str:
    with session_scope() as session:
        a = _account(session, reseller_id)
        if a is None or not a.secret_key:
            raise NotFound("No such payment.")
        return a.secret_key


def _settle(reseller_id: int, payment_id: int, units: object, currency: object, intent_id: object) -> Completion:
    """Credit a payment Stripe reports paid (`units` in minor units), once; a different amount is refused."""
    with session_scope() as session:
        p = session.get(CardPayment, payment_id)
        if p is None or p.reseller_id != reseller_id:
            raise NotFound("No such payment.")
        if p.status == "completed":
            return Completion(reseller_id, "completed")
        amount, cid, expected = p.amount, p.client_id, p.currency
    try:
        reported = gw.major(int(str(units)), str(currency))
    except (TypeError, ValueError):
        reported = None
    if reported != amount or str(currency).upper() != expected:
        log.error("Stripe payment %s reports %s %s, expected %s %s", payment_id, units, currency, amount, expected)
        with session_scope() as session:
            session.execute(
                sa.update(CardPayment)
                .where(CardPayment.id == payment_id, CardPayment.status == "pending")
                .values(status="failed", failure="amount differs")
            )
        return Completion(reseller_id, "failed")
    fx = Effects()
    with session_scope() as session:
        values: dict[str, Any] = {"status": "completed", "completed_at": utcnow()}
        if intent_id:
            values["intent_id"] = str(intent_id)[:120]
        moved = session.execute(
            sa.update(CardPayment)
            .where(CardPayment.id == payment_id, CardPayment.status.in_(("pending", "cancelled")))
            .values(**values)
        )
        if moved.rowcount != 1:
            return Completion(reseller_id, "completed")
        client = session.get(Client, cid)
        kind = session.get(CardPayment, payment_id).kind
        post_to_client(
            session,
            client,
            kind="payment",
            amount=amount,
            description="Automatic top-up by card" if kind == "topup" else "Card deposit",
            reference=f"stripe:{payment_id}",
            by="stripe",
            fx=fx,
        )
        audit.record(session, Actor("client", reseller_id, cid), "card_payment_completed", "client", cid, amount=amount)
    run_effects(fx)
    return Completion(reseller_id, "completed", credited_now=True)


def _payment_of_session(reseller_id: int, session_id: str) -> CardPayment | None:
    with session_scope() as session:
        p = session.exec(
            select(CardPayment).where(CardPayment.session_id == session_id, CardPayment.reseller_id == reseller_id)
        ).first()
        if p is not None:
            session.expunge(p)
        return p


def _settle_session(reseller_id: int, cs: Any) -> Completion:  # noqa: ANN401 - a Stripe Checkout Session
    """A Checkout Session Stripe says is over: a saved card (setup mode) or a deposit to credit."""
    if cs.get("mode") == "setup":
        return _card_saved(reseller_id, str(cs.get("id")), cs.get("setup_intent"))
    p = _payment_of_session(reseller_id, str(cs.get("id") or ""))
    if p is None:
        raise NotFound("No such payment.")
    if cs.get("payment_status") != "paid":
        return Completion(reseller_id, p.status)
    intent = cs.get("payment_intent")
    intent_id = intent.get("id") if isinstance(intent, dict) else intent
    return _settle(reseller_id, p.id, cs.get("amount_total"), cs.get("currency"), intent_id)


def checkout_return(reseller_id: object, session_id: str) -> Completion:
    """The client is back from Stripe's page: ask Stripe about the session and credit (or save the card) once."""
    rid = row_id(reseller_id)
    session_id = (session_id or "").strip()[:120]
    if rid is None or not session_id:
        raise NotFound("No such payment.")
    secret = _secret_of(rid)
    try:
        cs = _d(gw.client(secret).v1.checkout.sessions.retrieve(session_id))
    except stripe.InvalidRequestError as e:
        raise NotFound("No such payment.") from e
    except stripe.StripeError as e:
        raise CardPaymentError(f"Stripe could not be reached ({type(e).__name__}).") from e
    return _settle_session(rid, cs)


def checkout_cancel(reseller_id: object, session_id: str) -> int | None:
    """The client came back without paying: mark the pending payment cancelled; returns the reseller id."""
    rid = row_id(reseller_id)
    if rid is None:
        return None
    with session_scope() as session:
        session.execute(
            sa.update(CardPayment)
            .where(
                CardPayment.reseller_id == rid,
                CardPayment.session_id == (session_id or "")[:120],
                CardPayment.status == "pending",
            )
            .values(status="cancelled")
        )
        return rid if session.get(Reseller, rid) else None


def _card_saved(reseller_id: int, session_id: str, setup_intent: object) -> Completion:
    """A setup session ended: read the card it saved and make it the client's card for top-up (unpaused), once
    (the webhook and the return redirect both arrive; the profile keeps the session id to recognise the second)."""
    with session_scope() as session:
        p = session.exec(
            select(CardProfile).where(CardProfile.setup_session == session_id, CardProfile.reseller_id == reseller_id)
        ).first()
        if p is None:
            raise NotFound("No such card.")
        profile_id = p.id
    si_id = setup_intent.get("id") if isinstance(setup_intent, dict) else setup_intent
    if not si_id:
        return Completion(reseller_id, "pending")
    sc = gw.client(_secret_of(reseller_id))
    try:
        si = _d(sc.v1.setup_intents.retrieve(str(si_id)))
        if si.get("status") != "succeeded" or not si.get("payment_method"):
            return Completion(reseller_id, "pending")
        pm_id = si["payment_method"] if isinstance(si["payment_method"], str) else si["payment_method"]["id"]
        pm = _d(sc.v1.payment_methods.retrieve(str(pm_id)))
    except stripe.StripeError as e:
        raise CardPaymentError(f"Stripe could not be reached ({type(e).__name__}).") from e
    card = pm.get("card") or {}
    label = f"{card.get('brand', 'card')} •••• {card.get('last4', '????')}"[:60]
    with session_scope() as session:
        moved = session.execute(
            sa.update(CardProfile)
            .where(
                CardProfile.id == profile_id,
                CardProfile.setup_session == session_id,
                CardProfile.payment_method != str(pm_id)[:80],
            )
            .values(
                payment_method=str(pm_id)[:80],
                card_label=label,
                topup_paused=False,
                topup_armed=True,
                updated_at=utcnow(),
            )
        )
        if moved.rowcount == 1:
            p = session.get(CardProfile, profile_id)
            audit.record(session, Actor("client", reseller_id, p.client_id), "card_saved", "client", p.client_id)
    return Completion(reseller_id, "saved")


def handle_webhook(reseller_id: object, payload: bytes, signature: str | None) -> str:
    """A Stripe event for this reseller, verified with its signing secret (`Webhook.construct_event`).

    A bad or missing signature raises BadSignature and nothing happens. A replayed event settles nothing twice.
    """
    rid = row_id(reseller_id)
    with session_scope() as session:
        a = _account(session, rid) if rid is not None else None
        secret = a.webhook_secret if a is not None else ""
    if rid is None or not secret:
        raise BadSignature("unknown reseller")
    try:
        event = stripe.Webhook.construct_event(payload, signature or "", secret)
    except (stripe.SignatureVerificationError, ValueError) as e:
        raise BadSignature(str(e)) from None
    event = _d(event)
    kind = str(event["type"])
    obj = event["data"]["object"]
    meta = obj.get("metadata") or {}
    if kind in PAID_EVENTS:
        return _settle_session(rid, obj).status
    if kind == "checkout.session.expired":
        checkout_cancel(rid, str(obj.get("id") or ""))
        return "cancelled"
    pid = row_id(meta.get("card_payment"))
    if kind == "payment_intent.succeeded" and pid is not None:
        return _settle(rid, pid, obj.get("amount_received"), obj.get("currency"), obj.get("id")).status
    if kind == "payment_intent.payment_failed" and pid is not None:
        error = obj.get("last_payment_error") or {}
        _topup_failed(rid, pid, str(error.get("message") or "The card was declined."), obj.get("id"))
        return "failed"
    return "ignored"


def charge_topups(payment_ids: list[int]) -> None:
    """Charge the saved card for each top-up a posting started (after that posting committed)."""
    for pid in payment_ids:
        try:
            _charge_topup(pid)
        except Exception:
            # A top-up must never undo or fail the posting that started it; the webhook can still settle it.
            log.exception("automatic top-up %s", pid)


def _charge_topup(pid: int) -> None:
    with session_scope() as session:
        p = session.get(CardPayment, pid)
        if p is None or p.kind != "topup" or p.status != "pending" or p.intent_id:
            return
        prof = session.exec(select(CardProfile).where(CardProfile.client_id == p.client_id)).one()
        a = _account(session, p.reseller_id)
        if a is None or not a.secret_key:
            return
        rid, cid, key, amount, currency = p.reseller_id, p.client_id, p.idempotency_key, p.amount, p.currency
        params = {
            "amount": gw.minor(amount, currency),
            "currency": currency.lower(),
            "customer": prof.customer_id,
            "payment_method": prof.payment_method,
            "off_session": True,
            "confirm": True,
            "description": "Automatic top-up",
            "metadata": {"card_payment": str(pid), "client_id": str(cid)},
        }
        secret = a.secret_key
    try:
        pi = _d(gw.client(secret).v1.payment_intents.create(params, {"idempotency_key": key}))  # type: ignore[arg-type]
    except stripe.CardError as e:
        intent = _d(getattr(e.error, "payment_intent", None)) if getattr(e, "error", None) else {}
        _topup_failed(rid, pid, e.user_message or "The card was declined.", intent.get("id"))
        return
    except stripe.StripeError as e:
        log.warning("automatic top-up %s not charged yet: %s", pid, type(e).__name__)
        return
    with session_scope() as session:
        session.execute(
            sa.update(CardPayment)
            .where(CardPayment.id == pid, CardPayment.intent_id.is_(None))
            .values(intent_id=str(pi["id"]))
        )
    if pi.get("status") == "succeeded":
        _settle(rid, pid, pi.get("amount_received") or pi.get("amount"), pi.get("currency"), pi.get("id"))
    elif pi.get("status") in ("requires_payment_method", "requires_action", "canceled"):
        _topup_failed(rid, pid, "The bank asked for the cardholder to confirm the payment.", pi.get("id"))


def _topup_failed(reseller_id: int, pid: int, message: str, intent_id: object) -> None:
    """A top-up the card refused: mark it failed, pause top-up, and email the client and the reseller (once)."""
    with session_scope() as session:
        values: dict[str, Any] = {"status": "failed", "failure": message[:255]}
        moved = session.execute(
            sa.update(CardPayment)
            .where(
                CardPayment.id == pid,
                CardPayment.reseller_id == reseller_id,
                CardPayment.kind == "topup",
                CardPayment.status == "pending",
            )
            .values(**values)
        )
        if moved.rowcount != 1:
            return
        p = session.get(CardPayment, pid)
        if intent_id and not p.intent_id:
            p.intent_id = str(intent_id)[:120]
        session.execute(sa.update(CardProfile).where(CardProfile.client_id == p.client_id).values(topup_paused=True))
        client = session.get(Client, p.client_id)
        reseller = session.get(Reseller, reseller_id)
        s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == reseller_id)).one()
        amount = fmt.money(p.amount, currency=p.currency)
        name = f"{client.firstname} {client.lastname}".strip()
        with i18n.use_language(texts.recipient_language(client, s)):  # the client's email in their language
            subject = _("{portal}: automatic top-up failed").format(portal=s.title)
            body = _(
                "Hello {name},\n\nYour card was not charged the automatic top-up of {amount}: {reason}\n\n"
                "Automatic top-up is paused until you save a card again on your Balance page."
            ).format(name=name, amount=fmt.money(p.amount, currency=p.currency), reason=message)
        enqueue(
            session,
            to=client.email,
            subject=subject[:200],
            body=body,
            reseller_id=reseller_id,
            dedupe_key=f"topup-failed:{pid}:client",
        )
        enqueue(
            session,
            to=reseller.email,
            subject=f"Automatic top-up failed for {name}"[:200],
            body=(
                f"The automatic top-up of {amount} for your client {name} ({client.email}) failed: {message}\n\n"
                "Their automatic top-up is paused until they save a card again."
            ),
            reseller_id=reseller_id,
            dedupe_key=f"topup-failed:{pid}:reseller",
        )
        audit.record(session, Actor("client", reseller_id, p.client_id), "card_topup_failed", "client", p.client_id)


# ---------------------------------------------------------------- the reseller's side: payments and refunds


def client_card_payments(actor: Actor, client_id: object) -> list[dict[str, str]]:
    """A client's completed card payments, newest first, with what can still be refunded."""
    require_reseller(actor)
    with session_scope() as session:
        client = client_of_reseller(session, actor, client_id)
        rows = session.exec(
            select(CardPayment)
            .where(CardPayment.client_id == client.id, CardPayment.status == "completed")
            .order_by(CardPayment.created_at.desc(), CardPayment.id.desc())
            .limit(200)
        ).all()
        return [
            {
                "id": str(p.id),
                "date": fmt.when(p.completed_at or p.created_at),
                "kind": "Automatic top-up" if p.kind == "topup" else "Card deposit",
                "amount": fmt.money(p.amount, currency=p.currency),
                "value": f"{p.amount:.2f}",
                "refunded": fmt.money(p.refund_amount, currency=p.currency) if p.refund_state == "done" else "",
                "refundable": "1" if p.refund_state != "done" else "",
            }
            for p in rows
        ]


def refund(actor: Actor, client_id: object, payment_id: object, amount: str = "") -> LedgerEntry:
    """Refund a card payment in full (empty amount) or in part, once: at Stripe, then in the ledger."""
    require_role(require_reseller(actor), roles.MONEY)
    with session_scope() as session:
        client = client_of_reseller(session, actor, client_id)
        p = owned(session, actor, CardPayment, payment_id, "card payment", client_id=client.id)
        if p.status != "completed" or not p.intent_id:
            raise ValidationFailed({"refund": "Only a credited card payment can be refunded."})
        if p.refund_state == "done":
            raise ValidationFailed({"refund": "This payment was already refunded."})
        text = str(amount or "").strip()
        try:
            value = p.amount if not text else parse_amount(text, places=2, what="amount")
        except ValueError:
            raise ValidationFailed({"refund": "Enter an amount with at most 2 decimals."}) from None
        if value <= 0 or value > p.amount:
            raise ValidationFailed({"refund": f"Enter an amount above 0 and at most {p.amount:.2f}."})
        original = session.exec(
            select(LedgerEntry).where(LedgerEntry.client_id == client.id, LedgerEntry.reference == f"stripe:{p.id}")
        ).first()
        if original is None:  # a completed payment always has its entry; refuse rather than fail if it has not
            raise ValidationFailed({"refund": "This payment is not in the client's ledger, so it cannot be refunded."})
        if session.exec(select(LedgerEntry).where(LedgerEntry.reverses_id == original.id)).first():
            raise ValidationFailed({"refund": "This payment was deleted from the ledger already."})
        claimed = session.execute(
            sa.update(CardPayment)
            .where(
                CardPayment.id == p.id,
                sa.or_(
                    CardPayment.refund_state == "",
                    sa.and_(CardPayment.refund_state == "pending", CardPayment.refund_amount == value),
                ),
            )
            .values(refund_state="pending", refund_amount=value)
        )
        if claimed.rowcount != 1:
            raise ValidationFailed({"refund": "Another refund of this payment is under way."})
        pid, cid, intent, currency, full = p.id, client.id, p.intent_id, p.currency, value == p.amount
        original_id, original_amount = original.id, original.amount
        a = _account(session, actor.reseller_id)
        secret = a.secret_key if a else ""
    try:
        r = gw.client(secret).v1.refunds.create(
            {"payment_intent": intent, "amount": gw.minor(value, currency), "metadata": {"card_payment": str(pid)}},
            {"idempotency_key": f"refund-{pid}"},
        )
    except stripe.StripeError as e:
        with session_scope() as session:
            session.execute(
                sa.update(CardPayment)
                .where(CardPayment.id == pid, CardPayment.refund_state == "pending")
                .values(refund_state="", refund_amount=None)
            )
        raise CardPaymentError(f"Stripe did not refund: {getattr(e, 'user_message', None) or type(e).__name__}.") from e
    fx = Effects()
    with session_scope() as session:
        moved = session.execute(
            sa.update(CardPayment)
            .where(CardPayment.id == pid, CardPayment.refund_state == "pending")
            .values(refund_state="done", refund_id=str(r["id"])[:120])
        )
        ref = f"stripe-refund:{pid}"
        if moved.rowcount != 1:
            return session.exec(select(LedgerEntry).where(LedgerEntry.reference == ref)).one()
        entry, new = ledger.post(
            session,
            reseller_id=actor.reseller_id,
            client_id=cid,
            kind="reversal" if full else "charge",
            amount=-original_amount if full else -value,
            description=("Card refund" if full else f"Card refund (part of {original_amount:.2f})"),
            reference=ref,
            created_by="reseller",
            reverses_id=original_id if full else None,
        )
        client = session.get(Client, cid)
        session.refresh(client)
        apply_balance_rules(session, client, new + value, new, ref, fx)
        audit.record(session, actor, "card_refund", "cardpayment", pid, amount=value)
        session.flush()
        session.expunge(entry)
    run_effects(fx)
    return entry
