"""Sub-accounts: created at the (sandbox) carrier, configured, package setup fee, block, unconnect; and refusals."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from reseller_app.carrier import CarrierError, get_carrier
from reseller_app.db import session_scope
from reseller_app.models import Client, LedgerEntry, Package, Reseller, SandboxSubAccount, SubAccount
from reseller_app.services.access.actor import Actor
from reseller_app.services.common.errors import Forbidden, NotFound, ValidationFailed
from reseller_app.services.telephony import subaccounts

SUB = {
    "name": "office",
    "password": "sip-secret-99",
    "device_type": "pbx",
    "auth_type": "password",
    "callerid": "15145550100",
    "codecs": "ulaw,g722",
    "dtmf_mode": "rfc2833",
    "nat": "yes",
    "description": "Front office",
}


@pytest.fixture()
def priced(world):
    with session_scope() as s:
        s.get(Package, world["pkg"]).setup_fee = Decimal("25.00")
    return world


def _carrier(world):
    with session_scope() as s:
        return get_carrier(s.get(Reseller, world["ra"]))


def _fees(cid: int) -> list[LedgerEntry]:
    with session_scope() as s:
        return s.exec(select(LedgerEntry).where(LedgerEntry.client_id == cid, LedgerEntry.kind == "fee")).all()


def test_new_subaccount_is_created_at_the_carrier_with_the_package_setup_fee(priced):
    w = priced
    sid = subaccounts.save_subaccount(
        w["actor_a"], w["c"], "new", {**SUB, "package_id": str(w["pkg"])}, charge_setup_fee=True
    )
    with session_scope() as s:
        sub = s.get(SubAccount, sid)
        assert sub.account == f"{100000 + w['ra']}_office"
        assert (sub.client_id, sub.package_id, sub.codecs, sub.dtmf_mode) == (w["c"], w["pkg"], "ulaw,g722", "rfc2833")
        assert sub.carrier_ref.startswith("sandbox-")
        assert s.exec(select(SandboxSubAccount).where(SandboxSubAccount.account == sub.account)).first()
    fees = _fees(w["c"])
    assert [f.amount for f in fees] == [Decimal("-25")]
    assert "Std" in fees[0].description


def test_setup_fee_only_when_ticked_and_only_for_a_newly_assigned_package(priced):
    w = priced
    subaccounts.save_subaccount(w["actor_a"], w["c"], "new", {**SUB, "package_id": str(w["pkg"])})
    assert _fees(w["c"]) == []
    # The existing sub-account already carries the package: saving it again charges nothing.
    form = subaccounts.subaccount_form(w["actor_a"], w["c"], w["sub"])
    form["password"] = "another-pass-1"
    subaccounts.save_subaccount(w["actor_a"], w["c"], w["sub"], form, charge_setup_fee=True)
    assert _fees(w["c"]) == []


def test_a_hard_client_goes_suspended_by_the_setup_fee(priced):
    w = priced
    with session_scope() as s:
        s.get(Client, w["c"]).balance_management = "HARD"
    sid = subaccounts.save_subaccount(
        w["actor_a"], w["c"], "new", {**SUB, "package_id": str(w["pkg"])}, charge_setup_fee=True
    )
    with session_scope() as s:
        assert s.get(Client, w["c"]).status == "SUSPENDED"
        account = s.get(SubAccount, sid).account
    assert _carrier(w).is_blocked(account)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "bad name!"}, "name"),
        ({"password": "short"}, "password"),
        ({"device_type": "toaster"}, "device_type"),
        ({"auth_type": "magic"}, "auth_type"),
        ({"codecs": "mp3"}, "codecs"),
        ({"codecs": ""}, "codecs"),
        ({"dtmf_mode": "x"}, "dtmf_mode"),
        ({"nat": "maybe"}, "nat"),
        ({"callerid": "call me"}, "callerid"),
    ],
)
def test_bad_settings_are_refused(world, change, field):
    with pytest.raises(ValidationFailed) as e:
        subaccounts.save_subaccount(world["actor_a"], world["c"], "new", {**SUB, **change})
    assert field in e.value.errors
    with session_scope() as s:
        assert s.exec(select(SubAccount).where(SubAccount.account.like("%office%"))).first() is None


def test_duplicate_name_is_refused_before_the_carrier(world):
    subaccounts.save_subaccount(world["actor_a"], world["c"], "new", SUB)
    with pytest.raises(ValidationFailed) as e:
        subaccounts.save_subaccount(world["actor_a"], world["c"], "new", SUB)
    assert "name" in e.value.errors


def _sandbox_accounts() -> list[str]:
    with session_scope() as s:
        return list(s.exec(select(SandboxSubAccount.account)).all())


def test_a_failed_database_write_takes_the_sub_account_back_from_the_carrier(world, monkeypatch):
    def database_down(*_a, **_k):
        raise OperationalError("INSERT INTO auditlog ...", {}, Exception("server closed the connection"))

    monkeypatch.setattr(subaccounts.audit, "record", database_down)
    with pytest.raises(OperationalError):
        subaccounts.save_subaccount(world["actor_a"], world["c"], "new", SUB)
    office = f"{100000 + world['ra']}_office"
    assert office not in _sandbox_accounts()  # created at the carrier, then deleted again
    with session_scope() as s:
        assert s.exec(select(SubAccount).where(SubAccount.account == office)).first() is None
    monkeypatch.undo()
    # Nothing is left half-made: the same name can be created again.
    sid = subaccounts.save_subaccount(world["actor_a"], world["c"], "new", SUB)
    assert office in _sandbox_accounts() and sid


def test_an_undo_the_carrier_refuses_is_logged_and_the_error_still_raised(world, monkeypatch, caplog):
    def database_down(*_a, **_k):
        raise OperationalError("INSERT INTO auditlog ...", {}, Exception("server closed the connection"))

    def refuse(*_a, **_k):
        raise CarrierError("network_error", "delSubAccount: timed out")

    monkeypatch.setattr(subaccounts.audit, "record", database_down)
    monkeypatch.setattr(type(_carrier(world)), "delete_subaccount", refuse)
    with caplog.at_level(logging.WARNING), pytest.raises(OperationalError):
        subaccounts.save_subaccount(world["actor_a"], world["c"], "new", SUB)
    office = f"{100000 + world['ra']}_office"
    assert any(office in r.getMessage() and "deleting it failed" in r.getMessage() for r in caplog.records)


def test_other_resellers_ids_are_refused_and_nothing_changes(world):
    a, b = world["actor_a"], world["actor_b"]
    with pytest.raises(NotFound):  # another reseller's client
        subaccounts.save_subaccount(a, world["other"], "new", SUB)
    with pytest.raises(NotFound):  # another reseller's sub-account
        subaccounts.save_subaccount(b, world["other"], world["sub"], SUB)
    with pytest.raises(NotFound):  # another reseller's package
        subaccounts.save_subaccount(b, world["other"], "new", {**SUB, "package_id": str(world["pkg"])})
    with pytest.raises(NotFound):
        subaccounts.unconnect_subaccount(b, world["other"], world["sub"])
    with pytest.raises(NotFound):
        subaccounts.set_blocked(b, world["other"], world["sub"], True)
    with pytest.raises(Forbidden):
        subaccounts.subaccount_choices(Actor("client", world["ra"], world["c"]), world["c"])
    with session_scope() as s:
        sub = s.get(SubAccount, world["sub"])
        assert (sub.client_id, sub.blocked, sub.sip_password) == (world["c"], False, "pw")
        assert s.exec(select(SubAccount).where(SubAccount.reseller_id == world["rb"])).first() is None


def test_block_unblock_and_unconnect_go_through_the_carrier(world):
    a = world["actor_a"]
    sid = subaccounts.save_subaccount(a, world["c"], "new", SUB)
    with session_scope() as s:
        account = s.get(SubAccount, sid).account
    carrier = _carrier(world)
    subaccounts.set_blocked(a, world["c"], sid, True)
    assert carrier.is_blocked(account)
    subaccounts.set_blocked(a, world["c"], sid, False)
    assert not carrier.is_blocked(account)
    subaccounts.unconnect_subaccount(a, world["c"], sid)
    with session_scope() as s:
        assert s.get(SubAccount, sid).client_id is None
    assert carrier.is_blocked(account)
    # It is offered again, and connecting it to the client unblocks it.
    labels = [c["label"] for c in subaccounts.subaccount_choices(a, world["c"])]
    assert f"{account} (not connected)" in labels
    form = subaccounts.subaccount_form(a, world["c"], sid)
    subaccounts.save_subaccount(a, world["c"], sid, form)
    assert not carrier.is_blocked(account)


def test_create_form_step_checks_the_name_then_connects_with_the_package(priced):
    w = priced
    with pytest.raises(ValidationFailed) as e:
        subaccounts.check_name(w["actor_a"], "no spaces")
    assert "name" in e.value.errors
    assert subaccounts.check_name(w["actor_a"], "lobby") == f"{100000 + w['ra']}_lobby"
    sid = subaccounts.connect_on_create(w["actor_a"], w["c"], "new", "lobby", str(w["pkg"]), charge_setup_fee=True)
    with session_scope() as s:
        assert s.get(SubAccount, sid).client_id == w["c"]
    assert [f.amount for f in _fees(w["c"])] == [Decimal("-25")]
    assert subaccounts.connect_on_create(w["actor_a"], w["c"], "none", "", "", charge_setup_fee=True) is None
    with pytest.raises(NotFound):  # another reseller's unconnected sub-account
        subaccounts.connect_on_create(w["actor_b"], w["other"], str(sid), "", "", charge_setup_fee=False)
    assert subaccounts.unconnected_choices(w["actor_b"]) == []
