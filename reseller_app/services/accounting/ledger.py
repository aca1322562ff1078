"""Postings to a client's balance: one transaction each, the balance updated atomically with the entry."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import update
from sqlmodel import Session

from reseller_app.models import Client, LedgerEntry


def post(
    session: Session,
    *,
    reseller_id: int,
    client_id: int,
    kind: str,
    amount: Decimal,
    description: str,
    reference: str,
    created_by: str = "system",
    reverses_id: int | None = None,
) -> tuple[LedgerEntry, Decimal]:
    """Append a ledger entry and move the cached balance by the same amount in one statement."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    entry = LedgerEntry(
        reseller_id=reseller_id,
        client_id=client_id,
        kind=kind,
        amount=amount,
        description=description[:255],
        reference=reference,
        created_by=created_by,
        reverses_id=reverses_id,
    )
    session.add(entry)
    session.flush()
    # The increment happens in the database, so concurrent postings never lose an update.
    new_balance = session.exec(
        update(Client)
        .where(Client.id == client_id, Client.reseller_id == reseller_id)
        .values(balance=Client.balance + amount)
        .returning(Client.balance)
    ).one()[0]
    return entry, new_balance
