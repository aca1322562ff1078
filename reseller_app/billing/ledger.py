"""Balance rules: SOFT/HARD status, the low-balance email, thresholds and email placeholders.

The ledger itself lives in the database (`models.LedgerEntry`, posted by `services/accounting/ledger.post`): it only
appends, and the database refuses an update, a delete, a payment that is not positive, a charge, call, fax or fee that
is not negative, and a reversal whose amount is not the exact opposite of the entry it reverses (alembic 0011).
"""

from __future__ import annotations

import re
from decimal import Decimal

from .money import fmt_display, parse_amount

SOFT, HARD = "SOFT", "HARD"
WAIT, ACTIVE, SUSPENDED = "WAIT", "ACTIVE", "SUSPENDED"
THRESHOLD_MIN, THRESHOLD_MAX = Decimal("10"), Decimal("500")


def status_after(balance: Decimal, mode: str, current_status: str, *, manual_hold: bool = False) -> str:
    """The client's status once its balance is `balance`.

    SOFT never changes the status. HARD suspends an ACTIVE client at a balance of 0 or
    below and restores a SUSPENDED one when the balance is above 0, unless it was
    suspended by hand (`manual_hold`). WAIT (not yet activated) is never changed here.
    """
    if mode not in (SOFT, HARD):
        raise ValueError(f"balance management must be SOFT or HARD, got {mode!r}")
    if current_status not in (WAIT, ACTIVE, SUSPENDED):
        raise ValueError(f"status must be WAIT, ACTIVE or SUSPENDED, got {current_status!r}")
    if mode == SOFT or current_status == WAIT:
        return current_status
    if current_status == ACTIVE and balance <= 0:
        return SUSPENDED
    if current_status == SUSPENDED and balance > 0 and not manual_hold:
        return ACTIVE
    return current_status


def validate_threshold(value: Decimal | str, minimum: Decimal = THRESHOLD_MIN) -> Decimal:
    """A low-balance threshold between 10 (or `minimum`) and 500, inclusive; ValueError otherwise."""
    if isinstance(value, str):
        value = parse_amount(value, places=2, what="threshold")
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"threshold: expected an amount, got {value!r}")
    if not minimum <= value <= THRESHOLD_MAX:
        raise ValueError(f"threshold: must be between {minimum} and {THRESHOLD_MAX}, got {value}")
    return value


def low_balance_crossing(
    prev_balance: Decimal, new_balance: Decimal, threshold: Decimal, armed: bool | None = None
) -> tuple[bool, bool]:
    """(send the email now, armed afterwards) for a balance moving from prev to new.

    The email goes once when the balance falls below the threshold; it is re-armed
    when the balance is back at or above it. `armed` None means "armed if the previous
    balance was at or above the threshold" (for callers that keep no flag).
    """
    if armed is None:
        armed = prev_balance >= threshold
    if new_balance >= threshold:
        return False, True
    if armed:
        return True, False
    return False, False


_PLACEHOLDER = re.compile(r"\[([A-Za-z_]+)\]")


def fill_template(text: str, **values: object) -> str:
    """Replace [firstname], [lastname], [balance], [threshold] (any [name] given) in one pass.

    Decimal values are shown with 2 places ("12.34"); unknown placeholders stay as written.
    """
    lookup = {k.lower(): (fmt_display(v) if isinstance(v, Decimal) else str(v)) for k, v in values.items()}

    def sub(m: re.Match[str]) -> str:
        return lookup.get(m.group(1).lower(), m.group(0))

    return _PLACEHOLDER.sub(sub, text)
