"""One client's call records over an exact time range, with the filters the REST API's getResellerCDR offers.

The reseller's CDR report (cdr.cdr_report) works in whole UTC days with one disposition; integrations ask for
days in their own time zone, several outcomes at once, one DID or sub-account, free or billed calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from reseller_app.db import read_scope
from reseller_app.models import Cdr, Did, SubAccount
from reseller_app.services.access.actor import Actor, require_reseller
from reseller_app.services.common.errors import NotFound
from reseller_app.services.common.lookup import client_of_reseller

MAX_ROWS = 10_000


@dataclass(frozen=True)
class CallQuery:
    """Calls of one client starting in [start, end), with these outcomes; optional DID, sub-account, billing."""

    client_id: int
    start: datetime
    end: datetime
    dispositions: tuple[str, ...]
    direction: str = ""  # "in" | "out" | "" (both)
    did: str = ""  # a DID number of the client
    account: str = ""  # a sub-account of the client
    billed: bool | None = None  # True: price above 0; False: free; None: both


def client_calls(actor: Actor, q: CallQuery, limit: int = MAX_ROWS) -> list[Cdr]:
    """The client's calls matching the query, newest first; NotFound for a client, DID or sub-account not theirs."""
    require_reseller(actor)
    with read_scope() as session:
        client = client_of_reseller(session, actor, q.client_id)
        where = [
            Cdr.client_id == client.id,
            Cdr.start >= q.start,
            Cdr.start < q.end,
            Cdr.disposition.in_(q.dispositions),
        ]
        if q.direction:
            where.append(Cdr.direction == q.direction)
        if q.did:
            did_id = session.exec(select(Did.id).where(Did.client_id == client.id, Did.number == q.did)).first()
            if did_id is None:
                raise NotFound("No such DID.")
            where.append(Cdr.did_id == did_id)
        if q.account:
            owned = session.exec(
                select(SubAccount.id).where(SubAccount.client_id == client.id, SubAccount.account == q.account)
            ).first()
            if owned is None:
                raise NotFound("No such sub-account.")
            where.append(Cdr.account == q.account)
        if q.billed is True:
            where.append(Cdr.price > 0)
        elif q.billed is False:
            where.append(Cdr.price <= 0)
        rows = session.exec(select(Cdr).where(*where).order_by(Cdr.start.desc(), Cdr.id.desc()).limit(limit)).all()
        session.expunge_all()
        return list(rows)


def filter_values(actor: Actor, client_id: int | str | None = None) -> dict[str, list[str]]:
    """The DIDs and sub-accounts a call filter can name: the client's, or (no client) every one of the reseller."""
    require_reseller(actor)
    with read_scope() as session:
        if client_id is None:
            dids = select(Did.number).where(Did.reseller_id == actor.reseller_id, Did.kind == "voice")
            subs = select(SubAccount.account).where(SubAccount.reseller_id == actor.reseller_id)
        else:
            client = client_of_reseller(session, actor, client_id)
            dids = select(Did.number).where(Did.client_id == client.id, Did.kind == "voice")
            subs = select(SubAccount.account).where(SubAccount.client_id == client.id)
        return {
            "dids": list(session.exec(dids.order_by(Did.number).limit(5000)).all()),
            "accounts": list(session.exec(subs.order_by(SubAccount.account).limit(5000)).all()),
        }
