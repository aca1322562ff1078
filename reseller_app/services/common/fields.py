"""Checks of what people type that several services share: phone numbers, amounts, texts and billing dates.

Each refusal is a ValidationFailed naming the field, with a message written for the person at the form (never a
parser's wording), so every form and the API say the same thing about the same mistake.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import phonenumbers
from babel.numbers import NumberFormatError, get_decimal_symbol, parse_decimal

from reseller_app import i18n
from reseller_app.billing.money import parse_amount
from reseller_app.i18n import N_, _
from reseller_app.models import utcnow
from reseller_app.services.common.errors import ValidationFailed

PHONE_MESSAGE = N_("Enter a valid phone number, e.g. +1 514 555 0142.")


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
        raise ValidationFailed({field: _(PHONE_MESSAGE)})
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
        example = _local_number("25.00" if places == 2 else "0." + "0" * (places - 2) + "25")
        if not text:
            raise ValidationFailed({field: _("Enter an amount, e.g. {example}.").format(example=example)})
        text = _from_locale(text.removeprefix("$").removesuffix("$").strip())
        try:
            value = parse_amount(text, places=places, allow_negative=True, what=field)
        except ValueError as e:
            if "decimal places" in str(e):
                raise ValidationFailed({field: _("Use at most {n} decimal places.").format(n=places)}) from None
            raise ValidationFailed({field: _("Enter a number such as {example}.").format(example=example)}) from None
    if positive and value <= 0:
        raise ValidationFailed({field: _("Enter an amount above 0.")})
    if not positive and value < 0:
        raise ValidationFailed({field: _("Enter 0 or more.")})
    if maximum is not None and value > maximum:
        limit = f"{maximum:,}" if i18n.current_language() == i18n.SOURCE else _local_number(str(maximum))
        raise ValidationFailed({field: _("Enter at most {limit}.").format(limit=limit)})
    return value


def _from_locale(text: str) -> str:
    """An amount typed the client's way ("1 234,50" in French) as the plain digits the parser reads ("1234.50").

    English keeps the parser's own reading; in another language Babel reads the locale's separators (a point
    is still read as a decimal point, so "12.50" works everywhere); what Babel cannot read goes on unchanged.
    """
    if i18n.current_language() == i18n.SOURCE:
        return text
    try:
        return format(parse_decimal(text.replace(" ", "\u00a0"), locale=i18n.locale_of()), "f")
    except NumberFormatError:
        return text


def _local_number(plain: str) -> str:
    """A plain number ("25.00") written with the current locale's decimal sign ("25,00" in French)."""
    if i18n.current_language() == i18n.SOURCE:
        return plain
    return plain.replace(".", get_decimal_symbol(i18n.locale_of()))


def text(raw: object, field: str, limit: int, *, label: str = "", required: bool = False) -> str:
    """A one-line text of at most `limit` characters; longer is refused (never cut without a word)."""
    value = str(raw or "").replace("\r", " ").replace("\n", " ").strip()
    if required and not value:
        raise ValidationFailed({field: _("Enter {what}.").format(what=label or _("a value"))})
    if len(value) > limit:
        raise ValidationFailed(
            {field: _("Use at most {limit} characters (this has {n}).").format(limit=limit, n=len(value))}
        )
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
            raise ValidationFailed({field: _("Enter a date as YYYY-MM-DD.")}) from None
    if value < today() and value != current:
        raise ValidationFailed({field: _("Choose today or a later date: a past date would bill the months since.")})
    return value
