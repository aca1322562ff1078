"""Exact money helpers: Decimal rounding, integer micro-units, parsing and formatting.

Per-minute rates carry 6 decimal places, call/fax/fee amounts 4. Storage is integer
micro-units (1e-6), which SQLite and PostgreSQL both sum exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MICRO = 1_000_000
_Q2 = Decimal("0.01")
_Q4 = Decimal("0.0001")
_Q6 = Decimal("0.000001")

ZERO = Decimal("0")


def round4(value: Decimal) -> Decimal:
    """Round an amount to 4 decimal places, half-up (calls, faxes, fees)."""
    return _check(value).quantize(_Q4, rounding=ROUND_HALF_UP)


def round6(value: Decimal) -> Decimal:
    """Round a per-minute rate to 6 decimal places, half-up."""
    return _check(value).quantize(_Q6, rounding=ROUND_HALF_UP)


def to_micro(value: Decimal) -> int:
    """Convert an exact Decimal with at most 6 decimal places to integer micro-units."""
    value = _check(value)
    scaled = value.scaleb(6)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{value} has more than 6 decimal places; round it before storing")
    return int(scaled)


def from_micro(micro: int) -> Decimal:
    """Convert integer micro-units back to a Decimal with 6 decimal places."""
    if isinstance(micro, bool) or not isinstance(micro, int):
        raise TypeError(f"micro-units must be an int, got {type(micro).__name__}")
    return Decimal(micro).scaleb(-6).quantize(_Q6)


def parse_amount(
    text: str,
    *,
    places: int = 6,
    allow_negative: bool = False,
    what: str = "amount",
) -> Decimal:
    """Parse a plain decimal string exactly; raise ValueError saying what is wrong."""
    if not isinstance(text, str):
        raise ValueError(f'{what}: expected a decimal string like "0.0138", got {type(text).__name__}')
    s = text.strip()
    if not s:
        raise ValueError(f'{what}: empty; expected a decimal like "0.0138"')
    body = s[1:] if s[0] in "+-" else s
    int_part, dot, frac = body.partition(".")
    if not (int_part or frac) or not (int_part + frac).isdigit() or not (int_part + frac).isascii():
        raise ValueError(f"{what}: {text!r} is not a plain decimal number")
    try:
        value = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the checks above already exclude this
        raise ValueError(f"{what}: {text!r} is not a plain decimal number") from None
    if len(frac) > places:
        raise ValueError(f"{what}: {text!r} has more than {places} decimal places")
    if value < 0 and not allow_negative:
        raise ValueError(f"{what}: {text!r} must not be negative")
    return value + 0  # normalises "-0" to "0"


def fmt_money(value: Decimal, places: int = 4) -> str:
    """Format an amount with a fixed number of places, e.g. "12.3400" (rounds half-up)."""
    q = Decimal(1).scaleb(-places)
    out = _check(value).quantize(q, rounding=ROUND_HALF_UP)
    if out == 0:
        out = abs(out)  # never print "-0.0000"
    return f"{out:f}"


def fmt_rate(value: Decimal) -> str:
    """Format a per-minute rate with 6 places, e.g. "0.013800"."""
    return fmt_money(value, 6)


def fmt_display(value: Decimal) -> str:
    """Format an amount for people, 2 places, e.g. "12.34"."""
    return fmt_money(value, 2)


def _check(value: Decimal) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"money must be a Decimal, got {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"money must be finite, got {value}")
    return value
