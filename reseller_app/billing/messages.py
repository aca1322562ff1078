"""Text messages: segment counting (GSM-7 or UCS-2) and per-message pricing, exact and rounded once.

Segments follow GSM 03.38 / 03.40 as carriers count them:

- A text made only of GSM-7 characters is sent in 7-bit septets. The basic table's characters take one septet, the
  extension table's (``^ { } \\ [ ~ ] | €`` and form feed) two (an escape and the character). One part holds 160
  septets; a longer text is split into parts of 153 (the rest carries the concatenation header), and an escape pair
  is never split between two parts.
- Any other character makes the whole text UCS-2 (UTF-16): one part holds 70 code units, a longer text parts of 67;
  a character outside the Basic Multilingual Plane (most emoji) takes two code units, never split between parts.
- A text may have at most `MAX_PARTS` (10) parts; an empty text has none and cannot be sent.

Pricing (the package's sell rates, or the carrier's cost with the package's markup):

- outbound SMS: per segment; inbound SMS, outbound and inbound MMS: per message;
- a rate left empty in the package is ``round6((cost + markup_fixed) * (1 + markup_percent / 100))``, the formula
  of calls (billing.rating.markup);
- the amount is ``round4(rate * units)``, half-up, rounded once from the exact product.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal, localcontext
from enum import StrEnum
from os import PathLike

from .deck import LineError
from .money import ZERO, parse_amount, round4
from .package import PackageRules
from .rating import markup

MAX_PARTS = 10
GSM_SINGLE = 160
GSM_PART = 153
UCS2_SINGLE = 70
UCS2_PART = 67

# The GSM 03.38 basic character table (the escape 0x1B itself is not a character a text can hold).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each takes two septets (escape + character).
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


class Encoding(StrEnum):
    """How a text travels: 7-bit GSM or 16-bit UCS-2."""

    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


class MessageKind(StrEnum):
    """A text (SMS) or a picture message (MMS)."""

    SMS = "sms"
    MMS = "mms"


@dataclass(frozen=True, slots=True)
class Segments:
    """How a text is split: its encoding, its length in units (septets or UTF-16 code units), its parts."""

    encoding: Encoding
    units: int
    parts: int
    per_part: int  # units one part of this text can hold (160/153 or 70/67)
    left: int  # units still free in the last part (0 for an empty text)

    @property
    def too_long(self) -> bool:
        """More than MAX_PARTS parts."""
        return self.parts > MAX_PARTS


def is_gsm7(text: str) -> bool:
    """Whether every character of `text` is in the GSM-7 basic or extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _pack(widths: list[int], single: int, part: int) -> tuple[int, int]:
    """(parts, units left in the last part) for characters of these widths, never splitting one character."""
    total = sum(widths)
    if total == 0:
        return 0, 0
    if total <= single:
        return 1, single - total
    parts, used = 1, 0
    for w in widths:
        if used + w > part:
            parts, used = parts + 1, 0
        used += w
    return parts, part - used


