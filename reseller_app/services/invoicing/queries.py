"""Reading invoices: the reseller's list (filters, pages, CSV), a client's invoices, statements of account and the
taxes collected per tax per month (the financial report's taxes table)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, select

from reseller_app.billing.money import fmt_money
from reseller_app.db import session_scope
from reseller_app.i18n import _
from reseller_app.models import Client, Invoice, InvoiceTax, LedgerEntry, Reseller
from reseller_app.services.access.actor import Actor, require_client, require_reseller
from reseller_app.services.common import descriptions
from reseller_app.services.common import format as fmt
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.common.lookup import client_of_reseller

PAGE_SIZE = 25
KINDS = {"": "All", "invoice": "Invoices", "credit_note": "Credit notes"}
CSV_HEADER = [
    "number",
    "kind",
    "issued_on",
    "due_on",
    "period_start",
    "period_end",
    "client_id",
    "client",
    "currency",
    "subtotal",
    "tax_total",
    "total",
    "credit_of",
]
TAX_CSV_HEADER = ["month", "tax", "rate", "base", "amount", "currency"]
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): such text gets a quote.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Filters:
    """The list's filters, parsed."""

    client_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    kind: str = ""
    number: str = ""


def _date(text: str, field: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed({field: _("Use a date like 2026-12-31.")}) from None


def parse_filters(session: Session, actor: Actor, raw: dict[str, str]) -> Filters:
    """Filters from the page or the CSV URL; a client of another reseller is NotFound."""
    client_id = None
    if str(raw.get("client_id", "") or "").strip():
        client_id = client_of_reseller(session, actor, str(raw["client_id"]).strip()).id
    kind = str(raw.get("kind", "") or "")
    if kind not in KINDS:
        raise ValidationFailed({"kind": "Choose invoices or credit notes."})
    f = Filters(
        client_id,
        _date(str(raw.get("date_from", "") or ""), "date_from"),
        _date(str(raw.get("date_to", "") or ""), "date_to"),
        kind,
        str(raw.get("number", "") or "").strip()[:40],
    )
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise ValidationFailed({"date_to": "The end is before the start."})
    return f


def _where(stmt, actor: Actor, f: Filters):  # noqa: ANN001, ANN202 - a Select of any columns
    stmt = stmt.where(Invoice.reseller_id == actor.reseller_id)
    if f.client_id is not None:
        stmt = stmt.where(Invoice.client_id == f.client_id)
    if f.date_from is not None:
        stmt = stmt.where(Invoice.issued_on >= f.date_from)
    if f.date_to is not None:
        stmt = stmt.where(Invoice.issued_on <= f.date_to)
    if f.kind:
        stmt = stmt.where(Invoice.kind == f.kind)
    if f.number:
        stmt = stmt.where(Invoice.number.contains(f.number))
    return stmt


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Client).where(Client.id.in_(ids))).all()
    return {c.id: (c.company or f"{c.firstname} {c.lastname}").strip() or c.email for c in rows}


def _row(inv: Invoice, name: str, credit_of: str) -> dict[str, str]:
    cur = inv.currency
    return {
        "id": str(inv.id),
        "number": inv.number,
        "kind": _("Credit note") if inv.kind == "credit_note" else _("Invoice"),
        "issued_on": inv.issued_on.isoformat(),
        "due_on": inv.due_on.isoformat(),
        "period": _("{start} to {end}").format(start=inv.period_start.isoformat(), end=inv.period_end.isoformat()),
        "client_id": str(inv.client_id),
        "client": name,
        "subtotal": fmt.money(inv.subtotal, currency=cur),
        "tax_total": fmt.money(inv.tax_total, currency=cur),
        "total": fmt.money(inv.total, currency=cur),
        "credit_of": credit_of,
    }


