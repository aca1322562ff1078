"""Invoices, credit notes, their lines and taxes; a reseller's taxes and invoicing profile.

Issued documents never change: an invoice keeps a copy of the seller's and the buyer's details and of each tax as it
was (name, rate, compound, what it applied to), so later changes of the reseller's settings leave it as issued.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from reseller_app.i18n import N_

from .types import Money, UTCDateTime, utcnow


class BillingProfile(SQLModel, table=True):
    """What a reseller prints on its invoices, and its invoice numbering (one row per reseller)."""

    __table_args__ = (sa.CheckConstraint("next_number >= 1", name="ck_billing_next_number"),)

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", sa_column_kwargs={"unique": True})
    legal_name: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    tax_numbers: str = Field(default="", max_length=300)  # e.g. "GST 123456789 RT0001; QST 1234567890 TQ0001"
    footer: str = Field(default="", max_length=1000)
    payment_terms_days: int = 30
    invoice_prefix: str = Field(default="INV-", max_length=20)
    # The number the next document takes; moved in the transaction that issues it (no gaps, no duplicates).
    next_number: int = 1
    # The "Invoice" email, sent with the PDF attached ([invoice_number], [total], [due_date], [firstname], [lastname]).
    # The built-in wording is a catalogue message id: a client reads it in their language until the reseller
    # changes it (then it is sent as typed).
    email_subject: str = Field(default=N_("Invoice [invoice_number]"), max_length=200)
    email_body: str = Field(
        default=N_(
            "Hello [firstname] [lastname],\n\nYour invoice [invoice_number] of [total] is attached. It is due on [due_date]."  # noqa: E501
        ),
        sa_type=sa.Text,
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TaxRate(SQLModel, table=True):
    """A named tax of a reseller: rate, where it applies, compound or not, and to what."""

    __table_args__ = (
        sa.UniqueConstraint("reseller_id", "name", name="uq_taxrate_name"),
        sa.CheckConstraint("rate >= 0 AND rate <= 100000000", name="ck_taxrate_rate"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    position: int = 0
    name: str = Field(max_length=40)
    rate: Decimal = Field(sa_type=Money)  # percent, up to 4 places: 9.975
    country: str = Field(default="", max_length=2)  # ISO 3166-1 alpha-2; "" = every country
    region: str = Field(default="", max_length=80)  # province / state code or name; "" = the whole country
    compound: bool = False
    applies_to: list = Field(default_factory=list, sa_type=sa.JSON)  # usage | recurring | setup | manual


class Invoice(SQLModel, table=True):
    """An issued invoice or credit note. Never updated after it is issued."""

    __table_args__ = (
        sa.UniqueConstraint("reseller_id", "number", name="uq_invoice_number"),
        sa.UniqueConstraint("reseller_id", "seq", name="uq_invoice_seq"),
        sa.CheckConstraint("kind IN ('invoice','credit_note')", name="ck_invoice_kind"),
        sa.Index("ix_invoice_reseller_issued", "reseller_id", "issued_on"),
        sa.Index("ix_invoice_client_issued", "client_id", "issued_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id")
    client_id: int = Field(foreign_key="client.id")
    kind: str = Field(default="invoice", max_length=12)
    seq: int
    number: str = Field(max_length=40)
    # "cycle:<client id>:<billing date>" for the billing run's invoices: one per client and cycle, whatever re-runs.
    cycle_key: str | None = Field(default=None, max_length=60, sa_column_kwargs={"unique": True})
    credit_of_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    currency: str = Field(max_length=3)
    period_start: date
    period_end: date
    issued_on: date
    due_on: date
    subtotal: Decimal = Field(sa_type=Money)
    tax_total: Decimal = Field(sa_type=Money)
    total: Decimal = Field(sa_type=Money)
    seller: dict = Field(default_factory=dict, sa_type=sa.JSON)  # name, legal name, address, tax numbers, footer
    buyer: dict = Field(default_factory=dict, sa_type=sa.JSON)  # name, company, address, exemption number
    reason: str = Field(default="", max_length=255)  # a credit note's reason
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InvoiceLine(SQLModel, table=True):
    """One line of an invoice: a fee, a charge, a reversal, or the usage of one kind summed."""

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    position: int
    kind: str = Field(max_length=16)
    category: str = Field(max_length=10)  # usage | recurring | setup | manual: what taxes look at
    description: str = Field(max_length=255)
    quantity: int = 1
    unit_amount: Decimal | None = Field(default=None, sa_type=Money)
    amount: Decimal = Field(sa_type=Money)
    seconds: int = 0  # billable seconds of a usage line
    credit_of_line: int | None = None  # a credit note's line: the position of the invoice line it credits
    taxable_for: list = Field(default_factory=list, sa_type=sa.JSON)  # names of the taxes applied to it


class InvoiceTax(SQLModel, table=True):
    """One tax of an invoice as it was applied: its base and amount, and the ledger entry that posted it."""

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    position: int
    name: str = Field(max_length=40)
    rate: Decimal = Field(sa_type=Money)
    compound: bool = False
    applies_to: list = Field(default_factory=list, sa_type=sa.JSON)
    base: Decimal = Field(sa_type=Money)
    amount: Decimal = Field(sa_type=Money)
    ledger_entry_id: int | None = Field(default=None, foreign_key="ledgerentry.id")


class InvoicedEntry(SQLModel, table=True):
    """Which invoice billed a ledger entry: each entry is invoiced once (the ledger itself is never updated)."""

    ledger_entry_id: int = Field(foreign_key="ledgerentry.id", primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    line_position: int = 0
