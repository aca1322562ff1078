"""The Reports tab: CDR, fax, financial, sub-account and DID reports, aggregated in SQL and paged on the server.

Totals over all clients come from the daily roll-up `cdrdaily` (kept in step by `apply_rated` when calls are
rated); totals for one client or sub-account read that client's calls through the (client_id, start) index.
Nothing here loads a table into memory: pages are LIMITed, exports walk the rows in keyset-ordered chunks.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from reseller_app.db import read_scope, session_scope
from reseller_app.models import (
    Cdr,
    CdrDaily,
    Client,
    Did,
    FaxRecord,
    LedgerEntry,
    Package,
    SubAccount,
    utcnow,
)
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import NotFound, ValidationFailed

ZERO = Decimal(0)
DIRECTIONS = ("in", "out")
DISPOSITIONS = ("ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION")
PAGE_SIZES = (25, 50, 100)
MAX_SPAN_DAYS = 3 * 366
EXPORT_CHUNK = 5000

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
SUB_SORTS = {"account": SubAccount.account, "client": Client.email, "package": Package.name}
DID_SORTS = {"number": Did.number, "client": Client.email, "rate_center": Did.rate_center}


# ---------------------------------------------------------------------------------------------------------------
# Filters


@dataclass(frozen=True)
class Filters:
    """What a report is narrowed to: a period of whole UTC days, and optionally a client, direction, disposition."""

    date_from: date
    date_to: date  # inclusive
    client_id: int | None = None
    sub_account_id: int | None = None
    direction: str = ""
    disposition: str = ""

    @property
    def start(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.date_from, time(0), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.date_to + timedelta(days=1), time(0), tzinfo=UTC)


def default_period(today: date | None = None) -> tuple[date, date]:
    """This month so far: the first of the month to today."""
    today = today or utcnow().date()
    return today.replace(day=1), today


def _parse_date(raw: object, name: str) -> date:
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationFailed({name: "Enter a date as YYYY-MM-DD."}) from None


def _parse_id(raw: object, name: str) -> int | None:
    text = str(raw if raw is not None else "").strip()
    if text in ("", "all", "0"):
        return None
    if not text.isdigit() or len(text) > 12:
        raise ValidationFailed({name: "Choose from the list."})
    return int(text)


def parse_filters(raw: dict) -> Filters:
    """Validate the filters a browser or a URL sent (strings) into a Filters."""
    today = utcnow().date()
    first, _ = default_period(today)
    date_from = _parse_date(raw.get("date_from") or first.isoformat(), "date_from")
    date_to = _parse_date(raw.get("date_to") or today.isoformat(), "date_to")
    if date_to < date_from:
        raise ValidationFailed({"date_to": "The end of the period is before its start."})
    if (date_to - date_from).days > MAX_SPAN_DAYS:
        raise ValidationFailed({"date_to": "Choose a period of at most three years."})
    direction = str(raw.get("direction") or "").strip()
    direction = "" if direction == "all" else direction
    if direction and direction not in DIRECTIONS:
        raise ValidationFailed({"direction": "Choose incoming or outgoing."})
    disposition = str(raw.get("disposition") or "").strip().upper()
    disposition = "" if disposition == "ALL" else disposition
    if disposition and disposition not in DISPOSITIONS:
        raise ValidationFailed({"disposition": "Choose a disposition from the list."})
    return Filters(
        date_from=date_from,
        date_to=date_to,
        client_id=_parse_id(raw.get("client_id"), "client_id"),
        sub_account_id=_parse_id(raw.get("sub_account_id"), "sub_account_id"),
        direction=direction,
        disposition=disposition,
    )


def _check_owned(session: Session, actor: Actor, f: Filters) -> None:
    """Every id in the filters belongs to the caller's reseller (and the sub-account to the chosen client)."""
    if f.client_id is not None:
        client = session.get(Client, f.client_id)
        if client is None or client.reseller_id != actor.reseller_id:
            raise NotFound("No such client.")
    if f.sub_account_id is not None:
        sub = session.get(SubAccount, f.sub_account_id)
        if sub is None or sub.reseller_id != actor.reseller_id:
            raise NotFound("No such sub-account.")
        if f.client_id is not None and sub.client_id != f.client_id:
            raise NotFound("No such sub-account.")


