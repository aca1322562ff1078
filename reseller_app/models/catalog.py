"""Priced packages, their per-area rates and free zones."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .types import Money, UTCDateTime, utcnow

EDITABLE_SUBACCOUNT_FIELDS = ["password", "device_type", "auth_type", "callerid", "moh", "codecs", "dtmf", "nat"]


class Package(SQLModel, table=True):
    """A priced offer a reseller assigns to sub-accounts."""

    __table_args__ = (
        sa.CheckConstraint("pulse BETWEEN 1 AND 3600", name="ck_package_pulse"),
        sa.CheckConstraint("canada_route IN ('value','premium')", name="ck_package_canada_route"),
        sa.CheckConstraint("international_route IN ('value','premium')", name="ck_package_intl_route"),
        sa.UniqueConstraint("reseller_id", "name", name="uq_package_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    name: str = Field(max_length=80)
    markup_fixed: Decimal = Field(default=Decimal("0"), sa_type=Money)
    markup_percent: Decimal = Field(default=Decimal("0"), sa_type=Money)
    pulse: int = 60
    canada_route: str = Field(default="value", max_length=8)
    international_route: str = Field(default="value", max_length=8)
    onnet_free: bool = False
    monthly_fee: Decimal = Field(default=Decimal("0"), sa_type=Money)
    setup_fee: Decimal = Field(default=Decimal("0"), sa_type=Money)
    free_minutes: int = 0
    # Per-message sell rates (billing/messages.py): outbound SMS per segment, the others per message; None = the
    # carrier's cost with this package's markup.
    sms_out_rate: Decimal | None = Field(default=None, sa_type=Money)
    sms_in_rate: Decimal | None = Field(default=None, sa_type=Money)
    mms_out_rate: Decimal | None = Field(default=None, sa_type=Money)
    mms_in_rate: Decimal | None = Field(default=None, sa_type=Money)
    allow_did_purchase: bool = False
    subaccount_editable: list = Field(default_factory=list, sa_type=sa.JSON)
    service_config: str = Field(default="default", max_length=8)  # default | package
    view_setting: str = Field(default="standard", max_length=16)
    services: list = Field(default_factory=list, sa_type=sa.JSON)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AreaRate(SQLModel, table=True):
    """A custom sell rate for a country or a calling-code prefix; overrides the markup."""

    __table_args__ = (
        sa.CheckConstraint("(prefix IS NULL) <> (country IS NULL)", name="ck_area_rate_target"),
        # One rate per prefix and one per country in a package (a plain unique constraint would not see NULLs).
        sa.Index(
            "uq_area_rate_prefix",
            "package_id",
            "prefix",
            unique=True,
            sqlite_where=sa.text("prefix IS NOT NULL"),
            postgresql_where=sa.text("prefix IS NOT NULL"),
        ),
        sa.Index(
            "uq_area_rate_country",
            "package_id",
            "country",
            unique=True,
            sqlite_where=sa.text("country IS NOT NULL"),
            postgresql_where=sa.text("country IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    package_id: int = Field(foreign_key="package.id", index=True)
    prefix: str | None = Field(default=None, max_length=16)
    country: str | None = Field(default=None, max_length=2)
    rate: Decimal = Field(sa_type=Money)


class FreeZone(SQLModel, table=True):
    """Free calling by country, by prefix, or up to a maximum cost rate."""

    __table_args__ = (sa.CheckConstraint("kind IN ('country','prefix','max_rate')", name="ck_free_zone_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id", index=True)
    package_id: int = Field(foreign_key="package.id", index=True)
    kind: str = Field(max_length=8)
    value: str = Field(default="", max_length=16)  # ISO country or prefix
    max_rate: Decimal | None = Field(default=None, sa_type=Money)
