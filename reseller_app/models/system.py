"""Sessions, login throttling, password resets, the email outbox, the audit log and the sandbox carrier's books."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .types import UTCDateTime, utcnow


class LoginSession(SQLModel, table=True):
    """A logged-in browser. Only a hash of the session token is stored."""

    __table_args__ = (sa.CheckConstraint("role IN ('reseller','client')", name="ck_session_role"),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    role: str = Field(max_length=8)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    impersonated_by: int | None = Field(default=None, foreign_key="reseller.id")
    staff_id: int | None = Field(default=None, foreign_key="staffmember.id", index=True)  # a staff member's session
    # An impersonation ("Login as client") lives only as long as the reseller session that opened it.
    parent_session_id: int | None = Field(default=None, foreign_key="loginsession.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """Failed logins in a row for one login name in one realm, whether or not the account exists."""

    __table_args__ = (sa.UniqueConstraint("realm", "login", name="uq_login_attempt"),)

    id: int | None = Field(default=None, primary_key=True)
    realm: str = Field(max_length=24)  # "reseller" or "client:<reseller id>"
    login: str = Field(max_length=254)
    failures: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PasswordResetToken(SQLModel, table=True):
    """A single-use, one-hour token for a client's password reset. Only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OutboundEmail(SQLModel, table=True):
    """The outbox: mail is written here in the business transaction and delivered later with retries."""

    __table_args__ = (sa.Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int | None = Field(default=None, foreign_key="reseller.id", index=True)
    dedupe_key: str | None = Field(default=None, max_length=120, sa_column_kwargs={"unique": True})
    to_addr: str = Field(max_length=254)
    subject: str = Field(max_length=255)
    body_text: str = Field(sa_type=sa.Text)
    # Secrets (a live reset link's token) stay out of body_text: it holds a marker, and this JSON object maps each
    # marker to its value until the message is sent, fails for good or expires; then it is cleared.
    secrets: str | None = Field(default=None, sa_type=sa.Text)
    # After this, the message is useless (its link has expired): it is no longer sent and its secrets are cleared.
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=8)  # pending | sent | failed
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class EmailAttachment(SQLModel, table=True):
    """A file sent with an outbox message (an invoice's PDF), written in the same transaction as the message."""

    id: int | None = Field(default=None, primary_key=True)
    email_id: int = Field(foreign_key="outboundemail.id", index=True)
    filename: str = Field(max_length=120)
    content_type: str = Field(default="application/octet-stream", max_length=80)
    data: bytes = Field(sa_type=sa.LargeBinary)


class AuditLog(SQLModel, table=True):
    """Who did what to which object, for every change made through the services layer.

    Append-only: the database refuses an UPDATE or DELETE of a row (alembic 0017).
    """

    __table_args__ = (sa.Index("ix_auditlog_reseller_created", "reseller_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int | None = Field(default=None, foreign_key="reseller.id", index=True)
    actor_role: str = Field(max_length=8)
    actor_id: int | None = None
    action: str = Field(max_length=60)
    object_type: str = Field(default="", max_length=40)
    object_id: int | None = None
    detail: dict = Field(default_factory=dict, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ip: str = Field(default="", max_length=45)  # the request's address
    staff_id: int | None = None  # the staff member who acted for the reseller (None: the owner, a client, a job)


class SandboxDid(SQLModel, table=True):
    """The embedded sandbox carrier's DID inventory (what the carrier would sell)."""

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, sa_column_kwargs={"unique": True})
    rate_center: str = Field(max_length=80)
    region: str = Field(max_length=40)
    kind: str = Field(default="voice", max_length=5)
    owner_reseller_id: int | None = Field(default=None, foreign_key="reseller.id", index=True)
    sms_enabled: bool = False  # SMS on this number (setSMS)


class SandboxSubAccount(SQLModel, table=True):
    """Sub-accounts the sandbox carrier was asked to create, with their blocked flag."""

    id: int | None = Field(default=None, primary_key=True)
    account: str = Field(max_length=64, sa_column_kwargs={"unique": True})
    owner_reseller_id: int = Field(foreign_key="reseller.id", index=True)
    blocked: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