def _paging(page: int, page_size: int) -> tuple[int, int]:
    size = int(page_size) if int(page_size) in PAGE_SIZES else PAGE_SIZES[1]
    return max(1, int(page)), size


def _dec(value: object) -> Decimal:
    """A SQL sum as a Decimal: Money sums come back as Decimal, COALESCE(…, 0) of nothing as the integer 0."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(int(value)).scaleb(-6)


def _pages(total: int, size: int) -> int:
    return max(1, (total + size - 1) // size)


def _name(firstname: str | None, lastname: str | None, email: str | None) -> str:
    if email is None:
        return "(unassigned)"
    return f"{firstname or ''} {lastname or ''}".strip() or email


def _money4(amount: Decimal) -> str:
    return fmt.money(amount, 4)


def _flag(value: bool) -> str:
    return "1" if value else ""


# ---------------------------------------------------------------------------------------------------------------
# Roll-ups


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


# ---------------------------------------------------------------------------------------------------------------
# CDR reports


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
            "cost": _money4(self.cost),
            "price": _money4(self.price),
            "profit": _money4(self.profit),
            "profit_negative": _flag(self.profit < 0),
        }


def _cdr_where(actor: Actor, f: Filters) -> list:
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
        ).where(*_cdr_where(actor, f))
    count, duration, cost, price = session.exec(stmt).one()
    return Totals(int(count), int(duration), _dec(cost), _dec(price))


def _cdr_row(c: Cdr, firstname: str | None, lastname: str | None, email: str | None) -> dict[str, str]:
    return {
        "id": str(c.id),
        "date": fmt.when(c.start),
        "client": _name(firstname, lastname, email),
        "account": c.account,
        "direction": "Incoming" if c.direction == "in" else "Outgoing",
        "callerid": c.callerid,
        "destination": c.destination,
        "disposition": c.disposition,
        "duration": fmt.duration(c.duration),
        "billable": str(c.billable_seconds),
        "cost": _money4(c.cost),
        "price": _money4(c.price),
        "profit": _money4(c.profit),
        "profit_negative": _flag(c.profit < 0),
    }


def _order(columns: dict, key: str, desc: bool, tiebreak: sa.ColumnElement) -> list:
    col = columns.get(key, next(iter(columns.values())))
    return [col.desc(), tiebreak.desc()] if desc else [col.asc(), tiebreak.asc()]


def cdr_report(
    actor: Actor, filters: Filters, sort: str = "start", desc: bool = True, page: int = 1, page_size: int = 50
) -> dict:
    """One page of calls (all clients, or one client or sub-account) with the totals of the whole period."""
    require_reseller(actor)
    page, size = _paging(page, page_size)
    with read_scope() as session:
        _check_owned(session, actor, filters)
        totals = _cdr_totals(session, actor, filters)
        order = _order(CDR_SORTS, sort, desc, Cdr.id)
        where = _cdr_where(actor, filters)
        if sort != "start":
            # No index orders by an amount: sort narrow (value, id) pairs first, then read only this page's rows.
            page_ids = select(Cdr.id).where(*where).order_by(*order).offset((page - 1) * size).limit(size)
            where = [Cdr.id.in_(page_ids.scalar_subquery())]
        stmt = (
            select(Cdr, Client.firstname, Client.lastname, Client.email)
            .join(Client, Client.id == Cdr.client_id, isouter=True)
            .where(*where)
            .order_by(*order)
            .offset((page - 1) * size if sort == "start" else 0)
            .limit(size)
        )
        # Nothing to list (known from the roll-up): skip the walk a rare filter would make through the index.
        rows = [_cdr_row(*r) for r in session.exec(stmt).all()] if totals.count else []
    return {"rows": rows, "totals": totals.shown(), "page": page, "pages": _pages(totals.count, size), "raw": totals}


def _fax_where(actor: Actor, f: Filters) -> list:
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
    page, size = _paging(page, page_size)
    with read_scope() as session:
        _check_owned(session, actor, filters)
        count, pages_sent, cost, price = session.exec(
            select(
                func.count(),
                func.coalesce(func.sum(FaxRecord.pages), 0),
                func.coalesce(func.sum(FaxRecord.cost), 0),
                func.coalesce(func.sum(FaxRecord.price), 0),
            ).where(*_fax_where(actor, filters))
        ).one()
        totals = Totals(int(count), 0, _dec(cost), _dec(price))
        stmt = (
            select(FaxRecord, Client.firstname, Client.lastname, Client.email)
            .join(Client, Client.id == FaxRecord.client_id, isouter=True)
            .where(*_fax_where(actor, filters))
            .order_by(*_order(FAX_SORTS, sort, desc, FaxRecord.id))
            .offset((page - 1) * size)
            .limit(size)
        )
        rows = [_fax_row(*r) for r in session.exec(stmt).all()]
    shown = totals.shown()
    shown["pages"] = f"{int(pages_sent):,}"
    return {"rows": rows, "totals": shown, "page": page, "pages": _pages(totals.count, size), "raw": totals}


def _fax_row(x: FaxRecord, firstname: str | None, lastname: str | None, email: str | None) -> dict[str, str]:
    return {
        "id": str(x.id),
        "date": fmt.when(x.start),
        "client": _name(firstname, lastname, email),
        "direction": "Received" if x.direction == "in" else "Sent",
        "remote_number": x.remote_number,
        "pages": str(x.pages),
        "status": x.status,
        "cost": _money4(x.cost),
        "price": _money4(x.price),
        "profit": _money4(x.profit),
        "profit_negative": _flag(x.profit < 0),
    }


# ---------------------------------------------------------------------------------------------------------------
# Financial report


def _month_of(session: Session, col: sa.ColumnElement) -> sa.ColumnElement:
    if session.get_bind().dialect.name == "sqlite":
        # Dates and datetimes are ISO text on SQLite; cutting the text is far cheaper than strftime per row.
        return func.substr(col, 1, 7)
    return func.to_char(col, "YYYY-MM")


def _months(first: date, last: date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class MonthFigures:
    """One month of the financial report (all amounts Decimal)."""

    month: str
    calls: Decimal = ZERO
    faxes: Decimal = ZERO
    fees: Decimal = ZERO
    credits: Decimal = ZERO
    deposits: Decimal = ZERO
    cost: Decimal = ZERO

    @property
    def revenue(self) -> Decimal:
        """Calls, faxes and fees billed, less credits given back."""
        return self.calls + self.faxes + self.fees + self.credits

    @property
    def profit(self) -> Decimal:
        """Revenue minus the carrier's cost."""
        return self.revenue - self.cost


