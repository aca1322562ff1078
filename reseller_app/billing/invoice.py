"""Invoice arithmetic: which ledger postings an invoice bills, its lines, and its taxes (exact, pure).

The rules (also in billing/README.md, "Invoices and taxes"):
- Each line has a category that taxes look at: `usage` (calls, faxes, messages), `recurring` (package, DID and
  e911 monthly fees), `setup` (setup fees and other one-time fees) or `manual` (the reseller's manual charges). A
  reversal takes the category of the posting it reverses.
- A tax applies to a client when the client is not tax-exempt, the tax's country is empty or the client's, and the
  tax's region is empty or the client's province/state (code or name, case-insensitive).
- The base of a non-compound tax is the sum of the invoice's lines in the categories it applies to. The base of a
  compound tax is that sum plus the amounts of every tax computed before it: all the non-compound taxes, then the
  compound taxes earlier in the list. Each tax is `round_half_up(base × rate / 100, 2)`, once per tax per invoice.
- Line amounts keep the ledger's exact 4 places; taxes have 2; total = subtotal + taxes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CATEGORIES: tuple[str, ...] = ("usage", "recurring", "setup", "manual")
CATEGORY_LABELS: dict[str, str] = {
    "usage": "Calls and messages",
    "recurring": "Recurring fees",
    "setup": "Setup fees",
    "manual": "Manual charges",
}
MAX_RATE = Decimal(100)
RATE_PLACES = 4
_Q2 = Decimal("0.01")
_RECURRING_REF = re.compile(r"^(pkg|did|e911):[^:]+:(\d{4}-\d{2}-\d{2})$")
_PREFIX_OK = re.compile(r"^[A-Za-z0-9_.\-]{0,20}$")


def round2(value: Decimal) -> Decimal:
    """Round to cents, half-up (taxes)."""
    return value.quantize(_Q2, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Tax:
    """A tax as configured: `rate` in percent (9.975), `applies_to` a set of categories."""

    name: str
    rate: Decimal
    compound: bool = False
    applies_to: frozenset[str] = frozenset(CATEGORIES)
    country: str = ""
    region: str = ""


@dataclass(frozen=True)
class Line:
    """An invoice line before taxes: `amount` is what the client owes for it (a credit is negative)."""

    kind: str
    category: str
    description: str
    amount: Decimal
    quantity: int = 1
    unit_amount: Decimal | None = None
    seconds: int = 0


@dataclass(frozen=True)
class TaxLine:
    """One tax of an invoice: its base and amount."""

    name: str
    rate: Decimal
    compound: bool
    applies_to: frozenset[str]
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Computed:
    """An invoice's lines (with the names of the taxes applied to each), its taxes and totals."""

    lines: list[tuple[Line, list[str]]]
    taxes: list[TaxLine]
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def applies_to_client(tax: Tax, country: str, region_names: Iterable[str], *, exempt: bool) -> bool:
    """Whether a tax applies to a client in `country` whose province/state is any of `region_names`."""
    if exempt:
        return False
    if tax.country and tax.country.upper() != country.strip().upper():
        return False
    if tax.region:
        names = {_norm(r) for r in region_names if r.strip()}
        return _norm(tax.region) in names
    return True


def compute(lines: Sequence[Line], taxes: Sequence[Tax]) -> Computed:
    """Taxes and totals of `lines` under the taxes that apply (in the order given; compound ones last)."""
    subtotal = sum((ln.amount for ln in lines), Decimal(0))
    ordered = [t for t in taxes if not t.compound] + [t for t in taxes if t.compound]
    done: list[TaxLine] = []
    for tax in ordered:
        base = sum((ln.amount for ln in lines if ln.category in tax.applies_to), Decimal(0))
        if not any(ln.category in tax.applies_to for ln in lines):
            continue
        if tax.compound:
            base += sum((d.amount for d in done), Decimal(0))
        done.append(TaxLine(tax.name, tax.rate, tax.compound, tax.applies_to, base, round2(base * tax.rate / 100)))
    names_by_line = [[t.name for t in done if ln.category in t.applies_to] for ln in lines]
    tax_total = sum((t.amount for t in done), Decimal(0))
    return Computed(list(zip(lines, names_by_line, strict=True)), done, subtotal, tax_total, subtotal + tax_total)


# ---------------------------------------------------------------- which postings an invoice bills