def list_invoices(actor: Actor, raw: dict[str, str], page: int = 1) -> dict:
    """A page of the reseller's invoices and credit notes, newest first, with the filters' totals."""
    require_reseller(actor)
    with session_scope() as session:
        f = parse_filters(session, actor, raw)
        count, total, taxes = session.exec(
            _where(
                select(
                    func.count(),
                    func.coalesce(func.sum(Invoice.total), 0),
                    func.coalesce(func.sum(Invoice.tax_total), 0),
                ),
                actor,
                f,
            )
        ).one()
        pages = max(1, -(-int(count) // PAGE_SIZE))
        page = max(1, min(int(page), pages))
        rows = session.exec(
            _where(select(Invoice), actor, f)
            .order_by(Invoice.issued_on.desc(), Invoice.seq.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        ).all()
        names = _names(session, {r.client_id for r in rows})
        credited = _numbers(session, {r.credit_of_id for r in rows if r.credit_of_id})
        reseller = session.get(Reseller, actor.reseller_id)
        cur = reseller.currency if reseller else None
        return {
            "items": [_row(r, names.get(r.client_id, ""), credited.get(r.credit_of_id or 0, "")) for r in rows],
            "page": page,
            "pages": pages,
            "count": int(count),
            "total": fmt.money(_micro(total), currency=cur),
            "tax_total": fmt.money(_micro(taxes), currency=cur),
        }


def _micro(value: object) -> Decimal:
    # SUM over a Money column comes back as integer micro-units.
    return Decimal(int(value or 0)).scaleb(-6) if not isinstance(value, Decimal) else value


def _numbers(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(Invoice.id, Invoice.number).where(Invoice.id.in_(ids))).all())


def client_choices(actor: Actor) -> list[dict[str, str]]:
    """The reseller's clients that have invoices, for the list's client filter."""
    require_reseller(actor)
    with session_scope() as session:
        ids = set(session.exec(select(Invoice.client_id).where(Invoice.reseller_id == actor.reseller_id).distinct()))
        names = _names(session, ids)
    return [{"id": str(i), "name": f"{names[i]} (#{i})"} for i in sorted(names, key=lambda i: names[i].casefold())]


def client_invoices(actor: Actor) -> list[dict[str, str]]:
    """The signed-in client's invoices and credit notes, newest first."""
    require_client(actor)
    with session_scope() as session:
        rows = session.exec(
            select(Invoice)
            .where(Invoice.reseller_id == actor.reseller_id, Invoice.client_id == actor.client_id)
            .order_by(Invoice.issued_on.desc(), Invoice.seq.desc())
            .limit(500)
        ).all()
        credited = _numbers(session, {r.credit_of_id for r in rows if r.credit_of_id})
        return [_row(r, "", credited.get(r.credit_of_id or 0, "")) for r in rows]


def invoices_of_client(actor: Actor, client_id: int | str) -> list[dict[str, str]]:
    """One client's invoices for its Manage page (the reseller's)."""
    require_reseller(actor)
    with session_scope() as session:
        client = client_of_reseller(session, actor, client_id)
        rows = session.exec(
            select(Invoice)
            .where(Invoice.reseller_id == actor.reseller_id, Invoice.client_id == client.id)
            .order_by(Invoice.issued_on.desc(), Invoice.seq.desc())
            .limit(100)
        ).all()
        credited = _numbers(session, {r.credit_of_id for r in rows if r.credit_of_id})
        return [_row(r, "", credited.get(r.credit_of_id or 0, "")) for r in rows]


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) and not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        Decimal(value)
    except ArithmeticError:
        return False
    return True


def _csv_lines(header: list[str], rows: Iterator[list[str]]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for n, row in enumerate(rows, 1):
        writer.writerow([_cell(v) for v in row])
        if n % 500 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


@dataclass
class Export:
    """A CSV to stream: its file name, row count and lines."""

    filename: str
    rows: int
    lines: Iterator[str]


def export_invoices(actor: Actor, raw: dict[str, str]) -> Export:
    """The list's rows for these filters as CSV (exact amounts, no currency signs; a currency column)."""
    require_reseller(actor)
    with session_scope() as session:
        f = parse_filters(session, actor, raw)
        rows = session.exec(_where(select(Invoice), actor, f).order_by(Invoice.seq)).all()
        names = _names(session, {r.client_id for r in rows})
        credited = _numbers(session, {r.credit_of_id for r in rows if r.credit_of_id})
        data = [
            [
                r.number,
                r.kind,
                r.issued_on.isoformat(),
                r.due_on.isoformat(),
                r.period_start.isoformat(),
                r.period_end.isoformat(),
                str(r.client_id),
                names.get(r.client_id, ""),
                r.currency,
                fmt_money(r.subtotal, 4),
                fmt_money(r.tax_total, 2),
                fmt_money(r.total, 4),
                credited.get(r.credit_of_id or 0, ""),
            ]
            for r in rows
        ]
    return Export("invoices.csv", len(data), _csv_lines(CSV_HEADER, iter(data)))


# ---------------------------------------------------------------- statement of account


def _start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


def statement(actor: Actor, client_id: int | str | None, date_from: str, date_to: str) -> dict:
    """Opening balance, every posting of the period (whole UTC days), closing balance: for the reseller (any of its
    clients) or a client (its own)."""
    with session_scope() as session:
        if actor.role == "client":
            require_client(actor)
            client = session.get(Client, actor.client_id)
            if client is None or client.reseller_id != actor.reseller_id:
                raise NotFound()
        else:
            require_reseller(actor)
            client = client_of_reseller(session, actor, client_id or "")
        start = _date(date_from, "date_from")
        end = _date(date_to, "date_to")
        today = datetime.now(UTC).date()
        end = end or today
        start = start or end.replace(day=1)
        if start > end:
            raise ValidationFailed({"date_to": _("The end is before the start.")})
        if (end - start).days > 366:
            raise ValidationFailed({"date_to": _("At most one year at a time.")})
        lo, hi = _start(start), _start(end + timedelta(days=1))
        opening = session.exec(
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                LedgerEntry.client_id == client.id, LedgerEntry.created_at < lo
            )
        ).one()
        opening = _micro(opening)
        rows = session.exec(
            select(LedgerEntry)
            .where(LedgerEntry.client_id == client.id, LedgerEntry.created_at >= lo, LedgerEntry.created_at < hi)
            .order_by(LedgerEntry.created_at, LedgerEntry.id)
        ).all()
        reseller = session.get(Reseller, client.reseller_id)
        cur = reseller.currency if reseller else None
        running = opening
        items = []
        for e in rows:
            running += e.amount
            items.append(
                {
                    "date": fmt.when(e.created_at, client.timezone),
                    "kind": e.kind,
                    "description": descriptions.posting(e.description, e.kind, e.reference),
                    "amount": fmt.money(
                        e.amount, 2 if e.amount == e.amount.quantize(Decimal("0.01")) else 4, currency=cur
                    ),
                    "balance": fmt.money(
                        running, 4 if running != running.quantize(Decimal("0.01")) else 2, currency=cur
                    ),
                }
            )
        return {
            "client": (client.company or f"{client.firstname} {client.lastname}").strip(),
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
            "opening": fmt.money(opening, currency=cur),
            "closing": fmt.money(running, _places(running), currency=cur),
            "opening_exact": fmt_money(opening, 4),
            "closing_exact": fmt_money(running, 4),
            "items": items,
        }


# ---------------------------------------------------------------- taxes collected (financial report)


def _places(value: Decimal) -> int:
    return 2 if value == value.quantize(Decimal("0.01")) else 4


def _month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def taxes_by_month(actor: Actor, date_from: str, date_to: str) -> dict:
    """Taxes collected per tax per month of issue (invoices minus credit notes), as rows, totals and chart series."""
    require_reseller(actor)
    with session_scope() as session:
        start = _date(date_from, "date_from")
        end = _date(date_to, "date_to")
        stmt = (
            select(Invoice.issued_on, InvoiceTax.name, InvoiceTax.rate, InvoiceTax.base, InvoiceTax.amount)
            .join(Invoice, Invoice.id == InvoiceTax.invoice_id)
            .where(Invoice.reseller_id == actor.reseller_id)
        )
        if start:
            stmt = stmt.where(Invoice.issued_on >= start)
        if end:
            stmt = stmt.where(Invoice.issued_on <= end)
        sums: dict[tuple[str, str, Decimal], list[Decimal]] = {}
        for issued, name, rate, base, amount in session.exec(stmt).all():
            key = (_month_key(issued), name, rate.normalize())
            acc = sums.setdefault(key, [Decimal(0), Decimal(0)])
            acc[0] += base
            acc[1] += amount
        reseller = session.get(Reseller, actor.reseller_id)
        cur = (reseller.currency if reseller else None) or "USD"
    keys = sorted(sums)
    names = sorted({k[1] for k in keys})
    months = sorted({k[0] for k in keys})
    chart = []
    for m in months:
        point: dict[str, str] = {"month": m}
        for n in names:
            point[n] = fmt_money(sum((v[1] for k, v in sums.items() if k[0] == m and k[1] == n), Decimal(0)), 2)
        chart.append(point)
    totals = {n: sum((v[1] for k, v in sums.items() if k[1] == n), Decimal(0)) for n in names}
    return {
        "currency": cur,
        "rows": [
            {
                "month": k[0],
                "tax": k[1],
                "rate": f"{k[2]:f}",
                "base": fmt.money(sums[k][0], currency=cur),
                "amount": fmt.money(sums[k][1], currency=cur),
                "base_exact": fmt_money(sums[k][0], 4),
                "amount_exact": fmt_money(sums[k][1], 2),
            }
            for k in keys
        ],
        "totals": [{"tax": n, "amount": fmt.money(totals[n], currency=cur)} for n in names],
        "names": names,
        "chart": chart,
    }


def export_taxes(actor: Actor, raw: dict[str, str]) -> Export:
    """Taxes collected per tax per month as CSV."""
    data = taxes_by_month(actor, str(raw.get("date_from", "") or ""), str(raw.get("date_to", "") or ""))
    rows = [
        [r["month"], r["tax"], r["rate"], r["base_exact"], r["amount_exact"], data["currency"]] for r in data["rows"]
    ]
    return Export("taxes.csv", len(rows), _csv_lines(TAX_CSV_HEADER, iter(rows)))
