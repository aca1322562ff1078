"""Rows that several services of one request read: each is read once per database session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlmodel import Session, select

from reseller_app.db import reading
from reseller_app.models import Client, ResellerSettings
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import NotFound
from reseller_app.services.common.ids import to_id

T = TypeVar("T")


class _Owned(Protocol):
    reseller_id: int


R = TypeVar("R", bound=_Owned)


def reseller_settings(session: Session, reseller_id: int) -> ResellerSettings:
    """The reseller's settings row (one query per session, however many services ask)."""
    cache: dict[int, ResellerSettings] = session.info.setdefault("reseller_settings", {})
    if reseller_id not in cache:
        cache[reseller_id] = session.exec(
            select(ResellerSettings).where(ResellerSettings.reseller_id == reseller_id)
        ).one()
    return cache[reseller_id]


def client_row(session: Session, client_id: int | None) -> Client | None:
    """A client row by id, read once per session (the identity map alone holds rows only weakly)."""
    if client_id is None:
        return None
    held: dict[int, Client] = session.info.setdefault("clients", {})
    if client_id not in held:
        c = session.get(Client, client_id)
        if c is None:
            return None
        held[client_id] = c
    return held[client_id]


def hold_client(session: Session, client: Client) -> None:
    """Keep a client row already read for the rest of the session (see client_row)."""
    session.info.setdefault("clients", {})[client.id] = client


def hold_settings(session: Session, settings: ResellerSettings) -> None:
    """Keep a settings row already read for the rest of the session (see reseller_settings)."""
    session.info.setdefault("reseller_settings", {})[settings.reseller_id] = settings


def own_account(session: Session, actor: Actor) -> Client:
    """The client account of a client actor."""
    c = client_row(session, actor.client_id)
    if c is None or c.reseller_id != actor.reseller_id or c.deleted_at is not None:
        raise NotFound()
    return c


def read_only(fn: Callable[..., T], *args: object) -> T:
    """Call `fn` with every service it calls sharing one read-only transaction (a page load; see db.reading)."""
    with reading():
        return fn(*args)


def row_id(raw: object) -> int | None:
    """An id as a browser, a URL or a caller sends it (1 .. 2**31-1); None for anything else (`ids.to_id`)."""
    return to_id(raw)


def owned(
    session: Session, actor: Actor, model: type[R], raw_id: object, what: str, *, client_id: int | None = None
) -> R:
    """The row of `model` with this id when it belongs to the caller's reseller (and, given `client_id`, to that
    client); otherwise NotFound("No such <what>."), the same answer for another's id, a missing one and junk.

    This is the services' one ownership check for an id a caller sends (`client_of_reseller` is it for clients;
    a client actor's own account comes from its session, `own_account`).
    """
    rid = row_id(raw_id)
    row = session.get(model, rid) if rid is not None else None
    if row is None or row.reseller_id != actor.reseller_id:
        raise NotFound(f"No such {what}.")
    if client_id is not None and getattr(row, "client_id", None) != client_id:
        raise NotFound(f"No such {what}.")
    return row


def client_of_reseller(session: Session, actor: Actor, client_id: object) -> Client:
    """A client of the actor's reseller; NotFound otherwise (also for junk ids and deleted clients)."""
    client = owned(session, actor, Client, client_id, "client")
    if client.deleted_at is not None:
        raise NotFound("No such client.")
    return client
