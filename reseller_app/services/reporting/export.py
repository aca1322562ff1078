"""CSV export of any report: the caller and the filters are checked at once, then every row is streamed lazily,
read in keyset-ordered chunks of short transactions (a million rows in flat memory).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import select

from reseller_app.db import read_scope
from reseller_app.models import Cdr, Client, Did, FaxRecord, SubAccount
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common.csv_out import csv_line, csv_text
from reseller_app.services.common.errors import NotFound
from reseller_app.services.reporting.cdr import cdr_report, cdr_where, fax_report, fax_where
from reseller_app.services.reporting.filters import check_owned, client_name, parse_filters
from reseller_app.services.reporting.financial import financial_figures
from reseller_app.services.reporting.inventory import (
    did_report,
    did_row,
    did_stmt,
    dids_of,
    sub_row,
    sub_stmt,
    subaccount_report,
)

EXPORT_CHUNK = 5000
REPORTS = ("cdr", "fax", "financial", "subaccounts", "dids")
CDR_HEADER = [
    "date_utc", "client", "account", "direction", "callerid", "destination", "disposition",
    "duration_s", "billable_s", "cost", "price", "profit",
]  # fmt: skip
FAX_HEADER = ["date_utc", "client", "direction", "remote_number", "pages", "status", "cost", "price", "profit"]
FIN_HEADER = ["month", "calls", "faxes", "sms", "mms", "fees", "credits", "revenue", "deposits", "cost", "profit"]
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
    return csv_line(values)  # the one export writer: formula-like text cells are neutralised


def keyset_chunks(stmt, start_col, id_col) -> Iterator[list]:  # noqa: ANN001
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
        check_owned(session, actor, f)
    stamp = f"{f.date_from.isoformat()}_{f.date_to.isoformat()}"
    if kind == "cdr":
        total = int(cdr_report(actor, f, page_size=25)["total"])
        stmt = (
            select(
                Cdr.start, Cdr.id, Client.firstname, Client.lastname, Client.email, Cdr.account, Cdr.direction,
                Cdr.callerid, Cdr.destination, Cdr.disposition, Cdr.duration, Cdr.billable_seconds, Cdr.cost,
                Cdr.price, Cdr.profit,
            )
            .join(Client, Client.id == Cdr.client_id, isouter=True)
            .where(*cdr_where(actor, f))
        )  # fmt: skip

        def cdr_lines() -> Iterator[str]:
            yield _csv_line(CDR_HEADER)
            for chunk in keyset_chunks(stmt, Cdr.start, Cdr.id):
                yield csv_text(
                    [
                        _when_csv(start), client_name(first, last, email), acct, dirn, cid, dest, disp, dur, bill,
                        _plain(cost), _plain(price), _plain(pr),
                    ]
                    for start, _i, first, last, email, acct, dirn, cid, dest, disp, dur, bill, cost, price, pr in chunk
                )  # fmt: skip

        return Export(f"cdr_{stamp}.csv", total, cdr_lines())
    if kind == "fax":
        total = int(fax_report(actor, f, page_size=25)["total"])
        stmt = (
            select(
                FaxRecord.start, FaxRecord.id, Client.firstname, Client.lastname, Client.email, FaxRecord.direction,
                FaxRecord.remote_number, FaxRecord.pages, FaxRecord.status, FaxRecord.cost, FaxRecord.price,
                FaxRecord.profit,
            )
            .join(Client, Client.id == FaxRecord.client_id, isouter=True)
            .where(*fax_where(actor, f))
        )  # fmt: skip

        def fax_lines() -> Iterator[str]:
            yield _csv_line(FAX_HEADER)
            for chunk in keyset_chunks(stmt, FaxRecord.start, FaxRecord.id):
                yield csv_text(
                    [
                        _when_csv(start), client_name(first, last, email), dirn, remote, pages, status,
                        _plain(cost), _plain(price), _plain(prof),
                    ]
                    for start, _id, first, last, email, dirn, remote, pages, status, cost, price, prof in chunk
                )  # fmt: skip

        return Export(f"fax_{stamp}.csv", total, fax_lines())
    if kind == "financial":
        figures = financial_figures(actor, f.date_from, f.date_to)

        def fin_lines() -> Iterator[str]:
            yield _csv_line(FIN_HEADER)
            for m in figures:
                yield _csv_line(
                    [m.month]
                    + [
                        _plain(v)
                        for v in (m.calls, m.faxes, m.sms, m.mms, m.fees, m.credits, m.revenue, m.deposits, m.cost)
                    ]
                    + [_plain(m.profit)]
                )

        return Export(f"financial_{stamp}.csv", len(figures), fin_lines())
    return _export_list(actor, kind, f.client_id)


def _export_list(actor: Actor, kind: str, client_id: int | None) -> Export:
    if kind == "subaccounts":
        total = int(subaccount_report(actor, client_id, page_size=25)["total"])
        stmt = sub_stmt(actor, client_id)

        def sub_lines() -> Iterator[str]:
            yield _csv_line(SUB_HEADER)
            last = 0
            while True:
                with read_scope() as session:
                    chunk = session.exec(
                        stmt.where(SubAccount.id > last).order_by(SubAccount.id).limit(EXPORT_CHUNK)
                    ).all()
                    dids = dids_of(session, [r[0].id for r in chunk])
                if not chunk:
                    return
                last = chunk[-1][0].id
                for r in chunk:
                    row = sub_row(*r, dids.get(r[0].id, []))
                    yield _csv_line([row[k] for k in ("account", "description", "client", "email", "package")] +
                                    [" ".join(dids.get(r[0].id, [])), row["status"]])  # fmt: skip

        return Export("subaccounts.csv", total, sub_lines())
    total = int(did_report(actor, client_id, page_size=25)["total"])
    stmt = did_stmt(actor, client_id)

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
                row = did_row(d, _first, _last, _email, account, pkg)
                yield _csv_line([
                    d.number, d.kind, row["client"], account or "", pkg or "", row["rate_center"],
                    _plain(d.monthly_fee), _plain(d.per_minute, 6),
                ])  # fmt: skip

    return Export("dids.csv", total, did_lines())
