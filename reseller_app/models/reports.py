"""Daily roll-ups for the reports, and the extra indexes the reports read through."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .ledger import FaxRecord, LedgerEntry
from .types import Money


class CdrDaily(SQLModel, table=True):
    """Rated calls of one reseller summed per UTC day, direction and disposition.

    Kept in step with `cdr` by the rating code (services/reporting/rollup.apply_rated), so a report's totals over a
    year read a few thousand rows instead of a million calls.
    """

    __table_args__ = (sa.UniqueConstraint("reseller_id", "day", "direction", "disposition", name="uq_cdr_daily"),)

    id: int | None = Field(default=None, primary_key=True)
    reseller_id: int = Field(foreign_key="reseller.id")
    day: date
    direction: str = Field(max_length=3)
    disposition: str = Field(max_length=16)
    calls: int = 0
    duration: int = 0
    billable_seconds: int = 0
    cost: Decimal = Field(default=Decimal("0"), sa_type=Money)
    price: Decimal = Field(default=Decimal("0"), sa_type=Money)


# The financial report sums deposits and fees per month without reading the million call postings beside them:
# this index is covering (kind first, amount last), so each kind is one range scan.
sa.Index(
    "ix_ledger_reseller_kind_created",
    LedgerEntry.__table__.c.reseller_id,
    LedgerEntry.__table__.c.kind,
    LedgerEntry.__table__.c.created_at,
    LedgerEntry.__table__.c.amount,
)
# Faxes over all clients of a reseller for a period, covering the amounts the financial report sums.
sa.Index(
    "ix_fax_reseller_start",
    FaxRecord.__table__.c.reseller_id,
    FaxRecord.__table__.c.start,
    FaxRecord.__table__.c.cost,
    FaxRecord.__table__.c.price,
)
