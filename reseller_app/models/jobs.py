"""Leases that let one worker at a time run each scheduled job, with the job's last outcome."""

from __future__ import annotations

from datetime import datetime

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
