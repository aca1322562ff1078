"""Reconciliation: every client's cached balance must equal the sum of its ledger.

`ledger.post` moves the balance in the same transaction as the entry, so the two can only part through a bug or a
hand-made change to the database. This check finds it: `python -m reseller_app reconcile` and a daily scheduled
job (services/jobs/scheduler.py). Each difference is logged as an error and written to the audit log
(`balance_mismatch`, by the system); nothing is corrected here, because which of the two is wrong needs a person.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import select

from reseller_app.db import reading, session_scope
from reseller_app.models import AuditLog, Client, LedgerEntry

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mismatch:
    """A client whose cached balance is not the sum of its ledger."""

    reseller_id: int
    client_id: int
    balance: Decimal
    ledger: Decimal

    @property
    def difference(self) -> Decimal:
        """Cached balance minus the ledger's sum."""
        return self.balance - self.ledger

    def __str__(self) -> str:
        return (
            f"client {self.client_id} of reseller {self.reseller_id}: balance {self.balance:f} "
            f"but its ledger sums to {self.ledger:f} (difference {self.difference:f})"
        )


def find_mismatches() -> list[Mismatch]:
    """Every client (deleted ones too) whose balance differs from its ledger's sum, in one read-only statement."""
    sums = (
        select(LedgerEntry.client_id, sa.func.sum(LedgerEntry.amount).label("total"))
        .group_by(LedgerEntry.client_id)
        .subquery()
    )
    # Money is stored as integer micro-units, so the comparison in SQL is exact.
    total = sa.func.coalesce(sums.c.total, 0)
    stmt = (
        select(Client.reseller_id, Client.id, Client.balance, total)
        .join(sums, sums.c.client_id == Client.id, isouter=True)
        .where(Client.balance != total)
        .order_by(Client.reseller_id, Client.id)
    )
    with reading(), session_scope() as session:
        rows = session.exec(stmt).all()
    return [Mismatch(rid, cid, balance, _money(raw)) for rid, cid, balance, raw in rows]


def _money(raw: Decimal | int) -> Decimal:
    # The sum of a Money column comes back typed (Decimal) or as raw micro-units, depending on the dialect.
    return raw if isinstance(raw, Decimal) else Decimal(raw).scaleb(-6)


def reconcile() -> list[Mismatch]:
    """Check every client; each difference is logged as an error and audited. Returns the differences."""
    found = find_mismatches()
    if not found:
        log.info("reconcile: every client's balance equals its ledger")
        return found
    with session_scope() as session:
        for m in found:
            log.error("reconcile: %s", m)
            session.add(
                AuditLog(
                    reseller_id=m.reseller_id,
                    actor_role="system",
                    action="balance_mismatch",
                    object_type="client",
                    object_id=m.client_id,
                    detail={"balance": f"{m.balance:f}", "ledger": f"{m.ledger:f}", "difference": f"{m.difference:f}"},
                )
            )
    return found
