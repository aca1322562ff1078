"""db.reading(): a page's service calls share one read-only transaction, and nothing written inside is kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from reseller_app import db
from reseller_app.db import reading, session_scope
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


def test_a_sql_write_inside_is_not_kept(world):
    with reading(), session_scope() as s:
        try:
            s.execute(text("UPDATE client SET firstname = 'Raw' WHERE id = :i"), {"i": world["c"]})
        except DBAPIError as e:  # PostgreSQL refuses it outright (read-only transaction)
            assert "read-only" in str(e)
    with session_scope() as s:
        assert s.get(Client, world["c"]).firstname == "Cy"


def test_nested_units_share_the_outer_one_and_writes_outside_still_commit(world, client_actor):
    with reading():
        with session_scope() as a, session_scope() as b:
            assert a is b
        with reading(), session_scope() as c:
            assert c is a
    with session_scope() as s:
        s.get(Client, world["c"]).balance = Decimal("1.5")
    assert client_portal.balance_version(client_actor).endswith(":1.500000:ACTIVE")
