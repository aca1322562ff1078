"""The reseller's SMS/MMS report: every message (global) or one line per client (per user), with cost, price and
profit, the period / client / kind / direction filters, SQL paging, totals and a streamed CSV of every message."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from sqlmodel import func, select

from reseller_app.db import read_scope, session_scope
from reseller_app.models import Client, Message
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common import format as fmt
from reseller_app.services.common.csv_out import csv_line, csv_text
from reseller_app.services.common.errors import ValidationFailed
from reseller_app.services.common.paging import read_page, window
from reseller_app.services.reporting.export import Export, keyset_chunks
from reseller_app.services.reporting.filters import (
    Filters,
    check_client,
    client_name,
    dec,
    money4,
    parse_filters,
    report_page_size,
)

KINDS = ("sms", "mms")
CSV_HEADER = ["date", "client", "type", "direction", "did", "contact", "segments", "cost", "price", "profit"]


def parse(raw: dict) -> tuple[Filters, str]:
    """The report's filters (the reports' own) and the message kind ("" for both)."""
    f = parse_filters(raw)
    kind = str(raw.get("kind") or "").strip().lower()
    kind = "" if kind == "all" else kind
    if kind and kind not in KINDS:
        raise ValidationFailed({"kind": "Choose SMS or MMS."})
    return f, kind


def _where(actor: Actor, f: Filters, kind: str) -> list:
    cond = [Message.reseller_id == actor.reseller_id, Message.sent_at >= f.start, Message.sent_at < f.end]
    if f.client_id is not None:
        cond.append(Message.client_id == f.client_id)
    if f.direction:
        cond.append(Message.direction == f.direction)
    if kind:
        cond.append(Message.kind == kind)
    return cond


def _totals(session, cond: list) -> dict[str, str]:  # noqa: ANN001 - a Session
    n, parts, cost, price = session.exec(
        select(
            func.count(Message.id),
            func.coalesce(func.sum(Message.segments), 0),
            func.coalesce(func.sum(Message.cost), 0),
            func.coalesce(func.sum(Message.price), 0),
        ).where(*cond)
    ).one()
    cost, price = dec(cost), dec(price)
    return {
        "messages": str(n),
        "segments": str(parts),
        "cost": money4(cost),
        "price": money4(price),
        "profit": money4(price - cost),
    }


def report(actor: Actor, raw: dict, *, per_user: bool = False, page: object = 1) -> dict:
    """One page of the report (newest message first, or clients by revenue) and the period's totals."""
    require_reseller(actor)
    f, kind = parse(raw)
    size = report_page_size(raw.get("per_page"))
    with session_scope() as session:
        check_client(session, actor, f.client_id)
        cond = _where(actor, f, kind)
        totals = _totals(session, cond)
        if per_user:
            groups = (
                select(
                    Message.client_id,
                    func.count(Message.id).label("n"),
                    func.sum(Message.segments).label("parts"),
                    func.sum(Message.cost).label("cost"),
                    func.sum(Message.price).label("price"),
                )
                .where(*cond)
                .group_by(Message.client_id)
            )
            total = session.exec(select(func.count()).select_from(groups.subquery())).one()
            w = window(total, page, size)
            rows = session.exec(w.rows(groups.order_by(sa.desc("price"), Message.client_id))).all()
            clients = {
                c.id: c for c in session.exec(select(Client).where(Client.id.in_({r[0] for r in rows if r[0]}))).all()
            }
            items = []
            for cid, n, parts, cost, price in rows:
                c = clients.get(cid)
                cost, price = dec(cost), dec(price)
                items.append(
                    {
                        "client": client_name(c.firstname, c.lastname, c.email) if c else "(unassigned)",
                        "messages": str(n),
                        "segments": str(parts or 0),
                        "cost": money4(cost),
                        "price": money4(price),
                        "profit": money4(price - cost),
                    }
                )
            out = w.page_of(items).as_dict()
        else:
            stmt = (
                select(Message, Client.firstname, Client.lastname, Client.email)
                .join(Client, Client.id == Message.client_id, isouter=True)
                .where(*cond)
            )
            w, rows = read_page(session, stmt, page, size, Message.sent_at.desc(), Message.id.desc())
            out = w.page_of([_row(m, fn, ln, em) for m, fn, ln, em in rows]).as_dict()
        out["totals"] = totals
        return out


def _row(m: Message, firstname: str | None, lastname: str | None, email: str | None) -> dict[str, str]:
    return {
        "date": fmt.when(m.sent_at),
        "client": client_name(firstname, lastname, email),
        "kind": m.kind.upper(),
        "direction": "Outgoing" if m.direction == "out" else "Incoming",
        "did": m.did,
        "contact": m.contact,
        "segments": str(m.segments),
        "cost": money4(m.cost),
        "price": money4(m.price),
        "profit": money4(m.profit),
    }


def report_export(actor: Actor, raw: dict) -> Export:
    """Every message of the filters as CSV (the one CSV writer), oldest first, exact amounts; the caller and the
    filters are checked now, then the rows are read lazily in keyset-ordered chunks of short transactions."""
    require_reseller(actor)
    f, kind = parse(raw)
    with read_scope() as session:
        check_client(session, actor, f.client_id)
        cond = _where(actor, f, kind)
        total = int(session.exec(select(func.count(Message.id)).where(*cond)).one())
    stmt = (
        select(
            Message.sent_at, Message.id, Client.firstname, Client.lastname, Client.email, Message.kind,
            Message.direction, Message.did, Message.contact, Message.segments, Message.cost, Message.price,
            Message.profit,
        )
        .join(Client, Client.id == Message.client_id, isouter=True)
        .where(*cond)
    )  # fmt: skip

    def lines() -> Iterator[str]:
        yield csv_line(CSV_HEADER)
        for chunk in keyset_chunks(stmt, Message.sent_at, Message.id):
            yield csv_text(
                [
                    sent.strftime("%Y-%m-%d %H:%M:%S"), client_name(first, last, email), kind_.upper(), direction,
                    did, contact, segments, f"{cost:.4f}", f"{price:.4f}", f"{profit:.4f}",
                ]
                for sent, _i, first, last, email, kind_, direction, did, contact, segments, cost, price, profit in chunk
            )  # fmt: skip

    return Export(f"messages_{f.date_from.isoformat()}_{f.date_to.isoformat()}.csv", total, lines())
