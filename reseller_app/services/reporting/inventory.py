"""The inventory reports: the reseller's sub-accounts (client, package, DIDs) and the DIDs connected to clients,
a page at a time with the totals of the whole list, and the client and sub-account menus of the report filters.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func
from sqlmodel import Session, select

from reseller_app.db import read_scope
from reseller_app.models import Client, Did, Package, SubAccount
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common import format as fmt
from reseller_app.services.common.paging import window
from reseller_app.services.reporting.filters import check_client, client_name, dec, order_by, report_page_size

SUB_SORTS = {"account": SubAccount.account, "client": Client.email, "package": Package.name}
DID_SORTS = {"number": Did.number, "client": Client.email, "rate_center": Did.rate_center}


def sub_stmt(actor: Actor, client_id: int | None):  # noqa: ANN201 - a SQLModel select
    stmt = (
        select(SubAccount, Client.firstname, Client.lastname, Client.email, Package.name)
        .join(Client, Client.id == SubAccount.client_id, isouter=True)
        .join(Package, Package.id == SubAccount.package_id, isouter=True)
        .where(SubAccount.reseller_id == actor.reseller_id)
    )
    if client_id is not None:
        stmt = stmt.where(SubAccount.client_id == client_id)
    return stmt


def dids_of(session: Session, sub_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if sub_ids:
        for sid, number in session.exec(
            select(Did.sub_account_id, Did.number).where(Did.sub_account_id.in_(sub_ids)).order_by(Did.number)
        ).all():
            out[sid].append(number)
    return out


def sub_row(sub: SubAccount, first: str | None, last: str | None, email: str | None, pkg: str | None, dids) -> dict:  # noqa: ANN001
    return {
        "id": str(sub.id),
        "account": sub.account,
        "description": sub.description,
        "client": client_name(first, last, email),
        "email": email or "",
        "package": pkg or "(no package)",
        "dids": ", ".join(dids) or "—",
        "status": "Blocked" if sub.blocked else "Active",
    }


def subaccount_report(
    actor: Actor, client_id: int | None = None, sort: str = "account", desc: bool = False, page: int = 1,
    page_size: int = 50,
) -> dict:  # fmt: skip
    """One page of sub-accounts with their client, package and DIDs; totals of the whole list."""
    require_reseller(actor)
    with read_scope() as session:
        check_client(session, actor, client_id)
        base = sub_stmt(actor, client_id)
        count = session.exec(select(func.count()).select_from(base.subquery())).one()
        did_count = session.exec(
            select(func.count(Did.id))
            .join(SubAccount, SubAccount.id == Did.sub_account_id)
            .where(
                SubAccount.reseller_id == actor.reseller_id,
                *([SubAccount.client_id == client_id] if client_id is not None else []),
            )
        ).one()
        w = window(count, page, report_page_size(page_size))
        page_rows = session.exec(w.rows(base.order_by(*order_by(SUB_SORTS, sort, desc, SubAccount.id)))).all()
        dids = dids_of(session, [r[0].id for r in page_rows])
        rows = [sub_row(*r, dids.get(r[0].id, [])) for r in page_rows]
    return {**w.page_of(rows).as_dict(), "totals": {"count": f"{count:,}", "dids": f"{did_count:,}"}}


def did_stmt(actor: Actor, client_id: int | None):  # noqa: ANN201 - a SQLModel select
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


def did_row(d: Did, first: str | None, last: str | None, email: str | None, account: str | None, pkg) -> dict:  # noqa: ANN001
    return {
        "id": str(d.id),
        "number": d.number,
        "kind": "Fax" if d.kind == "fax" else "Voice",
        "client": client_name(first, last, email),
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
    with read_scope() as session:
        check_client(session, actor, client_id)
        base = did_stmt(actor, client_id)
        sub = base.subquery()
        count, monthly = session.exec(
            select(func.count(), func.coalesce(func.sum(sub.c.monthly_fee), 0)).select_from(sub)
        ).one()
        w = window(count, page, report_page_size(page_size))
        rows = [did_row(*r) for r in session.exec(w.rows(base.order_by(*order_by(DID_SORTS, sort, desc, Did.id))))]
    return {**w.page_of(rows).as_dict(), "totals": {"count": f"{count:,}", "monthly_fee": fmt.money(dec(monthly), 4)}}


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
    return [{"id": str(i), "label": f"{client_name(f, ln, e)} <{e}>"} for i, f, ln, e in rows]


def subaccount_choices(actor: Actor, client_id: int) -> list[dict[str, str]]:
    """One client's sub-accounts for the per-user CDR filter (the client must be the reseller's)."""
    require_reseller(actor)
    with read_scope() as session:
        check_client(session, actor, client_id)
        rows = session.exec(
            select(SubAccount.id, SubAccount.account)
            .where(SubAccount.reseller_id == actor.reseller_id, SubAccount.client_id == client_id)
            .order_by(SubAccount.account)
        ).all()
    return [{"id": str(i), "label": a} for i, a in rows]