def financial_figures(actor: Actor, date_from: date, date_to: date) -> list[MonthFigures]:
    """Month by month: revenue from calls, faxes and fees, credits, deposits, carrier cost (exact Decimals).

    Calls and faxes count in the month they took place; ledger postings (fees, charges, deposits, reversals)
    in the month they were posted. A reversal counts against what it reverses: a reversed payment lowers
    deposits, a reversed fee or charge lowers fees, a reversed call or fax posting is a credit.
    """
    require_reseller(actor)
    rid = actor.reseller_id
    start = datetime.combine(date_from, time(0), tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=UTC)
    months = {m: MonthFigures(m) for m in _months(date_from, date_to)}
    with read_scope() as session:
        month = _month_of(session, CdrDaily.day)
        for m, cost, price in session.exec(
            select(month, func.sum(CdrDaily.cost), func.sum(CdrDaily.price))
            .where(CdrDaily.reseller_id == rid, CdrDaily.day >= date_from, CdrDaily.day <= date_to)
            .group_by(month)
        ).all():
            months[m].calls += _dec(price)
            months[m].cost += _dec(cost)
        month = _month_of(session, FaxRecord.start)
        for m, cost, price in session.exec(
            select(month, func.sum(FaxRecord.cost), func.sum(FaxRecord.price))
            .where(FaxRecord.reseller_id == rid, FaxRecord.start >= start, FaxRecord.start < end)
            .group_by(month)
        ).all():
            months[m].faxes += _dec(price)
            months[m].cost += _dec(cost)
        month = _month_of(session, LedgerEntry.created_at)
        for m, kind, amount in session.exec(
            select(month, LedgerEntry.kind, func.sum(LedgerEntry.amount))
            .where(
                LedgerEntry.reseller_id == rid,
                LedgerEntry.kind.in_(("payment", "charge", "fee")),
                LedgerEntry.created_at >= start,
                LedgerEntry.created_at < end,
            )
            .group_by(month, LedgerEntry.kind)
        ).all():
            if kind == "payment":
                months[m].deposits += _dec(amount)
            else:
                months[m].fees -= _dec(amount)  # charges are negative postings; revenue is their opposite
        original = aliased(LedgerEntry)
        month = _month_of(session, LedgerEntry.created_at)
        for m, kind, amount in session.exec(
            select(month, original.kind, func.sum(LedgerEntry.amount))
            .join(original, original.id == LedgerEntry.reverses_id)
            .where(
                LedgerEntry.reseller_id == rid,
                LedgerEntry.kind == "reversal",
                LedgerEntry.created_at >= start,
                LedgerEntry.created_at < end,
            )
            .group_by(month, original.kind)
        ).all():
            if kind == "payment":
                months[m].deposits += _dec(amount)
            elif kind in ("charge", "fee"):
                months[m].fees -= _dec(amount)
            else:
                months[m].credits -= _dec(amount)
    return list(months.values())


