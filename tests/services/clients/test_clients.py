"""Client accounts: create, edit, SOFT/HARD, low-balance threshold, activate, delete, list, history; and refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from reseller_app.db import session_scope
from reseller_app.models import AuditLog, Client, Did, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.access.security import verify_password
from reseller_app.services.accounting import postings
from reseller_app.services.clients import accounts as clients
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed

FORM = {
    "firstname": "Dana",
    "lastname": "Doe",
    "company": "Doe Ltd",
    "email": "Dana@Example.com",
    "password": "long-enough-1",
    "phone_number": "+1 514 555 0101",
    "country": "ca",
    "next_billing_date": "2027-01-15",
    "balance_management": "HARD",
}


def _client(cid: int) -> Client:
    with session_scope() as s:
        return s.get(Client, cid)


def test_create_client_with_the_guides_fields(world):
    cid = clients.create_client(world["actor_a"], FORM)
    c = _client(cid)
    assert (c.email, c.firstname, c.country, c.balance_management, c.status) == (
        "dana@example.com",
        "Dana",
        "CA",
        "HARD",
        "ACTIVE",
    )
    assert str(c.next_billing_date) == "2027-01-15"
    assert verify_password("long-enough-1", c.password_hash) and c.password_hash != "long-enough-1"
    with session_scope() as s:
        assert s.exec(select(AuditLog).where(AuditLog.action == "create_client")).first() is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"firstname": " "}, "firstname"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"balance_management": "MAYBE"}, "balance_management"),
        ({"next_billing_date": "15/01/2027"}, "next_billing_date"),
        ({"country": "Canada"}, "country"),
        ({"phone_number": "12"}, "phone_number"),
        ({"phone_number": "call me<script>"}, "phone_number"),
        ({"next_billing_date": "2001-01-01"}, "next_billing_date"),
        ({"company": "x" * 121}, "company"),
    ],
)
def test_create_refuses_bad_fields_beside_the_field(world, change, field):
    with pytest.raises(ValidationFailed) as e:
        clients.create_client(world["actor_a"], {**FORM, **change})
    assert field in e.value.errors
    with session_scope() as s:
        assert s.exec(select(Client).where(Client.firstname == "Dana")).first() is None


def test_email_is_unique_per_reseller_only(world):
    clients.create_client(world["actor_a"], FORM)
    with pytest.raises(ValidationFailed) as e:
        clients.create_client(world["actor_a"], {**FORM, "email": "dana@example.COM"})
    assert "email" in e.value.errors
    # Another reseller may have a client with the same email.
    assert clients.create_client(world["actor_b"], FORM)


def test_a_client_actor_cannot_create_or_list(world):
    client_actor = Actor("client", world["ra"], world["c"])
    with pytest.raises(Forbidden):
        clients.create_client(client_actor, FORM)
    with pytest.raises(Forbidden):
        clients.list_clients(client_actor)


def test_update_and_switch_hard_to_soft_restores_a_balance_suspension(world):
    a = world["actor_a"]
    with session_scope() as s:
        c = s.get(Client, world["c"])
        c.balance_management = "HARD"
    postings.manual_posting(a, world["c"], "charge", "5.00", "usage")
    assert _client(world["c"]).status == "SUSPENDED"
    data = clients.client_details(a, world["c"])
    data["balance_management"] = "SOFT"
    data["password"] = ""
    clients.update_client(a, world["c"], data)
    c = _client(world["c"])
    assert (c.status, c.balance_management) == ("ACTIVE", "SOFT")
    with session_scope() as s:
        assert not s.get(SubAccount, world["sub"]).blocked
    # Back to HARD with a negative balance: suspended again at once.
    data["balance_management"] = "HARD"
    clients.update_client(a, world["c"], data)
    assert _client(world["c"]).status == "SUSPENDED"
    with session_scope() as s:
        assert s.get(SubAccount, world["sub"]).blocked


def test_update_refuses_another_resellers_client_and_changes_nothing(world):
    data = {**FORM, "firstname": "Hacked"}
    with pytest.raises(NotFound):
        clients.update_client(world["actor_a"], world["other"], data)
    assert _client(world["other"]).firstname == "Ot"
    with pytest.raises(NotFound):
        clients.update_client(world["actor_a"], "1 or 1=1", data)


def test_update_refuses_a_duplicate_email(world):
    other = clients.create_client(world["actor_a"], FORM)
    data = clients.client_details(world["actor_a"], world["c"])
    data["email"] = "dana@example.com"
    with pytest.raises(ValidationFailed) as e:
        clients.update_client(world["actor_a"], world["c"], data)
    assert "email" in e.value.errors
    assert _client(world["c"]).email == "c@example.com" and other


@pytest.mark.parametrize("bad", ["9.99", "500.01", "-20", "abc", "20.001"])
def test_threshold_outside_10_to_500_is_refused(world, bad):
    with pytest.raises(ValidationFailed) as e:
        clients.set_low_balance(world["actor_a"], world["c"], bad, "")
    assert "threshold" in e.value.errors
    assert _client(world["c"]).low_balance_threshold is None


def test_threshold_and_its_address_are_saved_and_cleared(world):
    clients.set_low_balance(world["actor_a"], world["c"], "10", "Billing@Example.com")
    c = _client(world["c"])
    assert (c.low_balance_threshold, c.low_balance_email) == (Decimal("10"), "billing@example.com")
    with pytest.raises(ValidationFailed) as e:
        clients.set_low_balance(world["actor_a"], world["c"], "50", "nope")
    assert "low_balance_email" in e.value.errors
    clients.set_low_balance(world["actor_a"], world["c"], "", "")
    assert _client(world["c"]).low_balance_threshold is None
    with pytest.raises(NotFound):
        clients.set_low_balance(world["actor_b"], world["c"], "20", "")


def test_activate_a_waiting_client_only(world):
    with session_scope() as s:
        s.get(Client, world["c"]).status = "WAIT"
    with pytest.raises(NotFound):
        clients.activate_client(world["actor_b"], world["c"])
    assert _client(world["c"]).status == "WAIT"
    clients.activate_client(world["actor_a"], world["c"])
    assert _client(world["c"]).status == "ACTIVE"
    with pytest.raises(ValidationFailed):
        clients.activate_client(world["actor_a"], world["c"])


def test_delete_is_refused_while_services_are_connected_and_says_which(world):
    with session_scope() as s:
        s.add(Did(reseller_id=world["ra"], number="15145550001", client_id=world["c"]))
        s.add(Did(reseller_id=world["ra"], number="15145550002", client_id=world["c"], kind="fax"))
    with pytest.raises(ValidationFailed) as e:
        clients.delete_client(world["actor_a"], world["c"])
    msg = e.value.errors["delete"]
    assert "1 sub-account" in msg and "1 DID (15145550001)" in msg and "1 fax number (15145550002)" in msg
    with session_scope() as s:
        account = s.get(SubAccount, world["sub"]).account
    assert f"1 sub-account ({account})" in msg  # names what to unconnect, not only how many
    assert _client(world["c"]) is not None


def test_list_searches_filters_and_pages_in_sql(world):
    a = world["actor_a"]
    with session_scope() as s:  # straight in the table: 30 argon2 hashes would only slow the test down
        for i in range(30):
            s.add(Client(reseller_id=world["ra"], email=f"p{i}@example.com", firstname=f"P{i}", password_hash="x"))
    first = clients.list_clients(a, page_size=25)
    assert first["total"] == "31" and len(first["items"]) == 25 and first["pages"] == 2
    assert len(clients.list_clients(a, page=2, page_size=25)["items"]) == 6
    assert clients.list_clients(a, page=99, page_size=25)["page"] == 2
    found = clients.list_clients(a, search="p17@")
    assert [r["email"] for r in found["items"]] == ["p17@example.com"]
    assert clients.list_clients(a, search="100%")["total"] == "0"  # a % is matched literally
    assert clients.list_clients(a, status="SUSPENDED")["total"] == "0"
    # Reseller B sees only its own client.
    assert [r["email"] for r in clients.list_clients(world["actor_b"])["items"]] == ["o@example.com"]


def test_history_shows_the_original_and_its_reversal(world):
    a = world["actor_a"]
    entry = postings.manual_posting(a, world["c"], "payment", "12.50", "cheque")
    postings.reverse(a, world["c"], entry.id)
    hist = clients.history(a, world["c"])
    kinds = {r["kind"]: r for r in hist["items"]}
    assert kinds["Payment"]["reversed"] == "1" and kinds["Payment"]["can_delete"] == ""
    assert kinds["Reversal"]["amount"] == "-$12.50" and kinds["Reversal"]["can_delete"] == ""
    assert hist["balance"] == "$0.00"
    with pytest.raises(NotFound):
        clients.history(world["actor_b"], world["c"])


def test_a_repeated_payment_token_posts_once(world):
    a = world["actor_a"]
    token = clients.new_form_token()
    postings.manual_posting(a, world["c"], "payment", "20", "cash", reference=token)
    postings.manual_posting(a, world["c"], "payment", "20", "cash", reference=token)
    assert _client(world["c"]).balance == Decimal("20")


def test_package_choices_are_the_resellers_own(world):
    assert [p["name"] for p in clients.package_choices(world["actor_a"])] == ["Std"]
    assert clients.package_choices(world["actor_b"]) == []


@pytest.mark.parametrize("amount", ["0", "-5", "0.00", "1.234", "ten", ""])
def test_zero_negative_or_overprecise_amounts_are_refused(world, amount):
    with pytest.raises(ValidationFailed) as e:
        postings.manual_posting(world["actor_a"], world["c"], "payment", amount, "cash")
    assert "amount" in e.value.errors
    assert _client(world["c"]).balance == Decimal("0")


def test_payments_and_deletes_on_another_resellers_ids_are_refused(world):
    entry = postings.manual_posting(world["actor_a"], world["c"], "payment", "10", "cash")
    with pytest.raises(NotFound):
        postings.manual_posting(world["actor_b"], world["c"], "charge", "5", "x")
    with pytest.raises(NotFound):  # B's own client, A's transaction
        postings.reverse(world["actor_b"], world["other"], entry.id)
    with pytest.raises(NotFound):
        postings.reverse(world["actor_b"], world["c"], entry.id)
    assert _client(world["c"]).balance == Decimal("10")
    assert clients.history(world["actor_a"], world["c"])["items"][0]["reversed"] == ""


def test_every_client_service_refuses_a_client_actor(world):
    from reseller_app.services.telephony import dids, subaccounts

    me = Actor("client", world["ra"], world["c"])
    calls = [
        lambda: clients.client_details(me, world["c"]),
        lambda: clients.update_client(me, world["c"], FORM),
        lambda: clients.set_low_balance(me, world["c"], "20", ""),
        lambda: clients.activate_client(me, world["c"]),
        lambda: clients.delete_client(me, world["c"]),
        lambda: clients.history(me, world["c"]),
        lambda: clients.package_choices(me),
        lambda: subaccounts.save_subaccount(me, world["c"], "new", {}),
        lambda: subaccounts.unconnect_subaccount(me, world["c"], world["sub"]),
        lambda: subaccounts.set_blocked(me, world["c"], world["sub"], True),
        lambda: dids.available_numbers(me),
        lambda: dids.connect_dids(me, world["c"], ["15145550100"]),
        lambda: dids.unconnect_did(me, world["c"], 1),
        lambda: dids.client_services(me, world["c"]),
        lambda: postings.manual_posting(me, world["c"], "payment", "5", "x"),
    ]
    for call in calls:
        with pytest.raises(Forbidden):
            call()
    with session_scope() as s:
        assert s.get(SubAccount, world["sub"]).client_id == world["c"]
    assert _client(world["c"]).balance == Decimal("0")


def test_a_valid_phone_number_is_kept_as_typed(world):
    cid = clients.create_client(world["actor_a"], {**FORM, "phone_number": "(514) 555-0101", "country": "CA"})
    assert _client(cid).phone_number == "(514) 555-0101"


def test_a_past_billing_date_is_refused_but_the_one_the_client_has_is_kept(world):
    a = world["actor_a"]
    with session_scope() as s:
        s.get(Client, world["c"]).next_billing_date = date(2001, 1, 1)  # e.g. the billing run has not run yet
    data = clients.client_details(a, world["c"])
    data.update(password="", firstname="Renamed")
    clients.update_client(a, world["c"], data)  # the unchanged date does not stop an edit
    assert (_client(world["c"]).firstname, str(_client(world["c"]).next_billing_date)) == ("Renamed", "2001-01-01")
    with pytest.raises(ValidationFailed) as e:
        clients.update_client(a, world["c"], {**data, "next_billing_date": "2001-02-01"})
    assert "past" in e.value.errors["next_billing_date"]
