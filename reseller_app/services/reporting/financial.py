"""The financial report: month by month, revenue from calls, faxes, text messages and fees, credits, deposits and
carrier cost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from reseller_app.db import read_scope
from reseller_app.models import CdrDaily, FaxRecord, LedgerEntry, Message
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common import format as fmt
from reseller_app.services.reporting.filters import ZERO, dec, flag


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
    sms: Decimal = ZERO
    mms: Decimal = ZERO
    fees: Decimal = ZERO
    credits: Decimal = ZERO
    deposits: Decimal = ZERO
    cost: Decimal = ZERO
    message_cost: Decimal = ZERO  # the SMS/MMS part of `cost`

    @property
    def revenue(self) -> Decimal:
        """Calls, faxes, text messages and fees billed, less credits given back."""
        return self.calls + self.faxes + self.sms + self.mms + self.fees + self.credits

    @property
    def profit(self) -> Decimal:
        """Revenue minus the carrier's cost."""
        return self.revenue - self.cost


def financial_figures(actor: Actor, date_from: date, date_to: date) -> list[MonthFigures]:
    """Month by month: revenue from calls, faxes and fees, credits, deposits, carrier cost (exact Decimals).

    Calls, faxes and text messages count in the month they took place; ledger postings (fees, charges, deposits,
    reversals) in the month they were posted. A reversal counts against what it reverses: a reversed payment lowers
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
            months[m].calls += dec(price)
            months[m].cost += dec(cost)
        month = _month_of(session, FaxRecord.start)
        for m, cost, price in session.exec(
            select(month, func.sum(FaxRecord.cost), func.sum(FaxRecord.price))
            .where(FaxRecord.reseller_id == rid, FaxRecord.start >= start, FaxRecord.start < end)
            .group_by(month)
        ).all():
            months[m].faxes += dec(price)
            months[m].cost += dec(cost)
        month = _month_of(session, Message.sent_at)
        for m, kind, cost, price in session.exec(
            select(month, Message.kind, func.sum(Message.cost), func.sum(Message.price))
            .where(Message.reseller_id == rid, Message.sent_at >= start, Message.sent_at < end)
            .group_by(month, Message.kind)
        ).all():
            setattr(months[m], kind, getattr(months[m], kind) + dec(price))
            months[m].cost += dec(cost)
            months[m].message_cost += dec(cost)
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
                months[m].deposits += dec(amount)
            else:
                months[m].fees -= dec(amount)  # charges are negative postings; revenue is their opposite
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
                months[m].deposits += dec(amount)
            elif kind in ("charge", "fee"):
                months[m].fees -= dec(amount)
            else:
                months[m].credits -= dec(amount)
    return list(months.values())


def financial_report(actor: Actor, date_from: date, date_to: date) -> dict:
    """The financial report for the browser: one row per month, the totals, and chart points."""
    figures = financial_figures(actor, date_from, date_to)
    total = MonthFigures("Total")
    for f in figures:
        for attr in ("calls", "faxes", "sms", "mms", "fees", "credits", "deposits", "cost", "message_cost"):
            setattr(total, attr, getattr(total, attr) + getattr(f, attr))

    def shown(f: MonthFigures) -> dict[str, str]:
        return {
            "month": f.month,
            "calls": fmt.money(f.calls),
            "faxes": fmt.money(f.faxes),
            "sms": fmt.money(f.sms),
            "mms": fmt.money(f.mms),
            "message_cost": fmt.money(f.message_cost),
            "fees": fmt.money(f.fees),
            "credits": fmt.money(f.credits),
            "revenue": fmt.money(f.revenue),
            "deposits": fmt.money(f.deposits),
            "cost": fmt.money(f.cost),
            "profit": fmt.money(f.profit),
            "profit_negative": flag(f.profit < 0),
        }

    # The chart takes numbers; these are rounded display values, never used for any sum.
    chart = [
        {
            "month": f.month,
            "revenue": fmt.money(f.revenue, symbol="").replace(",", ""),
            "cost": fmt.money(f.cost, symbol="").replace(",", ""),
            "profit": fmt.money(f.profit, symbol="").replace(",", ""),
            "messages": fmt.money(f.sms + f.mms, symbol="").replace(",", ""),
        }
        for f in figures
    ]
    return {"items": [shown(f) for f in figures], "totals": shown(total), "chart": chart, "raw": figures}
