"""Money that moved: the append-only ledger, rated calls and faxes, free-minute pools and payment orders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .types import Money, UTCDateTime, utcnow

LEDGER_KINDS = ("payment", "charge", "call", "fax", "fee", "reversal", "tax", "credit", "message")


class LedgerEntry(SQLModel, table=True):
    """One posting to a client's balance. Rows are never updated or deleted; a reversal is a new row.

    The database holds these rules itself (migration 0011, triggers on SQLite and PostgreSQL): an UPDATE or DELETE
    of a row (and, on PostgreSQL, a TRUNCATE) is refused; a payment is positive and a charge, call, fax or fee
    negative; a reversal carries the exact opposite amount of an entry of the same client that is not itself a
    reversal (migration 0014 adds `message`, negative too). The CHECK constraints below refuse a zero amount, an
    unknown kind and a reversal without its original.
    """

    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="ck_ledger_amount_nonzero"),
        sa.CheckConstraint(
            "kind IN ('payment','charge','call','fax','fee','reversal','tax','credit','message')",
            name="ck_ledger_kind",
        ),
        sa.CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="ck_ledger_reversal_link"),
        sa.Index("ix_ledger_client_created", "client_id", "created_at"),
        sa.Index("ix_ledger_reseller_created", "reseller_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id")
    client_id: int = Field(foreign_key="client.id")
    reference: str = Field(max_length=120, sa_column_kwargs={"unique": True})
    kind: str = Field(max_length=8)
    # Signed: a payment is positive, a charge, fee or call is negative. An invoice's tax ("tax") is negative and a
    # credit note's lines ("credit") and taxes ("tax") positive (services/invoicing).
    amount: Decimal = Field(sa_type=Money)
    description: str = Field(default="", max_length=255)
    reverses_id: int | None = Field(default=None, foreign_key="ledgerentry.id", sa_column_kwargs={"unique": True})
    created_by: str = Field(default="system", max_length=40)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Cdr(SQLModel, table=True):
    """A call detail record from the carrier with its rating: cost, price and profit."""

    __table_args__ = (
        sa.UniqueConstraint("reseller_id", "uniqueid", name="uq_cdr_uniqueid"),
        sa.CheckConstraint("direction IN ('in','out')", name="ck_cdr_direction"),
        sa.Index("ix_cdr_reseller_start", "reseller_id", "start"),
        sa.Index("ix_cdr_client_start", "client_id", "start"),
        sa.Index("ix_cdr_subaccount_start", "sub_account_id", "start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id")
    client_id: int | None = Field(default=None, foreign_key="client.id")
    sub_account_id: int | None = Field(default=None, foreign_key="subaccount.id")
    did_id: int | None = Field(default=None, foreign_key="did.id")
    uniqueid: str = Field(max_length=64)
    start: datetime = Field(sa_type=UTCDateTime)
    direction: str = Field(max_length=3)
    account: str = Field(default="", max_length=64)
    callerid: str = Field(default="", max_length=120)
    destination: str = Field(max_length=32)
    description: str = Field(default="", max_length=120)
    disposition: str = Field(max_length=16)
    duration: int = 0
    country: str = Field(default="", max_length=2)
    route: str = Field(default="", max_length=8)
    billable_seconds: int = 0
    cost_rate: Decimal = Field(default=Decimal("0"), sa_type=Money)
    cost: Decimal = Field(default=Decimal("0"), sa_type=Money)
    sell_rate: Decimal = Field(default=Decimal("0"), sa_type=Money)
    price: Decimal = Field(default=Decimal("0"), sa_type=Money)
    profit: Decimal = Field(default=Decimal("0"), sa_type=Money)
    reason: str = Field(default="", max_length=16)
    free_minutes_drawn: int = 0
    rated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Where an inbound call went through the client's call flow ("IVR Main → 2 → Ring group Sales → 100001_alice").
    call_path: str = Field(default="", max_length=500)


class FaxRecord(SQLModel, table=True):
    """A sent or received fax with its cost, price and profit."""

    __table_args__ = (
        sa.UniqueConstraint("reseller_id", "uniqueid", name="uq_fax_uniqueid"),
        sa.Index("ix_fax_client_start", "client_id", "start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id")
    did_id: int | None = Field(default=None, foreign_key="did.id")
    uniqueid: str = Field(max_length=64)
    start: datetime = Field(sa_type=UTCDateTime)
    direction: str = Field(max_length=3)
    remote_number: str = Field(max_length=32)
    pages: int = 0
    duration: int = 0
    status: str = Field(default="success", max_length=16)
    cost: Decimal = Field(default=Decimal("0"), sa_type=Money)
    price: Decimal = Field(default=Decimal("0"), sa_type=Money)
    profit: Decimal = Field(default=Decimal("0"), sa_type=Money)


class FreeMinuteUsage(SQLModel, table=True):
    """Whole minutes drawn from a sub-account's free-minute pool in one billing cycle."""

    __table_args__ = (sa.UniqueConstraint("sub_account_id", "cycle_start", name="uq_free_minutes_cycle"),)

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    sub_account_id: int = Field(foreign_key="subaccount.id")
    cycle_start: date
    minutes_used: int = 0


class PaymentOrder(SQLModel, table=True):
    """A deposit started in the client's portal; credited once when the gateway confirms it."""

    __table_args__ = (sa.UniqueConstraint("provider", "provider_ref", name="uq_payment_provider_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    amount: Decimal = Field(sa_type=Money)
    provider: str = Field(default="paypal", max_length=16)
    provider_ref: str = Field(max_length=80)
    status: str = Field(default="pending", max_length=12)  # pending | completed | cancelled
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
