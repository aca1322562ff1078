"""Read models for the two home pages: the reseller's overview and the client's dashboard."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from reseller_app.db import read_scope
from reseller_app.models import Cdr, Client, Did, LedgerEntry, Package, Reseller, SubAccount, utcnow
from reseller_app.services.access.actor import Actor, require_client, require_reseller
from reseller_app.services.common import format as fmt
from reseller_app.services.common.lookup import client_of_reseller, own_account, reseller_settings
from reseller_app.services.settings import texts


def _month_start(now: datetime) -> datetime:
    return datetime.combine(now.date().replace(day=1), time(0), tzinfo=now.tzinfo)


def _day_start(now: datetime) -> datetime:
    return datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)


# What the client spends: every charge on its balance (calls, faxes, fees, manual charges), less their reversals.
SPENDING_KINDS = ("call", "fax", "fee", "charge")


def _month_and_today(session: Session, now: datetime, client_id: int) -> tuple[Decimal, int, Decimal, int]:
    """This month's and today's spending (every charge posted) and call counts of a client (today is in the month).

    Two indexed queries: the ledger by (client_id, created_at) for the money, the calls by (client_id, start).
    """
    month_start, day_start = _month_start(now), _day_start(now)
    original = aliased(LedgerEntry)
    spent = case(
        (LedgerEntry.kind.in_(SPENDING_KINDS), -LedgerEntry.amount),
        (original.kind.in_(SPENDING_KINDS), -LedgerEntry.amount),  # a reversal of a charge gives it back
        else_=0,
    )
    month, day = session.exec(
        select(
            func.coalesce(func.sum(spent), 0),
            func.coalesce(func.sum(case((LedgerEntry.created_at >= day_start, spent), else_=0)), 0),
        )
        .select_from(LedgerEntry)
        .join(original, LedgerEntry.reverses_id == original.id, isouter=True)
        .where(LedgerEntry.client_id == client_id, LedgerEntry.created_at >= month_start)
    ).one()
    today = Cdr.start >= day_start
    month_calls, day_calls = session.exec(
        select(func.count(Cdr.id), func.count(case((today, Cdr.id)))).where(
            Cdr.client_id == client_id, Cdr.start >= month_start
        )
    ).one()
    return _money(month), int(month_calls), _money(day), int(day_calls)


def _money(total: Decimal | int) -> Decimal:
    """A SQL sum of a Money column: Decimal when typed through Money, else raw micro-units."""
    return total if isinstance(total, Decimal) else Decimal(total).scaleb(-6)


def _spend(session: Session, since: datetime, **where) -> tuple[Decimal, int]:  # noqa: ANN003
    stmt = select(func.coalesce(func.sum(Cdr.price), 0), func.count(Cdr.id)).where(Cdr.start >= since)
    for col, value in where.items():
        stmt = stmt.where(getattr(Cdr, col) == value)
    total, count = session.exec(stmt).one()
    return _money(total), int(count)


def reseller_overview(actor: Actor) -> dict:
    """Counts and this month's figures for the reseller's home page."""
    require_reseller(actor)
    rid = actor.reseller_id
    now = utcnow()
    with read_scope() as session:
        r = session.get(Reseller, rid)
        by_status = dict(
            session.exec(
                select(Client.status, func.count(Client.id))
                .where(Client.reseller_id == rid, Client.deleted_at.is_(None))
                .group_by(Client.status)
            ).all()
        )
        month = session.exec(
            select(
                func.coalesce(func.sum(Cdr.price), 0),
                func.coalesce(func.sum(Cdr.cost), 0),
                func.count(Cdr.id),
            ).where(Cdr.reseller_id == rid, Cdr.start >= _month_start(now))
        ).one()
        price, cost = (Decimal(v).scaleb(-6) if not isinstance(v, Decimal) else v for v in month[:2])
        owed = session.exec(
            select(func.coalesce(func.sum(Client.balance), 0)).where(Client.reseller_id == rid, Client.balance < 0)
        ).one()
        owed = owed if isinstance(owed, Decimal) else Decimal(owed).scaleb(-6)
        counts = {
            "packages": session.exec(select(func.count(Package.id)).where(Package.reseller_id == rid)).one(),
            "subaccounts": session.exec(select(func.count(SubAccount.id)).where(SubAccount.reseller_id == rid)).one(),
            "dids": session.exec(
                select(func.count(Did.id)).where(Did.reseller_id == rid, Did.client_id.is_not(None))
            ).one(),
        }
    return {
        "reseller_id": r.id,
        "name": r.name or r.email,
        "company": r.company,
        "portal_active": r.portal_active,
        "clients_active": str(by_status.get("ACTIVE", 0)),
        "clients_wait": str(by_status.get("WAIT", 0)),
        "clients_suspended": str(by_status.get("SUSPENDED", 0)),
        "packages": str(counts["packages"]),
        "subaccounts": str(counts["subaccounts"]),
        "dids": str(counts["dids"]),
        "month_calls": str(month[2]),
        "month_revenue": fmt.money(price),
        "month_cost": fmt.money(cost),
        "month_profit": fmt.money(price - cost),
        "month_profit_negative": price - cost < 0,
        "owed": fmt.money(-owed),
    }


def client_summary(actor: Actor, recent: int = 10) -> dict:
    """Balance, this month's and today's spending and the latest calls of the logged-in client."""
    require_client(actor)
    now = utcnow()
    with read_scope() as session:
        c = own_account(session, actor)
        s = reseller_settings(session, actor.reseller_id)
        month, month_calls, today, today_calls = _month_and_today(session, now, c.id)
        rows = session.exec(
            select(Cdr).where(Cdr.client_id == c.id).order_by(Cdr.start.desc(), Cdr.id.desc()).limit(recent)
        ).all()
        calls = [
            {
                "date": fmt.when(r.start, c.timezone),
                "direction": fmt.direction(r.direction),
                "number": fmt.caller(r.callerid) if r.direction == "in" else r.destination,
                "account": r.account,
                "disposition": fmt.disposition(r.disposition),
                "duration": fmt.duration(r.duration),
                "price": fmt.money(r.price, 4),
            }
            for r in rows
        ]
        return {
            "firstname": c.firstname,
            "lastname": c.lastname,
            "company": c.company,
            "status": c.status,
            "balance": fmt.money(c.balance),
            "balance_negative": c.balance < 0,
            "month_spent": fmt.money(month),
            "month_calls": str(month_calls),
            "today_spent": fmt.money(today),
            "today_calls": str(today_calls),
            "welcome_html": texts.text(s, "welcome_html"),  # in the reader's language (or the default one)
            "payment_instructions": texts.text(s, "payment_instructions"),
            "view_setting": s.view_setting,
            "calls": calls,
            "impersonated": actor.impersonated_by is not None,
        }


def recent_window(days: int = 30) -> datetime:
    """The start of a trailing window in days (used by reports and the dashboard)."""
    return utcnow() - timedelta(days=days)


def _usage(session: Session, since: datetime, today: datetime, where: list) -> dict:
    """Spend, calls and talk seconds since `since` and since `today` in one query."""
    is_today = Cdr.start >= today
    spent, calls, secs, spent_d, calls_d, secs_d = session.exec(
        select(
            func.coalesce(func.sum(Cdr.price), 0),
            func.count(Cdr.id),
            func.coalesce(func.sum(Cdr.duration), 0),
            func.coalesce(func.sum(case((is_today, Cdr.price), else_=0)), 0),
            func.count(case((is_today, Cdr.id))),
            func.coalesce(func.sum(case((is_today, Cdr.duration), else_=0)), 0),
        ).where(Cdr.start >= since, *where)
    ).one()
    return {
        "spent_total": _money(spent),
        "calls_total": int(calls),
        "seconds_total": int(secs),
        "spent_today": _money(spent_d),
        "calls_today": int(calls_d),
        "seconds_today": int(secs_d),
    }


def usage(actor: Actor, client_id: int | str | None = None, days: int = 30) -> dict:
    """Balance, and spend, calls and talk time over the last `days` days and today (UTC) of one client or all.

    For all clients, `balance` is the sum of their balances (the portal keeps no prepaid balance of the reseller).
    """
    require_reseller(actor)
    now = utcnow()
    since, today = now - timedelta(days=days), _day_start(now)
    with read_scope() as session:
        if client_id is None:
            balance = session.exec(
                select(func.coalesce(func.sum(Client.balance), 0)).where(Client.reseller_id == actor.reseller_id)
            ).one()
            out = _usage(session, since, today, [Cdr.reseller_id == actor.reseller_id])
            out["balance"] = _money(balance)
            return out
        client = client_of_reseller(session, actor, client_id)
        out = _usage(session, since, today, [Cdr.client_id == client.id])
        out["balance"] = client.balance
        return out
