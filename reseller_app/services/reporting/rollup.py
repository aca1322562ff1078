"""The daily roll-up `cdrdaily`: per reseller, day, direction and disposition, the calls' counts and sums.

Kept in step by `apply_rated` inside the rating transaction, so a report's totals over all clients read a few
thousand roll-up rows a year whatever the number of calls; `rebuild_rollup` recomputes it (a repair tool).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, select

from reseller_app.db import session_scope
from reseller_app.models import Cdr, CdrDaily
from reseller_app.services.reporting.filters import ZERO


def _upsert_daily(session: Session, rows: dict[tuple, list]) -> None:
    """Add deltas to the roll-up rows, inserting missing ones (one statement per row, race-free on both DBs)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = CdrDaily.__table__
    for (reseller_id, day, direction, disposition), (calls, duration, billable, cost, price) in rows.items():
        stmt = insert(table).values(
            reseller_id=reseller_id,
            day=day,
            direction=direction,
            disposition=disposition,
            calls=calls,
            duration=duration,
            billable_seconds=billable,
            cost=cost,
            price=price,
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["reseller_id", "day", "direction", "disposition"],
            set_={
                "calls": table.c.calls + stmt.excluded.calls,
                "duration": table.c.duration + stmt.excluded.duration,
                "billable_seconds": table.c.billable_seconds + stmt.excluded.billable_seconds,
                "cost": table.c.cost + stmt.excluded.cost,
                "price": table.c.price + stmt.excluded.price,
            },
        )
        session.execute(stmt)


def apply_rated(session: Session, cdrs: Iterable[Cdr], sign: int = 1) -> None:
    """Keep the daily roll-up in step with rated calls, inside the rating transaction.

    Call it with the new rows after rating (sign=+1). A re-rating calls it with the old values (sign=-1) and
    then the new ones (sign=+1), in the same transaction as the change.
    """
    deltas: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, ZERO, ZERO])
    for c in cdrs:
        key = (c.reseller_id, c.start.astimezone(UTC).date(), c.direction, c.disposition)
        d = deltas[key]
        d[0] += sign
        d[1] += sign * c.duration
        d[2] += sign * c.billable_seconds
        d[3] += sign * c.cost
        d[4] += sign * c.price
    if deltas:
        _upsert_daily(session, deltas)


def rebuild_rollup(reseller_id: int) -> int:
    """Recompute one reseller's roll-up from its calls (a repair tool); returns the number of roll-up rows."""
    with session_scope() as session:
        day = func.date(Cdr.start) if session.get_bind().dialect.name == "sqlite" else sa.cast(Cdr.start, sa.Date)
        session.execute(sa.delete(CdrDaily.__table__).where(CdrDaily.__table__.c.reseller_id == reseller_id))
        src = (
            select(
                Cdr.reseller_id,
                day,
                Cdr.direction,
                Cdr.disposition,
                func.count(),
                func.sum(Cdr.duration),
                func.sum(Cdr.billable_seconds),
                func.sum(Cdr.cost),
                func.sum(Cdr.price),
            )
            .where(Cdr.reseller_id == reseller_id)
            .group_by(Cdr.reseller_id, day, Cdr.direction, Cdr.disposition)
        )
        t = CdrDaily.__table__
        session.execute(
            t.insert().from_select(
                ["reseller_id", "day", "direction", "disposition", "calls", "duration", "billable_seconds", "cost"]
                + ["price"],
                src,
            )
        )
        return session.exec(select(func.count()).select_from(t).where(t.c.reseller_id == reseller_id)).one()
