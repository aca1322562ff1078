"""Text messages (SMS and MMS) sent and received on the clients' numbers, each priced and posted once."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .types import Money, UTCDateTime, utcnow


class Message(SQLModel, table=True):
    """One SMS or MMS as the carrier handled it, with its rating; keyed by the carrier's message id per reseller.

    Its ledger entry (reference `msg:<reseller>:<carrier id>`) is written in the same transaction, so a message is
    stored and billed together or not at all.
    """

    __table_args__ = (
        sa.UniqueConstraint("reseller_id", "carrier_id", name="uq_message_carrier_id"),
        sa.CheckConstraint("direction IN ('in','out')", name="ck_message_direction"),
        sa.CheckConstraint("kind IN ('sms','mms')", name="ck_message_kind"),
        sa.Index("ix_message_client_thread", "client_id", "did", "contact", "sent_at"),
        sa.Index("ix_message_reseller_sent", "reseller_id", "sent_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id")
    client_id: int | None = Field(default=None, foreign_key="client.id")
    did_id: int | None = Field(default=None, foreign_key="did.id")
    carrier_id: str = Field(max_length=64)
    kind: str = Field(default="sms", max_length=3)
    direction: str = Field(max_length=3)
    did: str = Field(max_length=20)  # the client's number
    contact: str = Field(max_length=20)  # the other party
    body: str = Field(default="", sa_type=sa.Text)
    # MMS pictures: data: URLs (what the client uploaded) or the carrier's media URLs.
    media: list = Field(default_factory=list, sa_type=sa.JSON)
    encoding: str = Field(default="", max_length=8)
    segments: int = 1
    cost_rate: Decimal = Field(default=Decimal("0"), sa_type=Money)
    sell_rate: Decimal = Field(default=Decimal("0"), sa_type=Money)
    cost: Decimal = Field(default=Decimal("0"), sa_type=Money)
    price: Decimal = Field(default=Decimal("0"), sa_type=Money)
    profit: Decimal = Field(default=Decimal("0"), sa_type=Money)
    reason: str = Field(default="", max_length=16)  # "" billed, unassigned, sms_off, free
    read: bool = False
    sent_at: datetime = Field(sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
