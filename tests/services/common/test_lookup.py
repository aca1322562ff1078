"""The services' one ownership check: an id a caller sends is theirs, or answered like an id that does not exist."""

from __future__ import annotations

import pytest

from reseller_app.db import session_scope
from reseller_app.models import Client, Package, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import NotFound
from reseller_app.services.common.lookup import client_of_reseller, owned, row_id


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(7, 7), ("7", 7), (" 12 ", 12), ("007", 7), (0, None), ("0", None), (-3, None), ("-3", None), (True, None)]
    + [("1e3", None), ("", None), (None, None), ("١٢", None), ("1" * 13, None), (2.0, None)],
)
def test_row_id(raw, expected):
    assert row_id(raw) == expected


def test_another_resellers_missing_or_junk_id_is_the_same_not_found(world):
    a, b = world["actor_a"], world["actor_b"]
    with session_scope() as s:
        assert owned(s, a, Package, world["pkg"], "package").id == world["pkg"]
        assert owned(s, a, SubAccount, str(world["sub"]), "sub-account").id == world["sub"]
        answers = []
        for actor, raw in ((b, world["pkg"]), (a, 999_999), (a, "x"), (a, None)):
            with pytest.raises(NotFound) as err:
                owned(s, actor, Package, raw, "package")
            answers.append(str(err.value))
        assert answers == ["No such package."] * 4


def test_a_client_bound_lookup_also_checks_the_client(world):
    a = world["actor_a"]
    with session_scope() as s:
        sibling = Client(reseller_id=world["ra"], email="sib@example.com", password_hash="x", firstname="Sib")
        s.add(sibling)
        s.flush()
        assert owned(s, a, SubAccount, world["sub"], "sub-account", client_id=world["c"]).id == world["sub"]
        with pytest.raises(NotFound, match="No such sub-account."):
            owned(s, a, SubAccount, world["sub"], "sub-account", client_id=sibling.id)
        # A client actor of the same reseller reaches only its own rows when the service names the client.
        me = Actor("client", world["ra"], sibling.id)
        with pytest.raises(NotFound):
            owned(s, me, SubAccount, world["sub"], "sub-account", client_id=me.client_id)


def test_client_of_reseller(world):
    with session_scope() as s:
        assert client_of_reseller(s, world["actor_a"], str(world["c"])).id == world["c"]
        for actor, raw in ((world["actor_b"], world["c"]), (world["actor_a"], world["other"]), (world["actor_a"], "")):
            with pytest.raises(NotFound, match="No such client."):
                client_of_reseller(s, actor, raw)