def financial_report(actor: Actor, date_from: date, date_to: date) -> dict:
    """The financial report for the browser: one row per month, the totals, and chart points."""
    figures = financial_figures(actor, date_from, date_to)
    total = MonthFigures("Total")
    for f in figures:
        for attr in ("calls", "faxes", "fees", "credits", "deposits", "cost"):
            setattr(total, attr, getattr(total, attr) + getattr(f, attr))

    def shown(f: MonthFigures) -> dict[str, str]:
        return {
            "month": f.month,
            "calls": fmt.money(f.calls),
            "faxes": fmt.money(f.faxes),
            "fees": fmt.money(f.fees),
            "credits": fmt.money(f.credits),
            "revenue": fmt.money(f.revenue),
            "deposits": fmt.money(f.deposits),
            "cost": fmt.money(f.cost),
            "profit": fmt.money(f.profit),
            "profit_negative": _flag(f.profit < 0),
        }

    # The chart takes numbers; these are rounded display values, never used for any sum.
    chart = [
        {
            "month": f.month,
            "revenue": fmt.money(f.revenue, symbol="").replace(",", ""),
            "cost": fmt.money(f.cost, symbol="").replace(",", ""),
            "profit": fmt.money(f.profit, symbol="").replace(",", ""),
        }
        for f in figures
    ]
    return {"rows": [shown(f) for f in figures], "totals": shown(total), "chart": chart, "raw": figures}


# ---------------------------------------------------------------------------------------------------------------
# Sub-accounts and DIDs


def _sub_stmt(actor: Actor, client_id: int | None):  # noqa: ANN202
    stmt = (
        select(SubAccount, Client.firstname, Client.lastname, Client.email, Package.name)
        .join(Client, Client.id == SubAccount.client_id, isouter=True)
        .join(Package, Package.id == SubAccount.package_id, isouter=True)
        .where(SubAccount.reseller_id == actor.reseller_id)
    )
    if client_id is not None:
        stmt = stmt.where(SubAccount.client_id == client_id)
    return stmt


