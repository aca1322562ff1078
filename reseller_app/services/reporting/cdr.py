"""The CDR and fax reports: one page of calls or faxes (all clients, one client, one sub-account) with the totals of
the whole period. Totals over all clients come from the daily roll-up (see `rollup`); those of one client or
sub-account read its calls through the (client_id, start) index.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, select

from reseller_app.db import read_scope
from reseller_app.models import Cdr, CdrDaily, Client, FaxRecord
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common import format as fmt
from reseller_app.services.common.paging import window
from reseller_app.services.reporting.filters import (
    ZERO,
    Filters,
    check_owned,
    client_name,
    dec,
    flag,
    money4,
    order_by,
    report_page_size,
)

CDR_SORTS = {
    "start": Cdr.start,
    "duration": Cdr.duration,
    "destination": Cdr.destination,
    "cost": Cdr.cost,
    "price": Cdr.price,
    "profit": Cdr.profit,
}
FAX_SORTS = {
    "start": FaxRecord.start,
    "pages": FaxRecord.pages,
    "cost": FaxRecord.cost,
    "price": FaxRecord.price,
    "profit": FaxRecord.profit,
}


@dataclass
class Totals:
    """Sums of a set of calls or faxes."""

    count: int = 0
    duration: int = 0
    cost: Decimal = ZERO
    price: Decimal = ZERO

    @property
    def profit(self) -> Decimal:
        """Selling price minus cost."""
        return self.price - self.cost

    def shown(self) -> dict[str, str]:
        """The totals as the browser shows them."""
        return {
            "count": f"{self.count:,}",
            "duration": fmt.duration(self.duration),
            "cost": money4(self.cost),
            "price": money4(self.price),
            "profit": money4(self.profit),
            "profit_negative": flag(self.profit < 0),
        }


def cdr_where(actor: Actor, f: Filters) -> list:
    cond = [Cdr.reseller_id == actor.reseller_id, Cdr.start >= f.start, Cdr.start < f.end]
    if f.client_id is not None:
        cond.append(Cdr.client_id == f.client_id)
    if f.sub_account_id is not None:
        cond.append(Cdr.sub_account_id == f.sub_account_id)
    if f.direction:
        cond.append(Cdr.direction == f.direction)
    if f.disposition:
        cond.append(Cdr.disposition == f.disposition)
    return cond


def _cdr_totals(session: Session, actor: Actor, f: Filters) -> Totals:
    if f.client_id is None and f.sub_account_id is None:
        # All clients: a year is a few thousand roll-up rows, whatever the number of calls.
        t = CdrDaily
        stmt = select(
            func.coalesce(func.sum(t.calls), 0),
            func.coalesce(func.sum(t.duration), 0),
            func.coalesce(func.sum(t.cost), 0),
            func.coalesce(func.sum(t.price), 0),
        ).where(t.reseller_id == actor.reseller_id, t.day >= f.date_from, t.day <= f.date_to)
        if f.direction:
            stmt = stmt.where(t.direction == f.direction)
        if f.disposition:
            stmt = stmt.where(t.disposition == f.disposition)
    else:
        stmt = select(
            func.count(),
            func.coalesce(func.sum(Cdr.duration), 0),
            func.coalesce(func.sum(Cdr.cost), 0),
            func.coalesce(func.sum(Cdr.price), 0),
        ).where(*cdr_where(actor, f))
    count, duration, cost, price = session.exec(stmt).one()
    return Totals(int(count), int(duration), dec(cost), dec(price))


def _cdr_row(c: Cdr, firstname: str | None, lastname: str | None, email: str | None) -> dict[str, str]:
    return {
        "id": str(c.id),
        "date": fmt.when(c.start),
        "client": client_name(firstname, lastname, email),
        "account": c.account,
        "direction": "Incoming" if c.direction == "in" else "Outgoing",
        "callerid": c.callerid,
        "destination": c.destination,
        "disposition": c.disposition,
        "duration": fmt.duration(c.duration),
        "billable": str(c.billable_seconds),
        "cost": money4(c.cost),
        "price": money4(c.price),
        "profit": money4(c.profit),
        "profit_negative": flag(c.profit < 0),
    }


def cdr_report(
    actor: Actor, filters: Filters, sort: str = "start", desc: bool = True, page: int = 1, page_size: int = 50
) -> dict:
    """One page of calls (all clients, or one client or sub-account) with the totals of the whole period."""
    require_reseller(actor)
    with read_scope() as session:
        check_owned(session, actor, filters)
        totals = _cdr_totals(session, actor, filters)
        w = window(totals.count, page, report_page_size(page_size))
        order = order_by(CDR_SORTS, sort, desc, Cdr.id)
        where = cdr_where(actor, filters)
        if sort != "start":
            # No index orders by an amount: sort narrow (value, id) pairs first, then read only this page's rows.
            page_ids = w.rows(select(Cdr.id).where(*where).order_by(*order))
            where = [Cdr.id.in_(page_ids.scalar_subquery())]
        stmt = (
            select(Cdr, Client.firstname, Client.lastname, Client.email)
            .join(Client, Client.id == Cdr.client_id, isouter=True)
            .where(*where)
            .order_by(*order)
        )
        stmt = w.rows(stmt) if sort == "start" else stmt.limit(w.size)
        # Nothing to list (known from the roll-up): skip the walk a rare filter would make through the index.
        rows = [_cdr_row(*r) for r in session.exec(stmt).all()] if totals.count else []
    return {**w.page_of(rows).as_dict(), "totals": totals.shown(), "raw": totals}


def fax_where(actor: Actor, f: Filters) -> list:
    cond = [FaxRecord.reseller_id == actor.reseller_id, FaxRecord.start >= f.start, FaxRecord.start < f.end]
    if f.client_id is not None:
        cond.append(FaxRecord.client_id == f.client_id)
    if f.direction:
        cond.append(FaxRecord.direction == f.direction)
    return cond


def fax_report(
    actor: Actor, filters: Filters, sort: str = "start", desc: bool = True, page: int = 1, page_size: int = 50
) -> dict:
    """One page of faxes (of one client, or all) with the totals of the whole period."""
    require_reseller(actor)
    with read_scope() as session:
        check_owned(session, actor, filters)
        count, pages_sent, cost, price = session.exec(
            select(
                func.count(),
                func.coalesce(func.sum(FaxRecord.pages), 0),
                func.coalesce(func.sum(FaxRecord.cost), 0),
                func.coalesce(func.sum(FaxRecord.price), 0),
            ).where(*fax_where(actor, filters))
        ).one()
        totals = Totals(int(count), 0, dec(cost), dec(price))
        w = window(totals.count, page, report_page_size(page_size))
        stmt = (
            select(FaxRecord, Client.firstname, Client.lastname, Client.email)
            .join(Client, Client.id == FaxRecord.client_id, isouter=True)
            .where(*fax_where(actor, filters))
            .order_by(*order_by(FAX_SORTS, sort, desc, FaxRecord.id))
        )
        rows = [_fax_row(*r) for r in session.exec(w.rows(stmt)).all()]
    shown = totals.shown()
    shown["pages"] = f"{int(pages_sent):,}"
    return {**w.page_of(rows).as_dict(), "totals": shown, "raw": totals}


def _fax_row(x: FaxRecord, firstname: str | None, lastname: str | None, email: str | None) -> dict[str, str]:
    return {
        "id": str(x.id),
        "date": fmt.when(x.start),
        "client": client_name(firstname, lastname, email),
        "direction": "Received" if x.direction == "in" else "Sent",
        "remote_number": x.remote_number,
        "pages": str(x.pages),
        "status": x.status,
        "cost": money4(x.cost),
        "price": money4(x.price),
        "profit": money4(x.profit),
        "profit_negative": flag(x.profit < 0),
    }
