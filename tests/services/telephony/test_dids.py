"""Numbers: connect one or several (one setup fee per DID), forwarding, voicemail, unconnect, routing; refusals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import Client, Did, Forwarding, LedgerEntry, ResellerSettings, SandboxDid, Voicemail
from reseller_app.services.common.errors import NotFound, ValidationFailed
from reseller_app.services.telephony import dids


def _fees(cid: int) -> list[LedgerEntry]:
    with session_scope() as s:
        return s.exec(select(LedgerEntry).where(LedgerEntry.client_id == cid, LedgerEntry.kind == "fee")).all()


def _owner(number: str) -> int | None:
    with session_scope() as s:
        return s.exec(select(SandboxDid.owner_reseller_id).where(SandboxDid.number == number)).one()


def test_defaults_come_from_the_resellers_settings(world):
    with session_scope() as s:
        st = s.exec(select(ResellerSettings).where(ResellerSettings.reseller_id == world["ra"])).one()
        st.did_setup, st.did_monthly, st.did_minute = Decimal("2.5"), Decimal("3"), Decimal("0.012")
        st.fax_setup = Decimal("4")
    assert dids.did_defaults(world["actor_a"]) == {"setup": "2.50", "monthly": "3.00", "per_minute": "0.0120"}
    assert dids.did_defaults(world["actor_a"], "fax")["setup"] == "4.00"


def test_connect_two_at_once_posts_two_setup_fees(world):
    a = world["actor_a"]
    offers = dids.available_numbers(a)
    numbers = [offers[0]["number"], offers[1]["number"]]
    ids = dids.connect_dids(
        a, world["c"], numbers, sub_account_id=str(world["sub"]), setup="1.50", monthly="3.00", per_minute="0.01"
    )
    assert len(ids) == 2
    fees = _fees(world["c"])
    assert sorted(f.amount for f in fees) == [Decimal("-1.5"), Decimal("-1.5")]
    assert {n for f in fees for n in numbers if n in f.description} == set(numbers)
    with session_scope() as s:
        rows = s.exec(select(Did).where(Did.client_id == world["c"])).all()
        assert {(d.monthly_fee, d.per_minute, d.sub_account_id) for d in rows} == {
            (Decimal("3"), Decimal("0.01"), world["sub"])
        }
        assert s.get(Client, world["c"]).balance == Decimal("-3")
    assert all(_owner(n) == world["ra"] for n in numbers)
    remaining = {o["number"] for o in dids.available_numbers(a)}
    assert not remaining & set(numbers)


def test_forwarding_and_voicemail_show_in_the_routing(world):
    a = world["actor_a"]
    number = dids.available_numbers(a)[0]["number"]
    dids.connect_dids(
        a,
        world["c"],
        [number],
        sub_account_id=str(world["sub"]),
        forward_to="(514) 555-0199",
        voicemail={"name": "Main", "pin": "1234", "email": "vm@example.com"},
    )
    svc = dids.client_services(a, world["c"])
    route = svc["dids"][0]["route"]
    assert "Forwarded to +15145550199" in route and "both legs billed" in route and "vm@example.com" in route
    assert svc["subaccounts"][0]["numbers"] == "1"
    # Unconnect: released at the carrier, forwarding and voicemail removed, no longer connected.
    did_id = svc["dids"][0]["id"]
    dids.unconnect_did(a, world["c"], did_id)
    assert _owner(number) is None
    with session_scope() as s:
        assert s.get(Did, int(did_id)).client_id is None
        assert s.exec(select(Forwarding)).first() is None and s.exec(select(Voicemail)).first() is None
    assert dids.client_services(a, world["c"])["dids"] == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"setup": "-1"}, "setup"),
        ({"setup": "1.234"}, "setup"),
        ({"per_minute": "0.1234567"}, "per_minute"),
        ({"forward_to": "12"}, "forward_to"),
        ({"voicemail": {"name": "", "pin": "1", "email": "x"}}, "vm_pin"),
        ({"sub_account_id": ""}, "sub_account"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_claimed(world, kwargs, field):
    a = world["actor_a"]
    number = dids.available_numbers(a)[0]["number"]
    args = {"sub_account_id": str(world["sub"]), **kwargs}
    with pytest.raises(ValidationFailed) as e:
        dids.connect_dids(a, world["c"], [number], **args)
    assert field in e.value.errors
    assert _owner(number) is None
    assert _fees(world["c"]) == []


def test_nothing_chosen_or_too_many_is_refused(world):
    with pytest.raises(ValidationFailed):
        dids.connect_dids(world["actor_a"], world["c"], [], sub_account_id=str(world["sub"]))
    many = [o["number"] for o in dids.available_numbers(world["actor_a"])[:21]]
    with pytest.raises(ValidationFailed):
        dids.connect_dids(world["actor_a"], world["c"], many, sub_account_id=str(world["sub"]))


def test_other_resellers_ids_are_refused(world):
    a, b = world["actor_a"], world["actor_b"]
    number = dids.available_numbers(a)[0]["number"]
    with pytest.raises(NotFound):  # B's actor on A's client
        dids.connect_dids(b, world["c"], [number], sub_account_id=str(world["sub"]))
    with pytest.raises(NotFound):  # B's own client, A's sub-account
        dids.connect_dids(b, world["other"], [number], sub_account_id=str(world["sub"]))
    assert _owner(number) is None
    ids = dids.connect_dids(a, world["c"], [number], sub_account_id=str(world["sub"]))
    with pytest.raises(NotFound):
        dids.unconnect_did(b, world["other"], ids[0])
    with pytest.raises(NotFound):
        dids.unconnect_did(b, world["c"], ids[0])
    with pytest.raises(NotFound):
        dids.unconnect_did(a, world["c"], "abc")
    with pytest.raises(NotFound):
        dids.client_services(b, world["c"])
    assert _owner(number) == world["ra"]
    with session_scope() as s:
        assert s.get(Did, ids[0]).client_id == world["c"]


def test_a_number_another_reseller_holds_is_refused(world):
    number = dids.available_numbers(world["actor_b"])[0]["number"]
    with session_scope() as s:
        s.add(Client(reseller_id=world["rb"], email="x@example.com", password_hash="x", firstname="X"))
    from reseller_app.carrier import get_carrier
    from reseller_app.models import Reseller

    with session_scope() as s:
        rb = s.get(Reseller, world["rb"])
    get_carrier(rb).claim_did(world["rb"], number)
    with pytest.raises(ValidationFailed) as e:
        dids.connect_dids(world["actor_a"], world["c"], [number], sub_account_id=str(world["sub"]))
    assert "numbers" in e.value.errors
    assert _owner(number) == world["rb"]


def test_fax_numbers_connect_without_a_subaccount(world):
    a = world["actor_a"]
    number = dids.available_numbers(a, "fax")[0]["number"]
    dids.connect_dids(a, world["c"], [number], kind="fax", setup="2")
    svc = dids.client_services(a, world["c"])
    assert [r["number"] for r in svc["fax"]] == [number] and svc["dids"] == []
    assert [f.amount for f in _fees(world["c"])] == [Decimal("-2")]
