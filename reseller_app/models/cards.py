"""Card payments through the reseller's own Stripe account: its keys, each client's saved card and top-up, payments."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .types import Money, UTCDateTime, utcnow


class StripeAccount(SQLModel, table=True):
    """A reseller's Stripe keys. The secret key and webhook secret are stored as given (Stripe needs them in clear,
    as the carrier needs the VoIP.ms API password) and are never sent back to a page."""

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", sa_column_kwargs={"unique": True})
    enabled: bool = False  # clients see card deposits (and automatic top-up)
    publishable_key: str = Field(default="", max_length=255)
    secret_key: str = Field(default="", max_length=255)
    webhook_secret: str = Field(default="", max_length=255)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CardProfile(SQLModel, table=True):
    """One client's Stripe customer, saved card and automatic top-up.

    `topup_armed` is set while the balance is at or above the threshold; the posting that takes the balance below it
    disarms it and bumps `topup_seq` in one conditional UPDATE, so one crossing starts one top-up whatever the number
    of concurrent postings and workers (the top-up's idempotency key carries the sequence number).
    """

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    client_id: int = Field(foreign_key="client.id", sa_column_kwargs={"unique": True})
    customer_id: str = Field(default="", max_length=80)
    payment_method: str = Field(default="", max_length=80)
    card_label: str = Field(default="", max_length=60)  # "visa •••• 4242"
    setup_session: str = Field(default="", max_length=120)
    topup_enabled: bool = False
    topup_threshold: Decimal | None = Field(default=None, sa_type=Money)
    topup_amount: Decimal | None = Field(default=None, sa_type=Money)
    topup_armed: bool = False
    topup_paused: bool = False  # the last top-up failed: paused until the card is updated
    topup_seq: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CardPayment(SQLModel, table=True):
    """A card deposit (Checkout Session) or an automatic top-up (off-session PaymentIntent), credited once.

    Its ledger entry's reference is `stripe:<id>`; a refund's is `stripe-refund:<id>` (one refund per payment).
    """

    __table_args__ = (
        sa.CheckConstraint("kind IN ('checkout','topup')", name="ck_cardpayment_kind"),
        sa.Index("ix_cardpayment_client_created", "client_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    client_id: int = Field(foreign_key="client.id")
    kind: str = Field(max_length=8)
    amount: Decimal = Field(sa_type=Money)
    currency: str = Field(max_length=3)
    idempotency_key: str = Field(max_length=80, sa_column_kwargs={"unique": True})
    session_id: str | None = Field(default=None, max_length=120, sa_column_kwargs={"unique": True})
    intent_id: str | None = Field(default=None, max_length=120, sa_column_kwargs={"unique": True})
    status: str = Field(default="pending", max_length=12)  # pending | completed | failed | cancelled
    failure: str = Field(default="", max_length=255)
    refund_amount: Decimal | None = Field(default=None, sa_type=Money)
    refund_state: str = Field(default="", max_length=12)  # "" | pending | done
    refund_id: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
