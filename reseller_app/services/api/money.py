"""Money over the API: addCharge, addPayment, getCharges, getDeposits, getResellerBalance, getBalance.

Postings go through the accounting service the portal's client page uses (same ledger entry, same balance rules).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.accounting import postings
from reseller_app.services.api.access import ApiError
from reseller_app.services.api.wire import (
    Answer,
    Params,
    amount,
    client_id,
    method,
    need,
    opt,
    req,
    talk_time,
    text,
    yes,
    ymd,
)
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.reporting import overview

MAX_DESCRIPTION = 255


def _posting(actor: Actor, p: Params, kind: str) -> Answer:
    require_reseller(actor)
    cid = client_id(actor, p)
    raw = need(p, kind)
    try:
        value = postings.clean_amount(raw)
    except ValidationFailed:
        raise ApiError(f"invalid_{kind}") from None
    description = text(p, "description")[:MAX_DESCRIPTION] or ("Payment" if kind == "payment" else "Charge")
    key = text(p, "idempotency_key")[:80]
    test = yes(p, "test")
    try:
        if test:
            return {}  # every check above ran: the same answer as a real call, nothing posted
        postings.manual_posting(actor, int(cid), kind, value, description, reference=key or None)
    except NotFound:
        raise ApiError("invalid_client") from None
    except ValidationFailed:
        raise ApiError(f"invalid_{kind}") from None
    except IntegrityError:
        pass  # the same idempotency key raced in from another request: it posted once there
    return {}


POSTING_PARAMS = (
    opt("description", "Shown in the client's history (default: Charge / Payment)."),
    opt("test", "1/true = run every check and post nothing."),
    opt("idempotency_key", "Portal extension: a retry with the same key posts once (also the Idempotency-Key header)."),
)


@method(
    "addCharge",
    "Charge a client (debit its balance).",
    (req("client", "Client id."), req("charge", "Amount above 0, up to 2 decimals (4.99)."), *POSTING_PARAMS),
    ("missing_client", "invalid_client", "missing_charge", "invalid_charge"),
)
def add_charge(actor: Actor, p: Params) -> Answer:
    """addCharge."""
    return _posting(actor, p, "charge")


@method(
    "addPayment",
    "Credit a client (a payment raises its balance; HARD clients come back above 0).",
    (req("client", "Client id."), req("payment", "Amount above 0, up to 2 decimals (4.99)."), *POSTING_PARAMS),
    ("missing_client", "invalid_client", "missing_payment", "invalid_payment"),
)
def add_payment(actor: Actor, p: Params) -> Answer:
    """addPayment."""
    return _posting(actor, p, "payment")


def _entries(actor: Actor, p: Params, kinds: tuple[str, ...], key: str) -> Answer:
    require_reseller(actor)
    cid = client_id(actor, p)
    try:
        rows = postings.client_entries(actor, cid, kinds)
    except NotFound:
        raise ApiError("invalid_client") from None
    return {
        key: [
            {"id": str(e.id), "date": ymd(e.created_at), "amount": amount(abs(e.amount)), "description": e.description}
            for e in rows
        ]
    }


@method(
    "getCharges",
    "A client's charges and fees, newest first.",
    (req("client", "Client id."),),
    ("missing_client", "invalid_client"),
    "No charges: `charges` is an empty list (VoIP.ms documents no code for it).",
)
def get_charges(actor: Actor, p: Params) -> Answer:
    """getCharges."""
    return _entries(actor, p, ("charge", "fee"), "charges")


@method(
    "getDeposits",
    "A client's payments, newest first.",
    (req("client", "Client id."),),
    ("missing_client", "invalid_client"),
    "No payments: `deposits` is an empty list.",
)
def get_deposits(actor: Actor, p: Params) -> Answer:
    """getDeposits."""
    return _entries(actor, p, ("payment",), "deposits")


def _figures(u: dict) -> dict[str, str]:
    return {
        "spent_total": amount(u["spent_total"], 4),
        "calls_total": str(u["calls_total"]),
        "time_total": talk_time(u["seconds_total"]),
        "spent_today": amount(u["spent_today"], 4),
        "calls_today": str(u["calls_today"]),
        "time_today": talk_time(u["seconds_today"]),
    }


@method(
    "getResellerBalance",
    "A client's balance, and its spend, calls and talk time over the last 30 days and today (UTC).",
    (req("client", "Client id."),),
    ("missing_client", "invalid_client"),
)
def get_reseller_balance(actor: Actor, p: Params) -> Answer:
    """getResellerBalance."""
    require_reseller(actor)
    cid = client_id(actor, p)
    try:
        u = overview.usage(actor, cid)
    except NotFound:
        raise ApiError("invalid_client") from None
    return {"balance": {"current_balance": amount(u["balance"], 4), **_figures(u)}}


@method(
    "getBalance",
    "Your balance (`advanced=1` adds the call figures of the last 30 days and today).",
    (opt("advanced", "1/true = add spent/calls/time totals."),),
    (),
    "The portal holds no prepaid balance of yours: `current_balance` is the sum of your clients' balances.",
)
def get_balance(actor: Actor, p: Params) -> Answer:
    """getBalance."""
    require_reseller(actor)
    advanced = yes(p, "advanced")
    u = overview.usage(actor)
    out = {"current_balance": amount(u["balance"], 6)}
    if advanced:
        out.update(_figures(u))
    return {"balance": out}
