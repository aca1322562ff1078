"""PayPal's return and cancel redirects and its webhook: each settles the deposit through services/payments."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse

from reseller_app import routes
from reseller_app.services.accounting import payments
from reseller_app.services.common.errors import NotFound, ServiceError

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/paypal", tags=["payments"])


def _balance_page(reseller_id: int | None, outcome: str) -> RedirectResponse:
    if reseller_id is None:
        return RedirectResponse(routes.RESELLER_LOGIN, status_code=303)
    return RedirectResponse(f"{routes.client_path(reseller_id, 'balance')}?deposit={outcome}", status_code=303)


@router.get("/return", summary="PayPal sends the payer back here after approving (token = order id)")
def paypal_return(token: str = "") -> RedirectResponse:
    """Capture and credit (once), then show the client's balance page."""
    try:
        done = payments.complete(token)
    except NotFound:
        return _balance_page(None, "unknown")
    except ServiceError as e:
        log.warning("PayPal return for %s: %s", token[:80], e)
        return _balance_page(payments.cancel_lookup(token), "pending")
    return _balance_page(done.reseller_id, done.status)


@router.get("/cancel", summary="PayPal sends the payer back here after cancelling (token = order id)")
def paypal_cancel(token: str = "") -> RedirectResponse:
    """Mark the deposit cancelled and show the client's balance page."""
    return _balance_page(payments.cancel(token), "cancelled")


@router.post("/webhook", summary="PayPal webhook: CHECKOUT.ORDER.APPROVED or PAYMENT.CAPTURE.COMPLETED")
async def paypal_webhook(request: Request) -> JSONResponse:
    """Settle the order the event names. The body is only a hint: the order's state is asked of PayPal itself."""
    try:
        event = await request.json()
    except ValueError:
        return JSONResponse({"status": "ignored"}, status_code=400)
    order_id = payments.order_id_from_event(event) if isinstance(event, dict) else None
    if not order_id:
        return JSONResponse({"status": "ignored"})
    try:
        done = payments.complete(order_id)
    except NotFound:
        return JSONResponse({"status": "ignored"})
    except ServiceError as e:
        # 503: PayPal retries the webhook later.
        log.warning("PayPal webhook for %s: %s", order_id, e)
        return JSONResponse({"status": "retry"}, status_code=503)
    return JSONResponse({"status": done.status})
