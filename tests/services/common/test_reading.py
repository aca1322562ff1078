"""db.reading(): a page's service calls share one read-only transaction; the database refuses writes inside it."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from reseller_app import db
from reseller_app.db import read_scope, reading, session_scope
from reseller_app.models import Client
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.lookup import read_only
from reseller_app.services.portal import account as client_portal
from reseller_app.services.reporting import overview


@pytest.fixture()
def client_actor(world):
    return Actor("client", world["ra"], world["c"])


def _checkouts_and_statements(fn):
    """Run fn; count pool checkouts and SQL statements."""
    counts = {"checkout": 0, "sql": 0}
    pool_engine = db.engine()

    def on_checkout(*_a):
        counts["checkout"] += 1

    def on_sql(*_a):
        counts["sql"] += 1

    event.listen(pool_engine.pool, "checkout", on_checkout)
    event.listen(pool_engine, "before_cursor_execute", on_sql)
    try:
        result = fn()
    finally:
        event.remove(pool_engine.pool, "checkout", on_checkout)
        event.remove(pool_engine, "before_cursor_execute", on_sql)
    return result, counts


def _page(actor: Actor) -> tuple:
    return (
        client_portal.portal_view(actor),
        client_portal.balance_version(actor),
        overview.client_summary(actor),
        client_portal.subaccount_choices(actor),
        client_portal.calls(actor),
    )


def test_one_connection_and_fewer_statements_than_separate_calls(client_actor):
    separate, apart = _checkouts_and_statements(lambda: _page(client_actor))
    shared, together = _checkouts_and_statements(lambda: read_only(_page, client_actor))
    assert shared == separate  # the same answers
    assert apart["checkout"] == 5 and together["checkout"] == 1
    # The client row, the reseller's settings and the portal view are read once, not once per service.
    assert together["sql"] < apart["sql"] - 4


def test_a_write_inside_is_refused_and_nothing_is_kept(world):
    with pytest.raises(RuntimeError, match="read-only"), reading(), session_scope() as s:
        s.get(Client, world["c"]).firstname = "Changed"
        s.flush()
    with session_scope() as s:
        assert s.get(Client, world["c"]).firstname == "Cy"


def test_a_sql_write_inside_is_refused_by_the_database(world):
    # PostgreSQL: a READ ONLY transaction; SQLite: PRAGMA query_only. Either way the UPDATE fails loudly.
    with pytest.raises(DBAPIError, match="read-only|readonly"), read_scope() as s:
        s.execute(text("UPDATE client SET firstname = 'Raw' WHERE id = :i"), {"i": world["c"]})
    with session_scope() as s:
        assert s.get(Client, world["c"]).firstname == "Cy"


def test_the_connection_writes_again_after_a_read_only_unit(world):
    # One connection serves both units in turn (SQLite's pool keeps it; PostgreSQL's may): the mode is per unit.
    for name in ("First", "Second"):
        with read_scope() as s:
            assert s.get(Client, world["c"]) is not None
        with session_scope() as s:
            s.execute(text("UPDATE client SET firstname = :n WHERE id = :i"), {"n": name, "i": world["c"]})
        with session_scope() as s:
            assert s.get(Client, world["c"]).firstname == name


def test_a_read_only_unit_does_not_wait_for_a_writer(world):
    # A write unit is open (on SQLite it holds the database's write lock) while a read-only unit reads.
    with session_scope() as w:
        w.execute(text("UPDATE client SET firstname = 'Pending' WHERE id = :i"), {"i": world["c"]})
        started = time.perf_counter()
        with ThreadPoolExecutor(1) as pool:
            seen = pool.submit(_read_name, world["c"]).result(timeout=10)
        assert time.perf_counter() - started < 2  # the busy timeout is 30 s: it did not wait for the lock
        assert seen == "Cy"  # the committed snapshot, not the writer's pending change
    assert _read_name(world["c"]) == "Pending"


def _read_name(client_id: int) -> str:
    with read_scope() as s:
        return s.exec(select(Client.firstname).where(Client.id == client_id)).one()


def test_nested_units_share_the_outer_one_and_writes_outside_still_commit(world, client_actor):
    with reading():
        with session_scope() as a, session_scope() as b:
            assert a is b
        with reading(), session_scope() as c:
            assert c is a
    with session_scope() as s:
        s.get(Client, world["c"]).balance = Decimal("1.5")
    assert client_portal.balance_version(client_actor).endswith(":1.500000:ACTIVE")
