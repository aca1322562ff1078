"""Checks of what people type that several services share: phone numbers, amounts, texts and billing dates.

Each refusal is a ValidationFailed naming the field, with a message written for the person at the form (never a
parser's wording), so every form and the API say the same thing about the same mistake.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import phonenumbers

from reseller_app.billing.money import parse_amount
from reseller_app.models import utcnow
from reseller_app.services.common.errors import ValidationFailed

PHONE_MESSAGE = "Enter a valid phone number, e.g. +1 514 555 0142."


def _parse_phone(raw: str, region: str) -> phonenumbers.PhoneNumber | None:
    text = (raw or "").strip()
    if not text or len(text) > 40:
        return None
    try:
        parsed = phonenumbers.parse(text, (region or "US").upper())
    except phonenumbers.NumberParseException:
        return None
    return parsed if phonenumbers.is_valid_number(parsed) else None


def phone_e164(raw: str, field: str, region: str = "US") -> str:
    """A phone number in E.164 (`+15145550142`); ValidationFailed on `field` unless phonenumbers finds it valid.

    `region` (two letters) is where a number written without its country code is read as local.
    """
    parsed = _parse_phone(raw, region)
    if parsed is None:
        raise ValidationFailed({field: PHONE_MESSAGE})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(raw: str, field: str, region: str = "US") -> str:
    """The same check, as the carrier's digits without '+' (forwarding destinations, caller IDs)."""
    return phone_e164(raw, field, region).lstrip("+")


def amount(
    raw: str | Decimal,
    field: str = "amount",
    *,
    places: int = 2,
    positive: bool = True,
    maximum: Decimal | None = None,
) -> Decimal:
    """An exact amount typed by a person: digits with at most `places` decimals, above 0 unless `positive` is off."""
    if isinstance(raw, Decimal):
        value = raw
    else:
        text = str(raw or "").strip()
        example = "25.00" if places == 2 else "0." + "0" * (places - 2) + "25"
        if not text:
            raise ValidationFailed({field: f"Enter an amount, e.g. {example}."})
        text = text.removeprefix("$").strip()
        try:
            value = parse_amount(text, places=places, allow_negative=True, what=field)
        except ValueError as e:
            if "decimal places" in str(e):
                raise ValidationFailed({field: f"Use at most {places} decimal places."}) from None
            raise ValidationFailed({field: f"Enter a number such as {example}."}) from None
    if positive and value <= 0:
        raise ValidationFailed({field: "Enter an amount above 0."})
    if not positive and value < 0:
        raise ValidationFailed({field: "Enter 0 or more."})
    if maximum is not None and value > maximum:
        raise ValidationFailed({field: f"Enter at most {maximum:,}."})
    return value


def text(raw: object, field: str, limit: int, *, label: str = "", required: bool = False) -> str:
    """A one-line text of at most `limit` characters; longer is refused (never cut without a word)."""
    value = str(raw or "").replace("\r", " ").replace("\n", " ").strip()
    if required and not value:
        raise ValidationFailed({field: f"Enter {label or 'a value'}."})
    if len(value) > limit:
        raise ValidationFailed({field: f"Use at most {limit} characters (this has {len(value)})."})
    return value


def today() -> date:
    """Today's date (UTC), the day the billing run bills."""
    return utcnow().date()


def billing_date(
    raw: str | date | None, field: str = "next_billing_date", *, current: date | None = None
) -> date | None:
    """A client's next billing date: empty is None, otherwise a date that is not in the past.

    A past date would make the billing run catch up every month since then, so it is refused; only the date the
    client already has (`current`, which the billing run moves forward) is kept as it is.
    """
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        value = raw
    else:
        try:
            value = date.fromisoformat(str(raw).strip())
        except ValueError:
            raise ValidationFailed({field: "Enter a date as YYYY-MM-DD."}) from None
    if value < today() and value != current:
        raise ValidationFailed({field: "Choose today or a later date: a past date would bill the months since."})
    return value
