"""Setup and monthly fees, billing dates and idempotent catch-up of missed periods.

A billing period is half-open: [period_start, period_end), period_end being the next
billing date. Monthly fees are charged in full, in advance, on the period's first day.
"""

from __future__ import annotations

import calendar
from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .money import ZERO, round4

CUSTOM_HOSTNAME_FEE = Decimal("10.00")


def add_months(anchor: date, n: int) -> date:
    """`anchor` moved n months (n may be negative), its day clamped to the month's last day."""
    months = anchor.year * 12 + anchor.month - 1 + n
    year, month = divmod(months, 12)
    day = min(anchor.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def next_billing_date(current: date, anchor_day: int | None = None) -> date:
    """The billing date one month after `current`, keeping the anchor day (Jan 31 -> Feb 28 -> Mar 31)."""
    day = current.day if anchor_day is None else anchor_day
    if not 1 <= day <= 31:
        raise ValueError(f"anchor_day must be 1..31, got {day}")
    months = current.year * 12 + current.month  # the following month, 0-based
    year, month = divmod(months, 12)
    return date(year, month + 1, min(day, calendar.monthrange(year, month + 1)[1]))


def cycle_start(anchor: date, day: date) -> date:
    """Start of the monthly cycle (anchored on `anchor`, day clamped) that contains `day`."""
    n = (day.year - anchor.year) * 12 + day.month - anchor.month
    start = add_months(anchor, n)
    if start > day:
        start = add_months(anchor, n - 1)
    return start


def due_periods(next_billing: date, today: date, anchor_day: int | None = None) -> list[tuple[date, date]]:
    """Every period whose billing date (from `next_billing`) is on or before `today`, oldest first."""
    periods: list[tuple[date, date]] = []
    start = next_billing
    while start <= today:
        end = next_billing_date(start, anchor_day if anchor_day is not None else next_billing.day)
        periods.append((start, end))
        start = end
    return periods


def fee_key(kind: str, item_id: object, period_start: date) -> str:
    """Unique ledger reference of a monthly fee: what it is for + the period it covers."""
    return f"{kind}:{item_id}:{period_start.isoformat()}"


def package_fee_key(sub_account_id: object, period_start: date) -> str:
    """Reference of a package's monthly fee on one sub-account, e.g. "pkg:42:2024-03-31"."""
    return fee_key("pkg", sub_account_id, period_start)


def did_fee_key(did: object, period_start: date) -> str:
    """Reference of a DID's monthly fee for one period."""
    return fee_key("did", did, period_start)


def e911_fee_key(record_id: object, period_start: date) -> str:
    """Reference of an e911 record's monthly fee for one period."""
    return fee_key("e911", record_id, period_start)


@dataclass(frozen=True)
class Recurring:
    """Something billed every period: a package on a sub-account, a DID, an e911 record.

    `kind` is "pkg", "did" or "e911"; `active_from`/`active_until` (exclusive) limit the
    periods charged to those starting while it was connected. The billing run gives every item
    its `active_from` (a package's assignment, a number's connection, an e911 record's creation),
    so a billing date in the past never charges a period before the item was there.
    """

    kind: str
    item_id: str
    amount: Decimal
    description: str
    active_from: date | None = None
    active_until: date | None = None


@dataclass(frozen=True)
class FeeItem:
    """A fee to post to the ledger; `reference` makes posting it twice impossible."""

    reference: str
    amount: Decimal
    description: str
    period_start: date | None = None
    period_end: date | None = None


@dataclass(frozen=True)
class BillingRun:
    """What a billing run charges and the client's next billing date after it."""

    items: list[FeeItem]
    next_billing: date
    periods: list[tuple[date, date]]


def monthly_fees(
    recurring: Iterable[Recurring],
    next_billing: date,
    today: date,
    *,
    anchor_day: int | None = None,
    already_posted: Container[str] = frozenset(),
) -> BillingRun:
    """Fees due on every billing date up to `today`, skipping references already posted."""
    items_in = list(recurring)
    periods = due_periods(next_billing, today, anchor_day)
    items: list[FeeItem] = []
    for start, end in periods:
        for rec in items_in:
            if rec.active_from is not None and start < rec.active_from:
                continue
            if rec.active_until is not None and start >= rec.active_until:
                continue
            amount = round4(rec.amount)
            if amount == 0:
                continue
            ref = fee_key(rec.kind, rec.item_id, start)
            if ref in already_posted:
                continue
            items.append(
                FeeItem(ref, amount, f"{rec.description} ({start.isoformat()} to {end.isoformat()})", start, end)
            )
    return BillingRun(items, periods[-1][1] if periods else next_billing, periods)


def package_setup_fee(setup_fee: Decimal, *, charge_setup_fee: bool) -> Decimal:
    """The package setup fee when "charge setup fee" is ticked, else 0."""
    return round4(setup_fee) if charge_setup_fee else ZERO


def did_setup_fee(setup_fee_each: Decimal, count: int = 1) -> Decimal:
    """The DID setup fee times the number of DIDs connected at once."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"count must be a whole number >= 0, got {count!r}")
    return round4(setup_fee_each * count)


def e911_setup_fee(setup_fee: Decimal) -> Decimal:
    """The one-time fee when an e911 record is created."""
    return round4(setup_fee)


def custom_hostname_fee() -> Decimal:
    """The one-time fee for a custom hostname request (10.00)."""
    return CUSTOM_HOSTNAME_FEE
