"""A reseller's staff: people who sign in to the reseller's workspace with a role (issue 22)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, utcnow

ROLES = ("admin", "support", "billing", "readonly")
STATUSES = ("invited", "active", "disabled", "removed")


class StaffMember(SQLModel, table=True):
    """One staff member of one reseller. The owner is the reseller's own login, not a row here.

    Invited by email (a single-use link, only its hash stored); active once the invitee chose a password; disabled
    (kept, may be enabled again) or removed (kept for the audit log's "who", its email freed).
    """

    __table_args__ = (
        sa.CheckConstraint("role IN ('admin','support','billing','readonly')", name="ck_staff_role"),
        sa.CheckConstraint("status IN ('invited','active','disabled','removed')", name="ck_staff_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True})
    name: str = Field(default="", max_length=120)
    role: str = Field(max_length=8)
    status: str = Field(default="invited", max_length=8)
    password_hash: str = Field(default="", max_length=255)
    invite_hash: str | None = Field(default=None, max_length=64, sa_column_kwargs={"unique": True})
    invite_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class TwoFactor(SQLModel, table=True):
    """One login's TOTP (RFC 6238) secret and its hashed single-use recovery codes.

    `login_key` names the login: "owner:<reseller id>", "staff:<staff id>" or "client:<client id>". A row without
    `confirmed_at` is an enrolment in progress (the code it shows was not confirmed yet) and asks for no code.
    """

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    login_key: str = Field(max_length=24, sa_column_kwargs={"unique": True})
    # The TOTP secret, encrypted (Fernet under TWO_FACTOR_KEY, services/access/sealing.py), never in clear.
    secret: str = Field(max_length=255)
    recovery_hashes: list = Field(default_factory=list, sa_type=sa.JSON)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
