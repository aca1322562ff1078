"""Ledger and balance rules: append-only entries, reversals, SOFT/HARD status, low-balance emails.

Sign convention: an entry's amount is what it does to the balance. Payments are
positive; charges, calls, faxes and fees are negative (or zero for a free call); a
reversal carries the opposite amount of the entry it reverses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .money import fmt_display, parse_amount, round4

KINDS = ("payment", "charge", "call", "fax", "fee", "reversal")
DEBIT_KINDS = ("charge", "call", "fax", "fee")
SOFT, HARD = "SOFT", "HARD"
WAIT, ACTIVE, SUSPENDED = "WAIT", "ACTIVE", "SUSPENDED"
THRESHOLD_MIN, THRESHOLD_MAX = Decimal("10"), Decimal("500")


@dataclass(frozen=True)
class LedgerEntry:
    """One posting: a unique reference, a kind, a signed amount (4 places) and what it was for."""

    reference: str
    kind: str
    amount: Decimal
    description: str
    date: date | datetime
    reverses: str | None = None

    def __post_init__(self) -> None:
        if not self.reference:
            raise ValueError("reference: must not be empty")
        if self.kind not in KINDS:
            raise ValueError(f"kind: must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise ValueError(f"amount: must be a finite Decimal, got {self.amount!r}")
        if round4(self.amount) != self.amount:
            raise ValueError(f"amount: {self.amount} has more than 4 decimal places")
        if self.kind == "payment" and self.amount <= 0:
            raise ValueError("amount: a payment must be positive")
        if self.kind in DEBIT_KINDS and self.amount > 0:
            raise ValueError(f"amount: a {self.kind} must be negative (it lowers the balance)")
        if (self.kind == "reversal") != (self.reverses is not None):
            raise ValueError("reverses: a reversal, and only a reversal, names the entry it reverses")


def balance(entries: Iterable[LedgerEntry]) -> Decimal:
    """The balance: the sum of every entry (reversals included)."""
    return sum((e.amount for e in entries), Decimal("0.0000"))


def reverse(
    entry: LedgerEntry, new_reference: str, *, on: date | datetime | None = None, description: str | None = None
) -> LedgerEntry:
    """The entry that cancels `entry` ("deleting" a transaction appends this)."""
    if entry.kind == "reversal":
        raise ValueError("a reversal cannot itself be reversed; post a new entry instead")
    return LedgerEntry(
        reference=new_reference,
        kind="reversal",
        amount=-entry.amount,
        description=description if description is not None else f"Reversal of {entry.reference}: {entry.description}",
        date=on if on is not None else entry.date,
        reverses=entry.reference,
    )


def reversed_references(entries: Iterable[LedgerEntry]) -> set[str]:
    """References of the entries that have been reversed (to mark them in the history)."""
    return {e.reverses for e in entries if e.reverses is not None}


class Ledger:
    """An in-memory append-only ledger enforcing unique references and single reversals."""

    def __init__(self, entries: Iterable[LedgerEntry] = ()) -> None:
        self._entries: list[LedgerEntry] = []
        self._by_ref: dict[str, LedgerEntry] = {}
        self._reversed: set[str] = set()
        for e in entries:
            self.post(e)

    def post(self, entry: LedgerEntry) -> LedgerEntry:
        """Append an entry; raise ValueError for a duplicate reference or a bad reversal."""
        if entry.reference in self._by_ref:
            raise ValueError(f"reference {entry.reference!r} is already posted")
        if entry.reverses is not None:
            original = self._by_ref.get(entry.reverses)
            if original is None:
                raise ValueError(f"cannot reverse {entry.reverses!r}: no such entry")
            if entry.reverses in self._reversed:
                raise ValueError(f"{entry.reverses!r} is already reversed")
            if entry.amount != -original.amount:
                raise ValueError("a reversal must carry the opposite amount of the original")
        self._entries.append(entry)
        self._by_ref[entry.reference] = entry
        if entry.reverses is not None:
            self._reversed.add(entry.reverses)
        return entry

    def reverse(self, reference: str, new_reference: str, *, on: date | datetime | None = None) -> LedgerEntry:
        """Append the reversal of the entry `reference`."""
        original = self._by_ref.get(reference)
        if original is None:
            raise ValueError(f"cannot reverse {reference!r}: no such entry")
        return self.post(reverse(original, new_reference, on=on))

    def is_reversed(self, reference: str) -> bool:
        """Whether the entry has been reversed."""
        return reference in self._reversed

    @property
    def balance(self) -> Decimal:
        """Sum of all entries."""
        return balance(self._entries)

    def __iter__(self) -> Iterator[LedgerEntry]:
        return iter(tuple(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


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
