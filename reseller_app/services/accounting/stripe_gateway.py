"""The Stripe library, configured for one reseller's keys: its client, the key check and amounts in minor units.

Every call goes to STRIPE_API_BASE (https://api.stripe.com unless the operator, or a test's local fake, says
otherwise). POSTs carry our own idempotency keys, so the library's retries and ours never create twice.
"""

from __future__ import annotations

from decimal import Decimal

import stripe

from reseller_app.config import settings
from reseller_app.services.common.errors import ServiceError

# Currencies Stripe counts in whole units (https://docs.stripe.com/currencies#zero-decimal).
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())


# The Payment tab's field names for the keys (the messages below are keyed by them).
PK_FIELD = "stripe_publishable_key"
SK_FIELD = "stripe_secret_key"
WH_FIELD = "stripe_webhook_secret"


class CardPaymentError(ServiceError):
    """Stripe refused or could not be reached; nothing was credited or refunded."""


def client(secret_key: str) -> stripe.StripeClient:
    """A Stripe client for one reseller's secret key."""
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": settings.stripe_api_base},
        max_network_retries=2,
    )


def minor(amount: Decimal, currency: str) -> int:
    """An amount in Stripe's integer minor units (cents; whole units for zero-decimal currencies)."""
    if currency.upper() in ZERO_DECIMAL:
        if amount != amount.to_integral_value():
            raise ValueError(f"{currency} amounts have no decimals")
        return int(amount)
    return int((amount * 100).to_integral_value())


def major(units: int, currency: str) -> Decimal:
    """Stripe's integer minor units as a Decimal amount."""
    if currency.upper() in ZERO_DECIMAL:
        return Decimal(int(units))
    return (Decimal(int(units)) / 100).quantize(Decimal("0.01"))


def key_problems(publishable: str, secret: str, webhook_secret: str) -> dict[str, str]:
    """What is wrong with the shape of the keys (before any call); empty when they look right."""
    errors: dict[str, str] = {}
    if not publishable.startswith(("pk_test_", "pk_live_")):
        errors[PK_FIELD] = "A publishable key starts with pk_test_ or pk_live_."
    if not secret.startswith(("sk_test_", "sk_live_", "rk_test_", "rk_live_")):
        errors[SK_FIELD] = "A secret key starts with sk_ (or rk_ for a restricted key)."
    elif publishable.startswith("pk_") and ("_live_" in publishable) != ("_live_" in secret):
        errors[SK_FIELD] = "One key is a test key and the other a live key: use a pair from one mode."
    if not webhook_secret.startswith("whsec_"):
        errors[WH_FIELD] = "A webhook signing secret starts with whsec_."
    for field, value in (
        (PK_FIELD, publishable),
        (SK_FIELD, secret),
        (WH_FIELD, webhook_secret),
    ):
        if len(value) > 255 or any(c.isspace() for c in value):
            errors[field] = "Paste the key as Stripe shows it (one word, no spaces)."
    return errors


def check_secret_key(secret: str) -> str:
    """One harmless call with the key (read the balance); '' when Stripe accepts it, else a message for the field."""
    try:
        client(secret).v1.balance.retrieve()
    except stripe.AuthenticationError:
        return "Stripe refused this secret key: copy it again from Developers → API keys of your Stripe account."
    except stripe.PermissionError:
        return "This restricted key may not read the balance: give it the permissions listed in the README."
    except stripe.StripeError as e:
        return f"Stripe could not be asked to check the key ({type(e).__name__}); try again in a minute."
    return ""