def count_segments(text: str) -> Segments:
    """The encoding, units and parts of `text` (see the module's rules)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if is_gsm7(text):
        widths = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        parts, left = _pack(widths, GSM_SINGLE, GSM_PART)
        return Segments(Encoding.GSM7, sum(widths), parts, GSM_SINGLE if parts <= 1 else GSM_PART, left)
    widths = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    parts, left = _pack(widths, UCS2_SINGLE, UCS2_PART)
    return Segments(Encoding.UCS2, sum(widths), parts, UCS2_SINGLE if parts <= 1 else UCS2_PART, left)


@dataclass(frozen=True, slots=True)
class MessageRates:
    """Per-message prices, of a package (sell; None = carrier cost with the markup) or of the carrier (cost).

    `sms_out` is per segment; the others are per message.
    """

    sms_out: Decimal | None = None
    sms_in: Decimal | None = None
    mms_out: Decimal | None = None
    mms_in: Decimal | None = None

    def __post_init__(self) -> None:
        for name in ("sms_out", "sms_in", "mms_out", "mms_in"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, Decimal) or not value.is_finite() or value < 0):
                raise ValueError(f"{name}: must be a non-negative Decimal or None, got {value!r}")

    def rate(self, kind: MessageKind, direction: str) -> Decimal | None:
        """The rate of one kind and direction ("out" or "in")."""
        if direction not in ("out", "in"):
            raise ValueError(f"direction: must be 'out' or 'in', got {direction!r}")
        if MessageKind(kind) is MessageKind.SMS:
            return self.sms_out if direction == "out" else self.sms_in
        return self.mms_out if direction == "out" else self.mms_in


@dataclass(frozen=True, slots=True)
class PricedMessage:
    """The cost, price and profit of one message; `units` is what the rates were multiplied by."""

    units: int
    cost_rate: Decimal
    sell_rate: Decimal
    cost: Decimal
    price: Decimal
    profit: Decimal
    rule: str  # "package" (the package's own rate) or "markup"


def billed_parts(kind: MessageKind, text: str) -> int:
    """The parts a message is stored and priced with: a text's parts (count_segments), at least 1 and at most
    MAX_PARTS (a received text longer than that counts MAX_PARTS); a picture message 1."""
    if MessageKind(kind) is not MessageKind.SMS:
        return 1
    return max(1, min(count_segments(text).parts, MAX_PARTS))


def billed_units(kind: MessageKind, direction: str, segments: int) -> int:
    """What the rate is multiplied by: the segments of an outbound SMS, else 1 (per message)."""
    if MessageKind(kind) is MessageKind.SMS and direction == "out":
        if isinstance(segments, bool) or not isinstance(segments, int) or not 1 <= segments <= MAX_PARTS:
            raise ValueError(f"segments: must be a whole number from 1 to {MAX_PARTS}, got {segments!r}")
        return segments
    return 1


def price_message(
    kind: MessageKind,
    direction: str,
    segments: int,
    *,
    costs: MessageRates,
    sell: MessageRates,
    markup_fixed: Decimal = ZERO,
    markup_percent: Decimal = ZERO,
) -> PricedMessage:
    """Price one message: the package's rate when it has one, else the carrier's cost with the package's markup.

    A carrier cost the deck does not know counts as 0 (so an unset package rate sells at the fixed markup only).
    """
    units = billed_units(kind, direction, segments)
    cost_rate = costs.rate(kind, direction) or ZERO
    own = sell.rate(kind, direction)
    sell_rate = own if own is not None else markup(cost_rate, markup_fixed, markup_percent)
    with localcontext(prec=60):
        cost = round4(cost_rate * units)
        price = round4(sell_rate * units)
    return PricedMessage(
        units=units,
        cost_rate=cost_rate,
        sell_rate=sell_rate,
        cost=cost,
        price=price,
        profit=price - cost,
        rule="package" if own is not None else "markup",
    )


def sell_rates(package: PackageRules) -> MessageRates:
    """A package's own per-message sell rates (None where the markup prices the message)."""
    return MessageRates(package.sms_out_rate, package.sms_in_rate, package.mms_out_rate, package.mms_in_rate)


def price_for_package(
    kind: MessageKind, direction: str, parts: int, *, costs: MessageRates, package: PackageRules
) -> PricedMessage:
    """price_message with a package's rates and markup (the re-rating command and the profit simulator)."""
    return price_message(
        kind,
        direction,
        parts,
        costs=costs,
        sell=sell_rates(package),
        markup_fixed=package.markup_fixed,
        markup_percent=package.markup_percent,
    )


def load_costs_csv(path: str | PathLike[str]) -> MessageRates:
    """The carrier's per-message costs from the deck's `sms` section: a CSV `kind,direction,cost`.

    Each of sms/out (per segment), sms/in, mms/out and mms/in appears at most once; one missing costs 0.
    """
    source = str(path)
    found: dict[tuple[str, str], Decimal] = {}
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header] != ["kind", "direction", "cost"]:
            raise LineError(source, 1, 'the header must be "kind,direction,cost"')
        for line, row in enumerate(reader, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) != 3:
                raise LineError(source, line, f"expected 3 fields, got {len(row)}")
            kind, direction, raw = (c.strip().lower() for c in row)
            if kind not in ("sms", "mms") or direction not in ("out", "in"):
                raise LineError(source, line, f"unknown kind/direction {kind}/{direction}")
            if (kind, direction) in found:
                raise LineError(source, line, f"duplicate {kind}/{direction}")
            try:
                found[(kind, direction)] = parse_amount(raw, what="cost")
            except ValueError as e:
                raise LineError(source, line, str(e)) from None
    return MessageRates(
        sms_out=found.get(("sms", "out"), ZERO),
        sms_in=found.get(("sms", "in"), ZERO),
        mms_out=found.get(("mms", "out"), ZERO),
        mms_in=found.get(("mms", "in"), ZERO),
    )