def _dids_of(session: Session, sub_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if sub_ids:
        for sid, number in session.exec(
            select(Did.sub_account_id, Did.number).where(Did.sub_account_id.in_(sub_ids)).order_by(Did.number)
        ).all():
            out[sid].append(number)
    return out


def _sub_row(sub: SubAccount, first: str | None, last: str | None, email: str | None, pkg: str | None, dids) -> dict:  # noqa: ANN001
    return {
        "id": str(sub.id),
        "account": sub.account,
        "description": sub.description,
        "client": _name(first, last, email),
        "email": email or "",
        "package": pkg or "(no package)",
        "dids": ", ".join(dids) or "—",
        "status": "Blocked" if sub.blocked else "Active",
    }


def _check_client(session: Session, actor: Actor, client_id: int | None) -> None:
    _check_owned(session, actor, Filters(date.min, date.min, client_id=client_id))


def subaccount_report(
    actor: Actor, client_id: int | None = None, sort: str = "account", desc: bool = False, page: int = 1,
    page_size: int = 50,
) -> dict:  # fmt: skip
    """One page of sub-accounts with their client, package and DIDs; totals of the whole list."""
    require_reseller(actor)
    page, size = _paging(page, page_size)
    with read_scope() as session:
        _check_client(session, actor, client_id)
        base = _sub_stmt(actor, client_id)
        count = session.exec(select(func.count()).select_from(base.subquery())).one()
        did_count = session.exec(
            select(func.count(Did.id))
            .join(SubAccount, SubAccount.id == Did.sub_account_id)
            .where(
                SubAccount.reseller_id == actor.reseller_id,
                *([SubAccount.client_id == client_id] if client_id is not None else []),
            )
        ).one()
        page_rows = session.exec(
            base.order_by(*_order(SUB_SORTS, sort, desc, SubAccount.id)).offset((page - 1) * size).limit(size)
        ).all()
        dids = _dids_of(session, [r[0].id for r in page_rows])
        rows = [_sub_row(*r, dids.get(r[0].id, [])) for r in page_rows]
    return {
        "rows": rows,
        "totals": {"count": f"{count:,}", "dids": f"{did_count:,}"},
        "page": page,
        "pages": _pages(count, size),
    }


def _did_stmt(actor: Actor, client_id: int | None):  # noqa: ANN202
    stmt = (
        select(Did, Client.firstname, Client.lastname, Client.email, SubAccount.account, Package.name)
        .join(Client, Client.id == Did.client_id)
        .join(SubAccount, SubAccount.id == Did.sub_account_id, isouter=True)
        .join(Package, Package.id == SubAccount.package_id, isouter=True)
        .where(Did.reseller_id == actor.reseller_id, Did.client_id.is_not(None))
    )
    if client_id is not None:
        stmt = stmt.where(Did.client_id == client_id)
    return stmt


def _did_row(d: Did, first: str | None, last: str | None, email: str | None, account: str | None, pkg) -> dict:  # noqa: ANN001
    return {
        "id": str(d.id),
        "number": d.number,
        "kind": "Fax" if d.kind == "fax" else "Voice",
        "client": _name(first, last, email),
        "account": account or "—",
        "package": pkg or "(no package)",
        "rate_center": f"{d.rate_center}, {d.region}".strip(", ") or "—",
        "monthly_fee": fmt.money(d.monthly_fee, 4),
        "per_minute": fmt.rate(d.per_minute),
    }


def did_report(
    actor: Actor, client_id: int | None = None, sort: str = "number", desc: bool = False, page: int = 1,
    page_size: int = 50,
) -> dict:  # fmt: skip
    """One page of the DIDs connected to clients, with package, sub-account and rate centre; totals of all."""
    require_reseller(actor)
    page, size = _paging(page, page_size)
    with read_scope() as session:
        _check_client(session, actor, client_id)
        base = _did_stmt(actor, client_id)
        sub = base.subquery()
        count, monthly = session.exec(
            select(func.count(), func.coalesce(func.sum(sub.c.monthly_fee), 0)).select_from(sub)
        ).one()
        rows = [
            _did_row(*r)
            for r in session.exec(
                base.order_by(*_order(DID_SORTS, sort, desc, Did.id)).offset((page - 1) * size).limit(size)
            ).all()
        ]
    return {
        "rows": rows,
        "totals": {"count": f"{count:,}", "monthly_fee": fmt.money(_dec(monthly), 4)},
        "page": page,
        "pages": _pages(count, size),
    }


def client_choices(actor: Actor) -> list[dict[str, str]]:
    """The reseller's clients for the filter menus (id and label)."""
    require_reseller(actor)
    with read_scope() as session:
        rows = session.exec(
            select(Client.id, Client.firstname, Client.lastname, Client.email)
            .where(Client.reseller_id == actor.reseller_id, Client.deleted_at.is_(None))
            .order_by(Client.email)
            .limit(2000)
        ).all()
    return [{"id": str(i), "label": f"{_name(f, ln, e)} <{e}>"} for i, f, ln, e in rows]


def subaccount_choices(actor: Actor, client_id: int) -> list[dict[str, str]]:
    """One client's sub-accounts for the per-user CDR filter (the client must be the reseller's)."""
    require_reseller(actor)
    with read_scope() as session:
        _check_client(session, actor, client_id)
        rows = session.exec(
            select(SubAccount.id, SubAccount.account)
            .where(SubAccount.reseller_id == actor.reseller_id, SubAccount.client_id == client_id)
            .order_by(SubAccount.account)
        ).all()
    return [{"id": str(i), "label": a} for i, a in rows]


# ---------------------------------------------------------------------------------------------------------------
# CSV export

REPORTS = ("cdr", "fax", "financial", "subaccounts", "dids")
CDR_HEADER = [
    "date_utc", "client", "account", "direction", "callerid", "destination", "disposition",
    "duration_s", "billable_s", "cost", "price", "profit",
]  # fmt: skip
FAX_HEADER = ["date_utc", "client", "direction", "remote_number", "pages", "status", "cost", "price", "profit"]
FIN_HEADER = ["month", "calls", "faxes", "fees", "credits", "revenue", "deposits", "cost", "profit"]
SUB_HEADER = ["account", "description", "client", "email", "package", "dids", "status"]
DID_HEADER = ["number", "kind", "client", "sub_account", "package", "rate_center", "monthly_fee", "per_minute"]


def _plain(amount: Decimal, places: int = 4) -> str:
    return f"{amount.quantize(Decimal(1).scaleb(-places)):f}"


@dataclass
class Export:
    """A CSV export ready to stream: its file name, its row count (for progress) and its lines."""

    filename: str
    rows: int
    lines: Iterator[str]


def _csv_line(values: list) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerow(values)
    return buf.getvalue()


def _keyset_chunks(stmt, start_col, id_col) -> Iterator[list]:  # noqa: ANN001
    """Walk a column query whose first two columns are (start, id) in that order, one short transaction per chunk.

    Plain column rows (no ORM objects) and a bounded chunk keep memory flat and the export fast.
    """
    last: tuple | None = None
    while True:
        q = stmt
        if last is not None:
            # The leading `start >=` bound lets the (…, start) index seek to the next chunk.
            q = q.where(start_col >= last[0], sa.or_(start_col > last[0], id_col > last[1]))
        with read_scope() as session:
            chunk = session.exec(q.order_by(start_col, id_col).limit(EXPORT_CHUNK)).all()
        if not chunk:
            return
        yield chunk
        last = (chunk[-1][0], chunk[-1][1])


def _when_csv(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M:%S")


def export_report(actor: Actor, kind: str, raw: dict) -> Export:
    """Check the caller and the filters now, then return a lazy CSV of the whole report (every row)."""
    require_reseller(actor)
    if kind not in REPORTS:
        raise NotFound("No such report.")
    f = parse_filters(raw)
    with read_scope() as session:
        _check_owned(session, actor, f)
    stamp = f"{f.date_from.isoformat()}_{f.date_to.isoformat()}"
    if kind == "cdr":
        total = cdr_report(actor, f, page_size=25)["raw"].count
        stmt = (
            select(
                Cdr.start, Cdr.id, Client.firstname, Client.lastname, Client.email, Cdr.account, Cdr.direction,
                Cdr.callerid, Cdr.destination, Cdr.disposition, Cdr.duration, Cdr.billable_seconds, Cdr.cost,
                Cdr.price, Cdr.profit,
            )
            .join(Client, Client.id == Cdr.client_id, isouter=True)
            .where(*_cdr_where(actor, f))
        )  # fmt: skip

        def cdr_lines() -> Iterator[str]:
            yield _csv_line(CDR_HEADER)
            for chunk in _keyset_chunks(stmt, Cdr.start, Cdr.id):
                out = io.StringIO()
                w = csv.writer(out)
                for start, _id, first, last, email, acct, dirn, cid, dest, disp, dur, bill, cost, price, prof in chunk:
                    w.writerow([
                        _when_csv(start), _name(first, last, email), acct, dirn, cid, dest, disp, dur, bill,
                        _plain(cost), _plain(price), _plain(prof),
                    ])  # fmt: skip
                yield out.getvalue()

        return Export(f"cdr_{stamp}.csv", total, cdr_lines())
    if kind == "fax":
        total = fax_report(actor, f, page_size=25)["raw"].count
        stmt = (
            select(
                FaxRecord.start, FaxRecord.id, Client.firstname, Client.lastname, Client.email, FaxRecord.direction,
                FaxRecord.remote_number, FaxRecord.pages, FaxRecord.status, FaxRecord.cost, FaxRecord.price,
                FaxRecord.profit,
            )
            .join(Client, Client.id == FaxRecord.client_id, isouter=True)
            .where(*_fax_where(actor, f))
        )  # fmt: skip

        def fax_lines() -> Iterator[str]:
            yield _csv_line(FAX_HEADER)
            for chunk in _keyset_chunks(stmt, FaxRecord.start, FaxRecord.id):
                out = io.StringIO()
                w = csv.writer(out)
                for start, _id, first, last, email, dirn, remote, pages, status, cost, price, prof in chunk:
                    w.writerow([
                        _when_csv(start), _name(first, last, email), dirn, remote, pages, status,
                        _plain(cost), _plain(price), _plain(prof),
                    ])  # fmt: skip
                yield out.getvalue()

        return Export(f"fax_{stamp}.csv", total, fax_lines())
    if kind == "financial":
        figures = financial_figures(actor, f.date_from, f.date_to)

        def fin_lines() -> Iterator[str]:
            yield _csv_line(FIN_HEADER)
            for m in figures:
                yield _csv_line(
                    [m.month]
                    + [_plain(v) for v in (m.calls, m.faxes, m.fees, m.credits, m.revenue, m.deposits, m.cost)]
                    + [_plain(m.profit)]
                )

        return Export(f"financial_{stamp}.csv", len(figures), fin_lines())
    return _export_list(actor, kind, f.client_id)


def _export_list(actor: Actor, kind: str, client_id: int | None) -> Export:
    if kind == "subaccounts":
        total = int(subaccount_report(actor, client_id, page_size=25)["totals"]["count"].replace(",", ""))
        stmt = _sub_stmt(actor, client_id)

        def sub_lines() -> Iterator[str]:
            yield _csv_line(SUB_HEADER)
            last = 0
            while True:
                with read_scope() as session:
                    chunk = session.exec(
                        stmt.where(SubAccount.id > last).order_by(SubAccount.id).limit(EXPORT_CHUNK)
                    ).all()
                    dids = _dids_of(session, [r[0].id for r in chunk])
                if not chunk:
                    return
                last = chunk[-1][0].id
                for r in chunk:
                    row = _sub_row(*r, dids.get(r[0].id, []))
                    yield _csv_line([row[k] for k in ("account", "description", "client", "email", "package")] +
                                    [" ".join(dids.get(r[0].id, [])), row["status"]])  # fmt: skip

        return Export("subaccounts.csv", total, sub_lines())
    total = int(did_report(actor, client_id, page_size=25)["totals"]["count"].replace(",", ""))
    stmt = _did_stmt(actor, client_id)

    def did_lines() -> Iterator[str]:
        yield _csv_line(DID_HEADER)
        last = 0
        while True:
            with read_scope() as session:
                chunk = session.exec(stmt.where(Did.id > last).order_by(Did.id).limit(EXPORT_CHUNK)).all()
            if not chunk:
                return
            last = chunk[-1][0].id
            for d, _first, _last, _email, account, pkg in chunk:
                row = _did_row(d, _first, _last, _email, account, pkg)
                yield _csv_line([
                    d.number, d.kind, row["client"], account or "", pkg or "", row["rate_center"],
                    _plain(d.monthly_fee), _plain(d.per_minute, 6),
                ])  # fmt: skip

    return Export("dids.csv", total, did_lines())
