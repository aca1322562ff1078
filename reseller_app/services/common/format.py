"""How amounts and dates are shown: the browser receives strings, never numbers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal

from reseller_app import i18n
from reseller_app.config import settings
from reseller_app.i18n import N_, _

LEDGER_KINDS = {
    "payment": N_("Payment"),
    "charge": N_("Charge"),
    "call": N_("Calls"),
    "fax": N_("Fax"),
    "fee": N_("Fee"),
    "reversal": N_("Reversal"),
    "tax": N_("Tax"),
    "credit": N_("Credit"),
    "message": N_("Messages"),
}


# How a call ended, in a client's language (the carrier's record says ANSWERED, NO ANSWER, ...).
DISPOSITIONS = {
    "ANSWERED": N_("Answered"),
    "NO ANSWER": N_("No answer"),
    "BUSY": N_("Busy"),
    "FAILED": N_("Failed"),
    "CONGESTION": N_("Congestion"),
}


def disposition(word: str) -> str:
    """A call's outcome for a list: English keeps the carrier's word (ANSWERED), as the portal always showed it
    and as exports are read; another language its own word."""
    if i18n.current_language() == i18n.SOURCE or word not in DISPOSITIONS:
        return word
    return _(DISPOSITIONS[word])


def direction(way: str) -> str:
    """A call's direction ("in" or "out") in words."""
    return _("Incoming") if way == "in" else _("Outgoing")


def ledger_kind(kind: str) -> str:
    """What a ledger entry's kind is called in a transaction history (Payment, Calls, Reversal, ...)."""
    return _(LEDGER_KINDS[kind]) if kind in LEDGER_KINDS else kind


# The portal's locale for English (number and currency formats); PORTAL_LOCALE, default en_US. A client who reads
# the portal in another language sees that language's formats (i18n.locale_of: fr_CA, es_MX).
LOCALE = settings.portal_locale


def current_locale() -> str:
    """The locale of the current request's language (the language's ContextVar, see reseller_app/i18n)."""
    return i18n.locale_of()


DEFAULT_CURRENCY = "USD"

# The currency of the reseller whose page, client portal or API call this is. `auth.resolve` sets it for the
# session's reseller, so every money() of that request shows the reseller's currency; code that runs for no
# session (billing run, emails, invoices) passes currency= explicitly.
_currency: ContextVar[str] = ContextVar("display_currency", default=DEFAULT_CURRENCY)


def set_currency(code: str | None) -> None:
    """Show amounts in this ISO 4217 currency for the rest of the current request (context)."""
    _currency.set((code or DEFAULT_CURRENCY).upper())


def current_currency() -> str:
    """The currency money() uses when none is given."""
    return _currency.get()


@contextmanager
def use_currency(code: str | None) -> Iterator[None]:
    """Show amounts in this currency inside the block."""
    token = _currency.set((code or DEFAULT_CURRENCY).upper())
    try:
        yield
    finally:
        _currency.reset(token)


@lru_cache(maxsize=64)
def _pattern(locale: str, places: int) -> str:
    # The locale's currency pattern with exactly `places` decimals ("¤#,##0.00" -> "¤#,##0.0000").
    standard = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    digits = "0." + "0" * places if places else "0"
    return re.sub(r"0(\.0+)?", digits, standard, count=1)


def money(
    amount: Decimal | None,
    places: int = 2,
    symbol: str | None = None,
    *,
    currency: str | None = None,
    locale: str | None = None,
) -> str:
    """An amount for display in the reseller's currency with Babel, e.g. -$1,234.50 or CA$12.00 (half-up).

    `currency` defaults to the current request's (see set_currency). `symbol` keeps the older plain form
    (`symbol=""` gives -1,234.50 without any currency sign, for figures read by a chart or a spreadsheet).
    """
    amount = amount or Decimal(0)
    q = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if q == 0:
        q = abs(q)
    if symbol is not None:
        sign = "-" if q < 0 else ""
        return f"{sign}{symbol}{abs(q):,.{places}f}"
    loc = locale or current_locale()
    return format_currency(
        q, (currency or _currency.get()).upper(), format=_pattern(loc, places), locale=loc, currency_digits=False
    )


def typed(amount: Decimal | None, places: int = 2) -> str:
    """A stored amount put back into an input for the client to edit: the plain figure in the locale's decimal
    sign, no currency and no grouping (7.50 in English, 7,50 in French), which `fields.amount` reads back."""
    if amount is None:
        return ""
    q = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if i18n.current_language() == i18n.SOURCE:
        return f"{q:.{places}f}"
    return format_decimal(q, format="0." + "0" * places if places else "0", locale=current_locale())


def posting(amount: Decimal | None) -> str:
    """A ledger amount shown exactly: cents when it is whole cents, else the 4 places calls and fees carry."""
    amount = amount or Decimal(0)
    return money(amount, 2 if amount == amount.quantize(Decimal("0.01")) else 4)


def rate(amount: Decimal | None) -> str:
    """A per-minute rate with up to 6 places, at least 4 (0.0138; 0,0138 in French)."""
    amount = amount or Decimal(0)
    s = f"{amount.quantize(Decimal('0.000001')):f}".rstrip("0")
    whole, _sep, frac = s.partition(".")
    plain = f"{whole}.{frac.ljust(4, '0')}"
    if i18n.current_language() == i18n.SOURCE:
        return plain
    return format_decimal(Decimal(plain), format="0.0000##", locale=current_locale())


def number(value: int | Decimal) -> str:
    """A count or quantity in the current locale (1,234 in English, 1 234 in French)."""
    return format_decimal(value, locale=current_locale())


def when(dt: datetime | None, tz: str = "UTC") -> str:
    """A timestamp in the viewer's time zone, or an em dash: the day, a space, the time.

    English keeps the portal's 2026-12-01 19:05; another language its locale's short forms (2026-12-01 19 h 05
    in French (Canada), 01/12/26 7:05 p.m. in Spanish (Mexico)).
    """
    if dt is None:
        return "—"
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):  # an unknown or malformed zone name falls back to UTC
        zone = ZoneInfo("UTC")
    local = dt.astimezone(zone)
    if i18n.current_language() == i18n.SOURCE:
        return local.strftime("%Y-%m-%d %H:%M")
    loc = current_locale()
    return f"{format_date(local, 'short', locale=loc)} {format_time(local, 'short', locale=loc)}"


def day(d: date) -> str:
    """A calendar day: English keeps 2026-11-04; another language its locale's medium form (4 nov. 2026 in
    French (Canada), 4 nov 2026 in Spanish (Mexico)), never an ambiguous 04/11/26."""
    if i18n.current_language() == i18n.SOURCE:
        return d.isoformat()
    return format_date(d, "medium", locale=current_locale())


def duration(seconds: int) -> str:
    """Seconds as h:mm:ss."""
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}"


def caller(raw: str | None) -> str:
    """A caller ID as a person reads it: the number of `"Name" <15145550000>`, else the text, else "Unknown"."""
    text = (raw or "").strip()
    inside = text.rsplit("<", 1)[-1].rstrip(">") if "<" in text else text
    digits = "".join(ch for ch in inside if ch.isdigit())
    if digits:
        return ("+" if inside.lstrip().startswith("+") else "") + digits
    name = text.rsplit("<", 1)[0] if "<" in text else text
    return name.strip().strip('"').strip() or _("Unknown")
