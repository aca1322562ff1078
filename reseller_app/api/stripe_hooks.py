"""Stripe's return and cancel redirects and its webhook: each settles the card payment through services/cards.

The webhook URL carries the reseller's id (each reseller has its own Stripe account and signing secret):
`/api/stripe/webhook/<reseller id>`.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse

from reseller_app import routes
from reseller_app.services.accounting import cards
from reseller_app.services.common.errors import NotFound, ServiceError

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/stripe", tags=["payments"])
MAX_BODY = 512 * 1024


def _balance_page(reseller_id: int | None, outcome: str, what: str = "deposit") -> RedirectResponse:
    if reseller_id is None:
        return RedirectResponse(routes.RESELLER_LOGIN, status_code=303)
    return RedirectResponse(f"{routes.client_path(reseller_id, 'balance')}?{what}={outcome}", status_code=303)


def _finish(reseller_id: str, session_id: str, what: str) -> RedirectResponse:
    try:
        done = cards.checkout_return(reseller_id, session_id)
    except NotFound:
        return _balance_page(None, "unknown")
    except ServiceError as e:
        log.warning("Stripe return for %s: %s", session_id[:120], e)
        return _balance_page(cards.checkout_cancel(reseller_id, ""), "pending", what)
    return _balance_page(done.reseller_id, done.status, what)


@router.get("/return/{reseller_id}", summary="Stripe Checkout sends the payer back here after paying")
def stripe_return(reseller_id: str, session_id: str = "") -> RedirectResponse:
    """Ask Stripe about the session, credit it (once), then show the client's balance page."""
    return _finish(reseller_id, session_id, "deposit")


@router.get("/setup-return/{reseller_id}", summary="Stripe Checkout (setup mode) sends the client back here")
def stripe_setup_return(reseller_id: str, session_id: str = "") -> RedirectResponse:
    """Save the card the client entered, then show the balance page."""
    return _finish(reseller_id, session_id, "card")


@router.get("/cancel/{reseller_id}", summary="Stripe Checkout sends the payer back here after cancelling")
def stripe_cancel(reseller_id: str, session_id: str = "") -> RedirectResponse:
    """Mark the payment cancelled and show the client's balance page."""
    return _balance_page(cards.checkout_cancel(reseller_id, session_id), "cancelled")


@router.post("/webhook/{reseller_id}", summary="Stripe webhook (signed with the reseller's signing secret)")
async def stripe_webhook(reseller_id: str, request: Request) -> JSONResponse:
    """Verify the Stripe-Signature header, then act on the event; a bad signature changes nothing (400)."""
    payload = await request.body()
    if len(payload) > MAX_BODY:
        return JSONResponse({"status": "too large"}, status_code=413)
    try:
        status = cards.handle_webhook(reseller_id, payload, request.headers.get("stripe-signature"))
    except cards.BadSignature:
        return JSONResponse({"status": "bad signature"}, status_code=400)
    except NotFound:
        return JSONResponse({"status": "ignored"})
    except ServiceError as e:
        # 503: Stripe retries the event later.
        log.warning("Stripe webhook for reseller %s: %s", reseller_id[:12], e)
        return JSONResponse({"status": "retry"}, status_code=503)
    return JSONResponse({"status": status})
