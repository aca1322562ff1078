"""What a logged-in client reads about its own account: transactions, sub-accounts and numbers."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, Did, LedgerEntry, Package, ResellerSettings, SubAccount
from reseller_app.services import format as fmt
from reseller_app.services.actor import Actor, require_client
from reseller_app.services.errors import NotFound

KIND_LABEL = {
    "payment": "Payment",
    "charge": "Charge",
    "call": "Calls",
    "fax": "Fax",
    "fee": "Fee",
    "reversal": "Reversal",
}


def _own_client(session, actor: Actor) -> Client:  # noqa: ANN001
    c = session.get(Client, actor.client_id)
    if c is None or c.reseller_id != actor.reseller_id:
        raise NotFound()
    return c


def transactions(actor: Actor, page: int = 1, page_size: int = 20) -> dict:
    """One page of the client's ledger, newest first."""
    require_client(actor)
    page = max(1, int(page))
    with session_scope() as session:
        c = _own_client(session, actor)
        base = select(LedgerEntry).where(LedgerEntry.client_id == c.id)
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
        rows = session.exec(
            base.order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).all()
        items = [
            {
                "date": fmt.when(e.created_at, c.timezone),
                "type": KIND_LABEL.get(e.kind, e.kind),
                "description": e.description,
                "amount": fmt.money(e.amount, 2),
                "negative": "1" if e.amount < 0 else "",
            }
            for e in rows
        ]
    return {"items": items, "pages": max(1, (total + page_size - 1) // page_size)}


def services(actor: Actor) -> dict:
    """The client's sub-accounts (with SIP passwords only when the reseller shows them) and numbers."""
    require_client(actor)
    with session_scope() as session:
        c = _own_client(session, actor)
        s = session.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == actor.reseller_id)).one()
        subs = session.exec(
            select(SubAccount, Package)
            .join(Package, SubAccount.package_id == Package.id, isouter=True)
            .where(SubAccount.client_id == c.id)
            .order_by(SubAccount.account)
        ).all()
        dids = session.exec(select(Did).where(Did.client_id == c.id).order_by(Did.number)).all()
        sub_names = {sa.id: sa.account for sa, _ in subs}
        return {
            "show_sip_password": s.show_sip_password,
            "subaccounts": [
                {
                    "account": sa.account,
                    "description": sa.description,
                    "package": p.name if p else "—",
                    "password": sa.sip_password if s.show_sip_password else "",
                    "status": "Blocked" if sa.blocked else "Active",
                }
                for sa, p in subs
            ],
            "dids": [
                {
                    "number": d.number,
                    "kind": "Fax" if d.kind == "fax" else "Voice",
                    "rate_center": d.rate_center,
                    "routes_to": sub_names.get(d.sub_account_id, "—"),
                    "monthly": fmt.money(d.monthly_fee),
                }
                for d in dids
            ],
        }


def calls(actor: Actor, page: int = 1, page_size: int = 25) -> dict:
    """One page of the client's call history, newest first, in the client's time zone."""
    from reseller_app.models import Cdr

    require_client(actor)
    page = max(1, int(page))
    with session_scope() as session:
        c = _own_client(session, actor)
        base = select(Cdr).where(Cdr.client_id == c.id)
        total = session.exec(select(func.count()).select_from(base.subquery())).one()
        rows = session.exec(
            base.order_by(Cdr.start.desc(), Cdr.id.desc()).offset((page - 1) * page_size).limit(page_size)
        ).all()
        items = [
            {
                "date": fmt.when(r.start, c.timezone),
                "direction": "Incoming" if r.direction == "in" else "Outgoing",
                "callerid": r.callerid,
                "destination": r.destination,
                "account": r.account,
                "disposition": r.disposition,
                "duration": fmt.duration(r.duration),
                "rate": fmt.rate(r.sell_rate),
                "price": fmt.money(r.price, 4),
            }
            for r in rows
        ]
    return {"items": items, "pages": max(1, (total + page_size - 1) // page_size), "total": str(total)}
