"""Clients of a reseller and what is connected to them: sub-accounts, numbers, e911, voicemail, forwarding."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .types import Money, UTCDateTime, utcnow


class Client(SQLModel, table=True):
    """An end client (a business) of a reseller; its email is its username in the reseller's portal."""

    __table_args__ = (
        sa.UniqueConstraint("reseller_id", "email", name="uq_client_email"),
        sa.CheckConstraint("status IN ('WAIT','ACTIVE','SUSPENDED')", name="ck_client_status"),
        sa.CheckConstraint("balance_management IN ('SOFT','HARD')", name="ck_client_balance_management"),
        sa.Index("ix_client_reseller_status", "reseller_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    email: str = Field(max_length=254)
    password_hash: str = Field(max_length=255)
    firstname: str = Field(max_length=80)
    lastname: str = Field(default="", max_length=80)
    company: str = Field(default="", max_length=120)
    address: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=80)
    state: str = Field(default="", max_length=80)
    country: str = Field(default="", max_length=2)
    zip: str = Field(default="", max_length=20)
    phone_number: str = Field(default="", max_length=32)
    status: str = Field(default="ACTIVE", max_length=10)
    suspended_by: str | None = Field(default=None, max_length=8)  # balance | manual
    # When the balance rule suspended the client: calls starting later are not billed (services/telephony/calls.py).
    suspended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    balance_management: str = Field(default="SOFT", max_length=4)
    # Kept equal to the ledger sum: only the services layer changes it, in the same transaction as the entry.
    balance: Decimal = Field(default=Decimal("0"), sa_type=Money)
    low_balance_threshold: Decimal | None = Field(default=None, sa_type=Money)
    low_balance_email: str = Field(default="", max_length=254)
    low_balance_armed: bool = True
    next_billing_date: date | None = None
    timezone: str = Field(default="UTC", max_length=64)
    # The portal language the client chose (en, fr_CA, es_MX...); "" until they choose (see reseller_app/i18n).
    language: str = Field(default="", max_length=16)
    # Invoices of a tax-exempt client carry no tax; the exemption number is printed on them.
    tax_exempt: bool = False
    tax_exempt_number: str = Field(default="", max_length=60)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Set when the reseller deleted the client: the row stays as an anonymised tombstone so its ledger, calls and
    # faxes keep their owner (the books never change), but the person is gone: personal fields blank, no password,
    # and `email` holds the label "Deleted client #<id>" (never an address, so the real one is free again).
    # Lookups, lists and logins skip these rows (services/clients/accounts.delete_client).
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SubAccount(SQLModel, table=True):
    """A SIP/IAX account (user or device); the package is linked here, not to the client."""

    __table_args__ = (sa.UniqueConstraint("account", name="uq_subaccount_account"),)

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    package_id: int | None = Field(default=None, foreign_key="package.id", index=True)
    # When the package was assigned to the sub-account of its current client: its monthly fee is billed for the
    # periods starting from then on, never before (as a number's fee starts at its connection).
    package_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    account: str = Field(max_length=64)  # <main account>_<name>
    description: str = Field(default="", max_length=120)
    sip_password: str = Field(max_length=64)
    device_type: str = Field(default="ip_phone", max_length=16)
    auth_type: str = Field(default="password", max_length=8)  # password | ip
    callerid: str = Field(default="", max_length=32)
    codecs: str = Field(default="ulaw,g729,gsm", max_length=80)
    dtmf_mode: str = Field(default="auto", max_length=8)
    nat: str = Field(default="yes", max_length=8)
    music_on_hold: str = Field(default="default", max_length=32)
    blocked: bool = False
    carrier_ref: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Did(SQLModel, table=True):
    """A phone number (voice DID) or fax number the reseller owns and may connect to a client."""

    __table_args__ = (
        sa.UniqueConstraint("reseller_id", "number", name="uq_did_number"),
        sa.CheckConstraint("kind IN ('voice','fax')", name="ck_did_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    number: str = Field(max_length=20)
    kind: str = Field(default="voice", max_length=5)
    rate_center: str = Field(default="", max_length=80)
    region: str = Field(default="", max_length=40)
    client_id: int | None = Field(default=None, foreign_key="client.id", index=True)
    sub_account_id: int | None = Field(default=None, foreign_key="subaccount.id", index=True)
    forwarding_id: int | None = Field(default=None, foreign_key="forwarding.id")
    voicemail_id: int | None = Field(default=None, foreign_key="voicemail.id")
    setup_fee: Decimal = Field(default=Decimal("0"), sa_type=Money)
    monthly_fee: Decimal = Field(default=Decimal("0"), sa_type=Money)
    per_minute: Decimal = Field(default=Decimal("0"), sa_type=Money)
    connected_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Where the client routes it (services/callflows): "kind:id" destinations; "" = as connected (the sub-account,
    # or the forwarding above), and no failover.
    routing: str = Field(default="", max_length=40)
    failover_busy: str = Field(default="", max_length=40)
    failover_noanswer: str = Field(default="", max_length=40)
    failover_unreachable: str = Field(default="", max_length=40)
    # Text messages on this number (issue 18): on or off, a copy of incoming texts by email, forwarding to a number.
    sms_enabled: bool = False
    sms_email: str = Field(default="", max_length=254)
    sms_forward: str = Field(default="", max_length=20)


class E911Record(SQLModel, table=True):
    """An emergency-address record for one DID, billed a setup and a monthly fee."""

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    did_id: int = Field(foreign_key="did.id", sa_column_kwargs={"unique": True})
    full_name: str = Field(max_length=120)
    address: str = Field(max_length=200)
    city: str = Field(max_length=80)
    state: str = Field(max_length=80)
    country: str = Field(default="US", max_length=2)
    zip: str = Field(max_length=20)
    active: bool = True
    setup_fee: Decimal = Field(default=Decimal("0"), sa_type=Money)
    monthly_fee: Decimal = Field(default=Decimal("0"), sa_type=Money)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Voicemail(SQLModel, table=True):
    """A voicemail box whose messages are emailed to the client."""

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    mailbox: str = Field(max_length=16)
    name: str = Field(max_length=80)
    pin: str = Field(max_length=10)
    email: str = Field(default="", max_length=254)
    attach_audio: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Forwarding(SQLModel, table=True):
    """Call forwarding of a DID to a local number; both legs are billed."""

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    phone_number: str = Field(max_length=20)
    description: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