def recurring_period(reference: str) -> date | None:
    """The period start of a monthly fee's ledger reference ("pkg:42:2026-03-01"), else None."""
    m = _RECURRING_REF.match(reference)
    if m is None:
        return None
    try:
        return date.fromisoformat(m.group(2))
    except ValueError:
        return None


def fee_line_kind(reference: str) -> tuple[str, str]:
    """(line kind, category) of a fee posting: monthly package/DID/e911 fees are recurring, the rest setup."""
    m = _RECURRING_REF.match(reference)
    if m is None:
        return "setup_fee", "setup"
    return {"pkg": "package_fee", "did": "did_fee", "e911": "e911_fee"}[m.group(1)], "recurring"


def posting_date(reference: str, created_on: date) -> date:
    """The date that decides which invoice bills a posting: a monthly fee's period start, else its posting day."""
    return recurring_period(reference) or created_on


def billed_on(reference: str, created_on: date, billing_date: date) -> bool:
    """Whether the invoice of `billing_date` may bill this posting (its date is on or before the billing date)."""
    return posting_date(reference, created_on) <= billing_date


# ---------------------------------------------------------------- settings validation


def parse_rate(text: str) -> Decimal:
    """A tax rate in percent: 0 to 100, at most 4 decimals. Raises ValueError with a message for people."""
    s = (text or "").strip().rstrip("%").strip()
    if not s:
        raise ValueError("Enter a rate in percent, e.g. 9.975.")
    if not re.fullmatch(r"\d{1,3}(\.\d+)?|\.\d+", s):
        raise ValueError("Enter a rate in percent, a number such as 5 or 9.975.")
    try:
        rate = Decimal(s)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes this
        raise ValueError("Enter a rate in percent, e.g. 9.975.") from None
    if rate > MAX_RATE:
        raise ValueError("A rate is between 0 and 100.")
    exponent = rate.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > RATE_PLACES:
        raise ValueError("A rate has at most 4 decimals.")
    return rate


def prefix_error(prefix: str) -> str:
    """Why an invoice-number prefix is refused ("" when fine): it ends up in file names."""
    if not _PREFIX_OK.fullmatch(prefix):
        return "Use up to 20 letters, digits, '-', '_' or '.'."
    if prefix.startswith("."):
        return "The prefix cannot start with a dot."
    return ""


def invoice_number(prefix: str, seq: int, width: int = 6) -> str:
    """The printed number: prefix + the sequence number, zero-padded (INV-000042)."""
    return f"{prefix}{seq:0{width}d}"


@dataclass
class TaxDraft:
    """A tax row as typed in the settings: every value a string, `applies_to` a list of categories."""

    name: str = ""
    rate: str = ""
    country: str = ""
    region: str = ""
    compound: bool = False
    applies_to: list[str] = field(default_factory=lambda: list(CATEGORIES))


def validate_taxes(drafts: Sequence[TaxDraft], countries: Iterable[str]) -> tuple[list[Tax], dict[str, str]]:
    """Parse the taxes list; errors are keyed "tax_<i>_<field>" (i from 0). `countries`: the ISO codes known."""
    known = {c.upper() for c in countries}
    errors: dict[str, str] = {}
    taxes: list[Tax] = []
    seen: set[str] = set()
    for i, d in enumerate(drafts):
        name = " ".join(d.name.split())
        if not name:
            errors[f"tax_{i}_name"] = "Enter the tax's name."
        elif len(name) > 40:
            errors[f"tax_{i}_name"] = "At most 40 characters."
        elif name.casefold() in seen:
            errors[f"tax_{i}_name"] = "Another tax has this name."
        seen.add(name.casefold())
        try:
            rate = parse_rate(d.rate)
        except ValueError as e:
            errors[f"tax_{i}_rate"] = str(e)
            rate = Decimal(0)
        country = d.country.strip().upper()
        if country and country not in known:
            errors[f"tax_{i}_country"] = "Use a two-letter country code (CA, US, FR…) or leave it empty."
        region = " ".join(d.region.split())
        if region and not country:
            errors[f"tax_{i}_region"] = "A region needs a country."
        elif len(region) > 80:
            errors[f"tax_{i}_region"] = "At most 80 characters."
        applies = [c for c in d.applies_to if c in CATEGORIES]
        if not applies or len(applies) != len(d.applies_to):
            errors[f"tax_{i}_applies_to"] = "Choose what the tax applies to."
        taxes.append(Tax(name, rate, bool(d.compound), frozenset(applies), country, region))
    return taxes, errors
