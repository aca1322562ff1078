"""Leases that let one worker at a time run each scheduled job, with the job's last outcome; and the carrier's call
records the CDR sync could not read."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .types import UTCDateTime


class JobLease(SQLModel, table=True):
    """One row per scheduled job: who holds it until when, and when it last ran."""

    name: str = Field(primary_key=True, max_length=60)
    holder: str = Field(default="", max_length=80)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str = Field(default="", max_length=500)


class UnreadableCdr(SQLModel, table=True):
    """A call record from the carrier that the CDR sync could not read, so it is not rated nor billed.

    Kept for the reseller (the Overview page lists the open ones): an unbilled call is money. The same record
    fetched again (each sync overlaps the last) is counted on its row, keyed by a hash of what the carrier sent.
    """

    __table_args__ = (sa.UniqueConstraint("reseller_id", "fingerprint", name="uq_unreadable_cdr"),)

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    fingerprint: str = Field(max_length=64)  # sha256 of the record as the carrier sent it
    uniqueid: str = Field(default="", max_length=64)  # as far as it could be read
    call_date: str = Field(default="", max_length=40)  # the carrier's own text
    reason: str = Field(max_length=255)
    raw: str = Field(max_length=2000)  # the record as JSON, cut to 2,000 characters
    first_seen_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    times_seen: int = 1
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # the reseller marked it dealt with
