"""How amounts and dates are shown: the browser receives strings, never numbers."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LEDGER_KINDS = {
    "payment": "Payment",
    "charge": "Charge",
    "call": "Calls",
    "fax": "Fax",
    "fee": "Fee",
    "reversal": "Reversal",
}


def ledger_kind(kind: str) -> str:
    """What a ledger entry's kind is called in a transaction history (Payment, Calls, Reversal, ...)."""
    return LEDGER_KINDS.get(kind, kind)


def money(amount: Decimal | None, places: int = 2, symbol: str = "$") -> str:
    """An amount for display, e.g. -$1,234.50 (half-up to the given places)."""
    amount = amount or Decimal(0)
    q = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if q < 0 else ""
    return f"{sign}{symbol}{abs(q):,.{places}f}"


def posting(amount: Decimal | None) -> str:
    """A ledger amount shown exactly: cents when it is whole cents, else the 4 places calls and fees carry."""
    amount = amount or Decimal(0)
    return money(amount, 2 if amount == amount.quantize(Decimal("0.01")) else 4)


def rate(amount: Decimal | None) -> str:
    """A per-minute rate with up to 6 places, at least 4 (0.0138)."""
    amount = amount or Decimal(0)
    s = f"{amount.quantize(Decimal('0.000001')):f}".rstrip("0")
    whole, _, frac = s.partition(".")
    return f"{whole}.{frac.ljust(4, '0')}"


def when(dt: datetime | None, tz: str = "UTC") -> str:
    """A timestamp in the viewer's time zone, or an em dash."""
    if dt is None:
        return "—"
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):  # an unknown or malformed zone name falls back to UTC
        zone = ZoneInfo("UTC")
    return dt.astimezone(zone).strftime("%Y-%m-%d %H:%M")


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
    return name.strip().strip('"').strip() or "Unknown"
